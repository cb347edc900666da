/**
 * The StateStore port in memory, for unit tests of the workflow steps. It keeps the port's documented behaviour
 * (lambdas/ports/state-store.ts), as DynamoStateStore does on DynamoDB: conditional writes refuse as DynamoDB does
 * (putAudit throws an error named ConditionalCheckFailedException, updatePlan of a missing plan too), records are
 * copied in and out (a caller mutating what it got or gave changes nothing stored), rejections and suppressions
 * expire by the clock, pages continue after the last item's key (an opaque cursor). The same assertions run
 * against this fake and the DynamoDB adapter: test/unit/support/fakes/state-store.contract.test.ts and
 * test/integ/adapters/state-store.contract.integ.ts (test/support/contracts/state-store-contract.ts).
 */

import { listingSortKey, searchText } from '../../../lambdas/adapters/finding-listing';
import type { Finding } from '../../../lambdas/domain/finding';
import type {
  AccountDirectoryEntry,
  AccountRunSummary,
  ApprovalEntry,
  ApprovalRecord,
  AuditIntent,
  AuditRecord,
  AuditReference,
  DeliveryStatus,
  LatestFindingsQuery,
  ListedFinding,
  Page,
  PageRequest,
  PlanOpening,
  PlanRecord,
  PlanStatus,
  ProposalsQuery,
  RejectionRecord,
  RollbackRequest,
  RunRecord,
  StateStore,
  Suppression,
  TimeoutRecord,
} from '../../../lambdas/ports/state-store';
import { InvalidPayloadError } from '../../../lambdas/shared/errors';

/** What DynamoDB answers to a put whose condition failed (the workflow checks the name). */
export class ConditionalCheckFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionalCheckFailedException';
  }
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

const OPEN_PLAN: readonly PlanStatus[] = ['proposed', 'awaiting-approval'];
const OPEN_ROLLBACK: readonly RollbackRequest['status'][] = ['pending', 'running'];

const copy = <T>(value: T): T => structuredClone(value);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sort keys compared in order (ascending); a page continues after its last item's key. */
type SortKey = readonly string[];
function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = byText(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): SortKey {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (Array.isArray(parsed.k) && parsed.k.every((s) => typeof s === 'string')) return parsed.k as string[];
  } catch {
    // reported below
  }
  throw new InvalidPayloadError('the page cursor is not one this listing returned', ['cursor']);
}

function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidPayloadError(`page limit must be a whole number from 1, got ${String(limit)}`, ['limit']);
  }
  return Math.min(limit, MAX_PAGE_LIMIT);
}

/**
 * One page of `items` in the order of `key` (descending when `newestFirst`), continuing after the cursor's key: an
 * item added or removed between two pages neither shifts nor repeats the others.
 */
export function pageOf<T>(
  items: readonly T[],
  key: (item: T) => SortKey,
  page: PageRequest | undefined,
  newestFirst = false,
): Page<T> {
  const limit = pageLimit(page);
  const order = (a: SortKey, b: SortKey) => (newestFirst ? -compareKeys(a, b) : compareKeys(a, b));
  const after = page?.cursor !== undefined ? decodeCursor(page.cursor) : undefined;
  const sorted = [...items].sort((a, b) => order(key(a), key(b)));
  const rest = after ? sorted.filter((item) => order(key(item), after) > 0) : sorted;
  const items_ = rest.slice(0, limit).map(copy);
  const last = items_[items_.length - 1];
  return rest.length > limit && last !== undefined
    ? { items: items_, cursor: encodeCursor(key(last)) }
    : { items: items_ };
}

async function allPages<T>(read: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: MAX_PAGE_LIMIT, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Every item of a paged listing (follows the cursors): for tests. */
export const readAllPages = allPages;

export class InMemoryStateStore implements StateStore {
  private readonly triggers = new Map<string, { runId: string; expiresAt: number }>();
  private readonly runs = new Map<string, RunRecord>();
  private readonly findings = new Map<string, Map<string, Finding>>();
  private readonly plans = new Map<string, PlanRecord>();
  private readonly approvals = new Map<string, ApprovalRecord>();
  private readonly rollbacks = new Map<string, RollbackRequest>();
  private readonly audit = new Map<string, AuditRecord>();
  private readonly intents = new Map<string, AuditIntent>();
  private readonly references = new Map<string, AuditReference[]>();
  private readonly accountFindings = new Map<string, Finding[]>();
  private readonly latestRun = new Map<string, string>();
  private readonly summaries = new Map<string, AccountRunSummary>();
  private readonly rejections = new Map<string, RejectionRecord>();
  private readonly suppressions = new Map<string, Suppression>();
  private readonly openings = new Set<string>();
  private readonly timeouts = new Map<string, TimeoutRecord>();
  /** Propose-only plans by plan id: the latest recording of each. */
  private readonly proposals = new Map<string, PlanRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  // ---- runs, findings, plans ----

  async claimTrigger(key: string, runId: string, ttlSeconds: number) {
    const now = this.now().getTime();
    const held = this.triggers.get(key);
    // An expired claim counts as free (DynamoDB deletes expired items lazily; the adapter's condition says so).
    if (held && held.expiresAt >= now) return { claimed: false, heldBy: held.runId };
    this.triggers.set(key, { runId, expiresAt: now + ttlSeconds * 1000 });
    return { claimed: true };
  }

  async putRun(run: RunRecord) {
    this.runs.set(run.runId, copy(run));
  }

  async getRun(runId: string) {
    const run = this.runs.get(runId);
    return run ? copy(run) : undefined;
  }

  async updateRun(runId: string, patch: Partial<Pick<RunRecord, 'status' | 'summary'>>) {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`run ${runId} not found`);
    this.runs.set(runId, copy({ ...run, ...defined(patch) }));
  }

  async putFindings(runId: string, findings: readonly Finding[]) {
    const stored = this.findings.get(runId) ?? new Map<string, Finding>();
    for (const f of findings) stored.set(f.id, copy(f));
    this.findings.set(runId, stored);
  }

  async listFindings(runId: string) {
    return [...(this.findings.get(runId)?.values() ?? [])].sort((a, b) => byText(a.id, b.id)).map(copy);
  }

  async putPlans(plans: readonly PlanRecord[]) {
    for (const p of plans) {
      this.plans.set(planKey(p.runId, p.planId), copy(p));
      if (!p.plan.applicable) this.proposals.set(p.planId, copy(p));
    }
  }

  async getPlan(runId: string, planId: string) {
    const plan = this.plans.get(planKey(runId, planId));
    return plan ? copy(plan) : undefined;
  }

  async listPlans(runId: string) {
    return [...this.plans.values()]
      .filter((p) => p.runId === runId)
      .sort((a, b) => byText(a.planId, b.planId))
      .map(copy);
  }

  async updatePlan(
    runId: string,
    planId: string,
    patch: Partial<Pick<PlanRecord, 'status' | 'detail' | 'error' | 'changeId'>>,
  ) {
    const plan = this.plans.get(planKey(runId, planId));
    if (!plan) throw new ConditionalCheckFailedError(`plan ${runId}/${planId} does not exist`);
    this.plans.set(planKey(runId, planId), copy({ ...plan, ...defined(patch), updatedAt: this.now().toISOString() }));
  }

  // ---- approvals and their delivery ----

  async putApproval(approval: ApprovalRecord) {
    this.approvals.set(planKey(approval.runId, approval.planId), copy(approval));
  }

  async getApproval(runId: string, planId: string) {
    const approval = this.approvals.get(planKey(runId, planId));
    return approval ? copy(approval) : undefined;
  }

  async listPendingApprovals() {
    return allPages((page) => this.pagePendingApprovals(page));
  }

  async decideApproval(
    runId: string,
    planId: string,
    decision: Required<Pick<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt' | 'decidedHash'>> & {
      comment?: string;
      approvals?: readonly ApprovalEntry[];
      expectedApprovals?: number;
    },
  ) {
    const approval = this.approvals.get(planKey(runId, planId));
    if (!approval || approval.decision) return false;
    if (decision.expectedApprovals !== undefined && (approval.approvals?.length ?? 0) !== decision.expectedApprovals) {
      return false;
    }
    this.approvals.set(
      planKey(runId, planId),
      copy({
        ...approval,
        ...(decision.approvals ? { approvals: decision.approvals } : {}),
        decision: decision.decision,
        decidedBy: decision.decidedBy,
        decidedAt: decision.decidedAt,
        decidedHash: decision.decidedHash,
        ...(decision.comment ? { comment: decision.comment } : {}),
        delivery: 'pending' as DeliveryStatus,
        deliveryAttempts: 0,
      }),
    );
    return true;
  }

  async addApproval(runId: string, planId: string, approvals: readonly ApprovalEntry[], expected: number) {
    const approval = this.approvals.get(planKey(runId, planId));
    if (!approval || approval.decision || (approval.approvals?.length ?? 0) !== expected) return false;
    this.approvals.set(planKey(runId, planId), copy({ ...approval, approvals }));
    return true;
  }

  private readonly directory = new Map<string, readonly string[]>();

  async putAccountDirectory(entries: readonly AccountDirectoryEntry[]) {
    for (const e of entries) this.directory.set(e.accountId, [...e.ouPath]);
  }

  async getAccountDirectory() {
    return new Map(this.directory);
  }

  async completeDelivery(
    runId: string,
    planId: string,
    outcome: { status: Exclude<DeliveryStatus, 'pending'>; at: string; detail?: string },
  ) {
    const approval = this.approvals.get(planKey(runId, planId));
    if (approval?.delivery !== 'pending') return false;
    const { deliveryDetail: _previous, ...rest } = approval;
    this.approvals.set(
      planKey(runId, planId),
      copy({
        ...rest,
        delivery: outcome.status,
        deliveredAt: outcome.at,
        ...(outcome.detail ? { deliveryDetail: outcome.detail } : {}),
      }),
    );
    return true;
  }

  async noteDeliveryFailure(runId: string, planId: string, detail: string) {
    const approval = this.approvals.get(planKey(runId, planId));
    if (approval?.delivery !== 'pending') return;
    this.approvals.set(
      planKey(runId, planId),
      copy({
        ...approval,
        deliveryAttempts: (approval.deliveryAttempts ?? 0) + 1,
        deliveryDetail: detail.slice(0, 1000),
      }),
    );
  }

  async listUndelivered() {
    return [...this.approvals.values()]
      .filter((a) => a.decision && a.delivery === 'pending')
      .sort((a, b) => byText(a.decidedAt ?? '', b.decidedAt ?? ''))
      .map(copy);
  }

  // ---- rollback requests ----

  async putRollbackRequest(request: RollbackRequest) {
    const current = this.rollbacks.get(request.changeId);
    // A refused or failed request may be made again; a pending, running or finished one stands.
    if (current && current.status !== 'refused' && current.status !== 'failed') {
      return { created: false, request: copy(current) };
    }
    this.rollbacks.set(request.changeId, copy(request));
    return { created: true, request: copy(request) };
  }

  async getRollbackRequest(changeId: string) {
    const request = this.rollbacks.get(changeId);
    return request ? copy(request) : undefined;
  }

  async listRollbackRequests() {
    return [...this.rollbacks.values()].sort((a, b) => byText(a.changeId, b.changeId)).map(copy);
  }

  async listOpenRollbackRequests() {
    return [...this.rollbacks.values()]
      .filter((r) => OPEN_ROLLBACK.includes(r.status))
      .sort((a, b) => byText(a.updatedAt, b.updatedAt))
      .map(copy);
  }

  async updateRollbackRequest(
    changeId: string,
    patch: Partial<Pick<RollbackRequest, 'status' | 'rollbackId' | 'error'>>,
    from?: readonly RollbackRequest['status'][],
  ) {
    const request = this.rollbacks.get(changeId);
    if (!request) return false;
    if (from && from.length > 0 && !from.includes(request.status)) return false;
    this.rollbacks.set(changeId, copy({ ...request, ...defined(patch), updatedAt: this.now().toISOString() }));
    return true;
  }

  // ---- the audit log (append-only) ----

  async putAudit(record: AuditRecord) {
    if (this.audit.has(record.changeId)) {
      throw new ConditionalCheckFailedError(`change ${record.changeId} already has its record`);
    }
    this.audit.set(record.changeId, copy(record));
  }

  async getAudit(changeId: string) {
    const record = this.audit.get(changeId);
    return record ? copy(record) : undefined;
  }

  async listAudit() {
    return [...this.audit.values()].sort((a, b) => byText(a.appliedAt, b.appliedAt)).map(copy);
  }

  async putAuditIntent(intent: AuditIntent) {
    const existing = this.intents.get(intent.changeId);
    const stored = existing ?? copy(intent);
    if (!existing) this.intents.set(intent.changeId, stored);
    // The index entries of the stored intent (also when it existed, as the adapter re-puts them).
    this.reference(stored.resourceArn, { changeId: stored.changeId, relation: 'target' });
    for (const arn of stored.names ?? []) this.reference(arn, { changeId: stored.changeId, relation: 'names' });
    return { created: !existing, intent: copy(stored) };
  }

  async getAuditIntent(changeId: string) {
    const intent = this.intents.get(changeId);
    return intent ? copy(intent) : undefined;
  }

  async listOpenAuditIntents() {
    return [...this.intents.values()]
      .filter((i) => !this.audit.has(i.changeId))
      .sort((a, b) => byText(a.intendedAt, b.intendedAt))
      .map(copy);
  }

  async listAuditReferences(resourceArn: string) {
    return (this.references.get(resourceArn.toLowerCase()) ?? []).map(copy);
  }

  // ---- organization scale: per-account state, decision memory, paged reads ----

  async putAccountFindings(runId: string, accountId: string, findings: readonly Finding[]) {
    this.accountFindings.set(accountKey(runId, accountId), findings.map(copy));
    this.latestRun.set(accountId, runId);
  }

  async latestAccountFindings(accountId: string) {
    const runId = this.latestRun.get(accountId);
    if (runId === undefined) return undefined;
    return { runId, findings: (this.accountFindings.get(accountKey(runId, accountId)) ?? []).map(copy) };
  }

  async putAccountSummary(summary: AccountRunSummary) {
    this.summaries.set(accountKey(summary.runId, summary.accountId), copy(summary));
  }

  async listAccountSummaries(runId: string) {
    return [...this.summaries.values()]
      .filter((s) => s.runId === runId)
      .sort((a, b) => byText(a.accountId, b.accountId))
      .map(copy);
  }

  async putTimeout(timeout: TimeoutRecord) {
    this.timeouts.set(`${timeout.runId}\u0000${timeout.planId}`, copy(timeout));
  }

  async pageTimeouts(page?: PageRequest) {
    return pageOf([...this.timeouts.values()], (t) => [t.timedOutAt, t.runId, t.planId], page, true);
  }

  async putPlanOpening(opening: PlanOpening) {
    this.openings.add(JSON.stringify([opening.runId, opening.planId, opening.openedBy, opening.contentHash]));
  }

  async hasOpenedPlan(runId: string, planId: string, openedBy: string, contentHash: string) {
    return this.openings.has(JSON.stringify([runId, planId, openedBy, contentHash]));
  }

  async putRejection(rejection: RejectionRecord) {
    this.rejections.set(rejection.planId, copy(rejection));
  }

  async getRejection(planId: string) {
    const rejection = this.rejections.get(planId);
    if (!rejection || Date.parse(rejection.expiresAt) <= this.now().getTime()) return undefined;
    return copy(rejection);
  }

  async pageRejections(page?: PageRequest) {
    const now = this.now().getTime();
    const live = [...this.rejections.values()].filter((r) => Date.parse(r.expiresAt) > now);
    return pageOf(live, (r) => [r.rejectedAt, r.planId], page, true);
  }

  async openPlanOf(planId: string) {
    // The earliest run holding an open plan of this id (as the DynamoDB store answers from its index).
    const open = [...this.plans.values()]
      .filter((p) => p.planId === planId && OPEN_PLAN.includes(p.status))
      .sort((a, b) => byText(a.updatedAt, b.updatedAt))[0];
    return open ? { runId: open.runId, status: open.status } : undefined;
  }

  async putSuppression(suppression: Suppression) {
    if (!suppression.ruleId && !suppression.accountId && !suppression.resource) {
      throw new InvalidPayloadError(
        `suppression ${suppression.id} matches everything: give a rule, account or resource`,
        ['ruleId', 'accountId', 'resource'],
      );
    }
    this.suppressions.set(suppression.id, copy(suppression));
  }

  async getSuppression(id: string) {
    const s = this.suppressions.get(id);
    return s ? copy(s) : undefined;
  }

  async deleteSuppression(id: string) {
    return this.suppressions.delete(id);
  }

  async listSuppressions(page?: PageRequest) {
    const now = this.now().getTime();
    const live = [...this.suppressions.values()].filter((s) => Date.parse(s.expiresAt) > now);
    return pageOf(live, (s) => [s.createdAt, s.id], page, true);
  }

  async pagePendingApprovals(page?: PageRequest) {
    const pending = [...this.approvals.values()].filter((a) => !a.decision);
    return pageOf(pending, (a) => [a.requestedAt, a.runId, a.planId], page);
  }

  async pageAudit(page?: PageRequest) {
    return pageOf([...this.audit.values()], (r) => [r.appliedAt, r.changeId], page, true);
  }

  async pageRuns(page?: PageRequest) {
    return pageOf([...this.runs.values()], (r) => [r.startedAt, r.runId], page, true);
  }

  async pageAccountFindings(accountId: string, page?: PageRequest) {
    const runId = this.latestRun.get(accountId);
    const findings = runId === undefined ? [] : (this.accountFindings.get(accountKey(runId, accountId)) ?? []);
    return pageOf(findings, (f) => [f.id], page);
  }

  async pageLatestFindings(query: LatestFindingsQuery, page?: PageRequest) {
    const listed: ListedFinding[] = [];
    for (const [accountId, runId] of this.latestRun) {
      for (const finding of this.accountFindings.get(accountKey(runId, accountId)) ?? []) {
        if (!matchesLatest(query, finding)) continue;
        // The last plan recorded that fixes it, as the DynamoDB store's putPlans leaves the listing item.
        const plan = [...this.plans.values()]
          .filter((p) => p.runId === runId && p.plan.findingIds.includes(finding.id))
          .pop();
        listed.push({ runId, finding, ...(plan ? { planId: plan.planId } : {}) });
      }
    }
    return pageOf(listed, (l) => [listingSortKey(l.finding)], page);
  }

  async getAccountSummary(runId: string, accountId: string) {
    const summary = this.summaries.get(accountKey(runId, accountId));
    return summary ? copy(summary) : undefined;
  }

  async pageAccountSummaries(runId: string, page?: PageRequest) {
    const of = [...this.summaries.values()].filter((s) => s.runId === runId);
    return pageOf(of, (s) => [s.accountId], page);
  }

  async pageRunPlans(runId: string, page?: PageRequest) {
    const of = [...this.plans.values()].filter((p) => p.runId === runId);
    return pageOf(of, (p) => [p.planId], page);
  }

  async latestRunOf(accountId: string) {
    return this.latestRun.get(accountId);
  }

  async pageProposals(query: ProposalsQuery, page?: PageRequest) {
    const kept = [...this.proposals.values()].filter(
      (p) =>
        (query.accountId === undefined || p.plan.accountId === query.accountId) &&
        (query.ruleId === undefined || p.plan.ruleIds.includes(query.ruleId)) &&
        (query.accounts === undefined || query.accounts.includes(p.plan.accountId)),
    );
    return pageOf(kept, (p) => [p.updatedAt, p.runId, p.planId], page, true);
  }

  private reference(arn: string, ref: AuditReference) {
    const key = arn.toLowerCase();
    const refs = this.references.get(key) ?? [];
    if (!refs.some((r) => r.changeId === ref.changeId && r.relation === ref.relation)) refs.push(ref);
    this.references.set(key, refs);
  }
}

/** Whether a finding passes a latest-findings query (as the DynamoDB store's key condition and filter decide). */
function matchesLatest(q: LatestFindingsQuery, f: Finding): boolean {
  const suppressed = q.suppressed ?? 'hide';
  const checks = [
    q.severities === undefined || q.severities.includes(f.severity),
    q.ruleId === undefined || f.ruleId === q.ruleId,
    q.accountId === undefined || f.accountId === q.accountId,
    q.cluster === undefined || f.cluster === q.cluster,
    q.namespace === undefined || f.kubernetesObject?.namespace === q.namespace,
    !q.text || searchText(f).includes(q.text.toLowerCase()),
    suppressed === 'show' || (suppressed === 'only') === (f.suppressed !== undefined),
    q.accounts === undefined || q.accounts.includes(f.accountId),
  ];
  return checks.every(Boolean);
}

function planKey(runId: string, planId: string): string {
  return `${runId}\u0000${planId}`;
}

function accountKey(runId: string, accountId: string): string {
  return `${runId}\u0000${accountId}`;
}

/** A patch without its undefined members (an update never clears a field by passing undefined). */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
