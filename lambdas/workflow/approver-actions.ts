/**
 * What the approval console and the CLI do, whatever carries the request (the HTTP API in AWS, the local console
 * server, tests): list the plans waiting for a person, show one with everything needed to judge it, approve or
 * reject it, list the applied changes, and roll one back. Every operation checks that the caller is an approver and
 * that the account it touches is in their scope (scopeOf/inScope: approver rules by group, accounts and OUs); a plan
 * may need a second, distinct approver (secondApproval), and the run's requester may not approve its plans.
 */
import { randomUUID } from 'node:crypto';
import { ACCOUNT_WIDE, groupPending } from '../api/pending-groups';
import type { ApprovalView, ChangeView, PendingGroup, PlanDetail, PlanSummary } from '../api/views';
import {
  type AccountScope,
  type ApproverRule,
  accountInScope,
  approvalsNeeded,
  describeScope,
  isSamePerson,
  needsOuPaths,
  rulesOf,
  type SecondApprovalRule,
  scopeFor,
} from '../domain/approver-scope';
import { type Finding, severityRank } from '../domain/finding';
import type {
  ApprovalRecord,
  AuditRecord,
  Page,
  PageRequest,
  PlanRecord,
  RejectionRecord,
  RollbackRequest,
  StateStore,
  Suppression,
  TimeoutRecord,
} from '../ports/state-store';
import type { ApiSuppressionBody } from '../shared/contracts';
import {
  ChangeNotFoundError,
  ForbiddenError,
  InvalidPayloadError,
  PlanNotFoundError,
  RollbackRefusedError,
  SuppressionNotFoundError,
} from '../shared/errors';
import { recordDecision } from './decision-delivery';
import { recordOpening, requireOpened } from './plan-openings';
import { planContentHash } from './run-steps';
import { rollbackIdOf, rollbackWithAudit, rolledBackBy } from './write-ahead';

export type {
  AccountScope,
  ApprovalView,
  ApproverRule,
  ChangeView,
  PendingGroup,
  PlanDetail,
  PlanSummary,
  SecondApprovalRule,
};
export { ACCOUNT_WIDE };

import type { WorkflowDeps } from './deps';

/** The Cognito group (or, for the CLI through the API, the same group) whose members may decide and roll back. */
export const DEFAULT_APPROVERS_GROUP = 'irsa-doctor-approvers';

/** Who is asking, as the authenticator established it. */
export interface Caller {
  /** A stable, readable identity for the audit log (user name, or e-mail). */
  readonly id: string;
  readonly groups: readonly string[];
}

/**
 * What the approval API runs with: the state store (read plans, approvals and changes; record decisions and rollback
 * requests) and the clock. No task callbacks, no member-account writers, no events: in AWS its role cannot send
 * task tokens, assume the remediator, or write the audit table.
 */
export type ApiDeps = Pick<WorkflowDeps, 'store' | 'now'> & {
  /** Alone (no `approvers`): one rule, its members approve in every account. */
  readonly approversGroup: string;
  /** Approver rules by group, each scoped to accounts and OUs (lambdas/domain/approver-scope.ts). */
  readonly approvers?: readonly ApproverRule[];
  /** Which plans need a second, distinct approver. Unset: none (the hub passes its configuration, default high risk). */
  readonly secondApproval?: SecondApprovalRule;
  /** Records who did what besides the state store (the function's log): a mute removed. */
  readonly audit?: (event: string, detail: Readonly<Record<string, unknown>>) => void;
  /**
   * Starts the deliverer and the rollback step once a decision or request is recorded. Unset in AWS, where the
   * state table's stream starts them; the local console server sets it to run them in-process, as the stream would.
   */
  readonly dispatch?: StepDispatch;
};

export interface StepDispatch {
  decisionRecorded(runId: string, planId: string): Promise<void>;
  rollbackRequested(changeId: string): Promise<void>;
}

/** What the rollback step runs with (the hub writer role in AWS): the fix writer (remediator), events, the audit log. */
export type ConsoleDeps = Pick<WorkflowDeps, 'store' | 'callbacks' | 'now' | 'fixes' | 'events'> & {
  readonly approversGroup: string;
};

/** Items of a page whose records are read at once (plans of the pending list, rollbacks of the history). */
const READS_AT_ONCE = 10;
const MAX_COMMENT = 1000;

/** What deciding who may act needs: the rules, and the store for the accounts' OU paths when a rule names OUs. */
export type ScopeDeps = Pick<ApiDeps, 'approversGroup' | 'approvers'> & {
  readonly store?: Pick<StateStore, 'getAccountDirectory'>;
};

/** The approver rules: the configured ones, or one all-accounts rule for `approversGroup`. */
export function approverRules(deps: Pick<ApiDeps, 'approversGroup' | 'approvers'>): readonly ApproverRule[] {
  return deps.approvers && deps.approvers.length > 0 ? deps.approvers : [{ group: deps.approversGroup }];
}

export function authorize(deps: Pick<ApiDeps, 'approversGroup' | 'approvers'>, caller: Caller | undefined): Caller {
  if (!caller || caller.id === '') throw new ForbiddenError('no authenticated caller');
  const rules = approverRules(deps);
  if (rulesOf(rules, caller.groups).length === 0) {
    const groups = [...new Set(rules.map((r) => `"${r.group}"`))].join(' or ');
    throw new ForbiddenError(
      `${caller.id} is not in the ${groups} group; ask an administrator to add you to review and approve plans`,
    );
  }
  return caller;
}

/**
 * The accounts whose plans, findings, runs and changes a caller may see and decide (after `authorize`): the union
 * of their groups' rules. Every route and decision checks it (`inScope`); a listing keeps only what is in scope. The
 * accounts' OU paths (recorded by the sweep, one key read) are read only when a rule names OUs.
 */
export async function scopeOf(deps: ScopeDeps, caller: Caller): Promise<AccountScope> {
  authorize(deps, caller);
  const rules = rulesOf(approverRules(deps), caller.groups);
  const ouPaths = needsOuPaths(rules) && deps.store ? await deps.store.getAccountDirectory() : undefined;
  return scopeFor(rules, caller.groups, ouPaths) ?? { all: false, accounts: new Set() };
}

export function inScope(scope: AccountScope, accountId: string): boolean {
  return accountInScope(scope, accountId);
}

/** Throws a 403 naming the account and the caller's groups when the account is out of the caller's scope. */
export function requireInScope(scope: AccountScope, caller: Caller, accountId: string, what: string): void {
  if (inScope(scope, accountId)) return;
  throw new ForbiddenError(
    `${caller.id} may not ${what} in account ${accountId}: their groups (${caller.groups.join(', ') || 'none'}) approve in ${describeScope(scope)} only`,
  );
}

/** A page of the pending plans, grouped by account and cluster; `cursor` continues the listing. */
export interface PendingPage {
  readonly groups: PendingGroup[];
  readonly cursor?: string;
  /** Plans of this page left out because their account is outside the caller's scope. */
  readonly outOfScope?: number;
}

/**
 * One page of the approval requests waiting for a decision, oldest first (an index, not a scan), with their plans
 * grouped by account and cluster. Expired requests are left out, so a page may hold fewer than `limit` plans.
 */
export async function pagePending(deps: ApiDeps, caller: Caller, request: PageRequest = {}): Promise<PendingPage> {
  const scope = await scopeOf(deps, caller);
  let outOfScope = 0;
  const now = deps.now().getTime();
  const page = await deps.store.pagePendingApprovals(request);
  const approvals = page.items.filter((a) => Date.parse(a.expiresAt) >= now);
  // Plans read by key, a few at once; one key-range read per run and account on the page for the findings' titles
  // and severities, and one per run for the accounts' names (the run's account summaries).
  const findingsOf = new Map<string, Promise<Finding[]>>();
  const namesOf = new Map<string, Promise<Map<string, string>>>();
  const summaryOf = async (approval: ApprovalRecord): Promise<PlanSummary | undefined> => {
    const record = await deps.store.getPlan(approval.runId, approval.planId);
    if (!record) return undefined;
    if (!inScope(scope, record.plan.accountId)) {
      outOfScope++;
      return undefined;
    }
    const key = `${record.runId}\u0000${record.plan.accountId}`;
    if (!findingsOf.has(key)) findingsOf.set(key, deps.store.listFindings(record.runId, record.plan.accountId));
    if (!namesOf.has(record.runId)) namesOf.set(record.runId, accountNames(deps, record.runId));
    const mine = ((await findingsOf.get(key)) ?? []).filter((f) => record.plan.findingIds.includes(f.id));
    const name = (await namesOf.get(record.runId))?.get(record.plan.accountId);
    return summarize(record, approval, mine, name, approvalsNeededOf(deps, record));
  };
  const summaries: PlanSummary[] = [];
  for (let i = 0; i < approvals.length; i += READS_AT_ONCE) {
    for (const s of await Promise.all(approvals.slice(i, i + READS_AT_ONCE).map(summaryOf))) if (s) summaries.push(s);
  }
  return {
    groups: groupPending(summaries),
    ...(page.cursor ? { cursor: page.cursor } : {}),
    ...(outOfScope > 0 ? { outOfScope } : {}),
  };
}

/** How many distinct approvers the plan needs (2 when the second-approval rule covers its risk or action). */
export function approvalsNeededOf(deps: Pick<ApiDeps, 'secondApproval'>, record: PlanRecord): number {
  return deps.secondApproval
    ? approvalsNeeded(deps.secondApproval, { action: record.plan.action, risk: record.plan.risk.level })
    : 1;
}

/** Every pending plan (all pages), grouped by account and cluster. */
export async function listPending(deps: ApiDeps, caller: Caller): Promise<PendingGroup[]> {
  const summaries: PlanSummary[] = [];
  await eachPage(
    (cursor) => pagePending(deps, caller, { limit: 500, ...(cursor ? { cursor } : {}) }),
    (page) => {
      for (const g of page.groups) summaries.push(...g.plans);
    },
  );
  return groupPending(summaries);
}

/** Reads pages until the last, handing each to `use`. */
async function eachPage<P extends { readonly cursor?: string }>(
  read: (cursor?: string) => Promise<P>,
  use: (page: P) => void,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    use(page);
    cursor = page.cursor;
  } while (cursor);
}

export async function showPlan(deps: ApiDeps, caller: Caller, runId: string, planId: string): Promise<PlanDetail> {
  const scope = await scopeOf(deps, caller);
  const record = await deps.store.getPlan(runId, planId);
  if (!record) throw new PlanNotFoundError(`plan ${planId} of run ${runId} not found (it may have aged out)`);
  requireInScope(scope, caller, record.plan.accountId, 'see plans');
  const wanted = new Set(record.plan.findingIds);
  // The plan's account's findings (a key range); the whole run only for findings stored before they were keyed by
  // account.
  let findings = (await deps.store.listFindings(runId, record.plan.accountId)).filter((f) => wanted.has(f.id));
  if (findings.length < wanted.size) findings = (await deps.store.listFindings(runId)).filter((f) => wanted.has(f.id));
  // The hash of exactly what this view shows: an approval carrying it is refused if the stored content differs.
  const contentHash = planContentHash(record.plan, findings);
  await recordOpening(deps, caller.id, { runId, planId, contentHash });
  const approval = await deps.store.getApproval(runId, planId);
  const change = record.changeId ? await changeView(deps, record.changeId) : undefined;
  return {
    runId,
    planId,
    status: record.status,
    ...(record.detail ? { detail: record.detail } : {}),
    contentHash,
    plan: record.plan,
    findings,
    ...(approval ? { approval: withoutToken(approval) } : {}),
    approvalsNeeded: approvalsNeededOf(deps, record),
    ...(change ? { change } : {}),
  };
}

export interface DecisionRequest {
  readonly runId: string;
  readonly planId: string;
  readonly decision: 'approved' | 'rejected';
  /** The content hash the person reviewed: required, so an approval binds to exactly what was shown. */
  readonly contentHash: string;
  readonly comment?: string;
}

/**
 * Records the decision as pending delivery and returns it; the deliverer hands it to the workflow. The same decision
 * by the same person again returns the recorded one (and starts delivery again if it is still pending).
 */
export async function decide(deps: ApiDeps, caller: Caller, request: DecisionRequest): Promise<ApprovalView> {
  const scope = await scopeOf(deps, caller);
  const record = await deps.store.getPlan(request.runId, request.planId);
  if (!record) {
    throw new PlanNotFoundError(`plan ${request.planId} of run ${request.runId} not found (it may have aged out)`);
  }
  requireInScope(
    scope,
    caller,
    record.plan.accountId,
    `${request.decision === 'approved' ? 'approve' : 'reject'} plans`,
  );
  await requireOpened(deps, caller.id, request);
  if (request.decision === 'approved') await refuseSelfApproval(deps, caller, request);
  const comment = cleanComment(request.comment);
  const { approval } = await recordDecision(deps, {
    approvalsNeeded: approvalsNeededOf(deps, record),
    runId: request.runId,
    planId: request.planId,
    decision: request.decision,
    by: caller.id,
    contentHash: request.contentHash,
    ...(comment ? { comment } : {}),
  });
  if (approval.delivery === 'pending' && deps.dispatch) {
    await deps.dispatch.decisionRecorded(request.runId, request.planId);
    const now = await deps.store.getApproval(request.runId, request.planId);
    return withoutToken(now ?? approval);
  }
  return withoutToken(approval);
}

/** The person whose action started the run (when known) may not approve its plans. */
async function refuseSelfApproval(deps: ApiDeps, caller: Caller, request: DecisionRequest): Promise<void> {
  const requester = (await deps.store.getRun(request.runId))?.requestedBy;
  if (requester && isSamePerson(caller.id, requester)) {
    throw new ForbiddenError(
      `${caller.id} requested run ${request.runId} (as ${requester}) and may not approve its plans; ask another approver`,
    );
  }
}

/** A page of applied changes, newest first; `cursor` continues the history. */
export interface ChangesPage {
  readonly changes: ChangeView[];
  readonly cursor?: string;
  /** Changes of this page left out because their account is outside the caller's scope. */
  readonly outOfScope?: number;
}

/**
 * One page of the history, newest first (the audit table's index by time, not a scan): the applied changes among
 * `limit` completed records, each with its rollback and its latest rollback request (read by key). Records that are
 * not changes (a rollback, an attempt closed as not applied, a drift found) take a place on the page but are not
 * listed, so a page may hold fewer than `limit` changes.
 */
export async function pageChanges(deps: ApiDeps, caller: Caller, request: PageRequest = {}): Promise<ChangesPage> {
  const scope = await scopeOf(deps, caller);
  const page = await deps.store.pageAudit(request);
  const changed = page.items.filter((r) => r.kind === 'apply' && (r.outcome ?? 'applied') === 'applied');
  const applied = changed.filter((r) => inScope(scope, r.accountId));
  const outOfScope = changed.length - applied.length;
  const changes: ChangeView[] = [];
  for (let i = 0; i < applied.length; i += READS_AT_ONCE) {
    changes.push(...(await Promise.all(applied.slice(i, i + READS_AT_ONCE).map((c) => withRollback(deps, c)))));
  }
  return { changes, ...(page.cursor ? { cursor: page.cursor } : {}), ...(outOfScope > 0 ? { outOfScope } : {}) };
}

async function withRollback(deps: ApiDeps, change: AuditRecord): Promise<ChangeView> {
  const [rolledBack, rollbackRequest, plan] = await Promise.all([
    rolledBackBy(deps, change.changeId),
    deps.store.getRollbackRequest(change.changeId),
    deps.store.getPlan(change.runId, change.planId),
  ]);
  return {
    change,
    ...(rolledBack ? { rolledBackBy: rolledBack } : {}),
    ...(rollbackRequest ? { rollbackRequest } : {}),
    ...(plan ? { planStatus: plan.status } : {}),
  };
}

/** Every applied change (all pages), newest first, each with its rollback when there was one. */
export async function listChanges(deps: ApiDeps, caller: Caller): Promise<ChangeView[]> {
  const changes: ChangeView[] = [];
  await eachPage(
    (cursor) => pageChanges(deps, caller, { limit: 500, ...(cursor ? { cursor } : {}) }),
    (page) => changes.push(...page.changes),
  );
  return changes;
}

// ---- the mutelist -----------------------------------------------------------------------------------------------

/** How far ahead a suppression may expire: every entry of the mutelist ends, and is looked at again. */
export const MAX_SUPPRESSION_DAYS = 366;

/** Rejected plans still remembered (not proposed again until they expire or their content changes), newest first. */
export async function listRejections(
  deps: ApiDeps,
  caller: Caller,
  request: PageRequest = {},
): Promise<ScopedPage<RejectionRecord>> {
  const scope = await scopeOf(deps, caller);
  return keepInScope(await deps.store.pageRejections(request), (r) => inScope(scope, r.accountId));
}

/** A page of a listing with what the caller's scope left out of it. */
export type ScopedPage<T> = Page<T> & { readonly outOfScope?: number };

function keepInScope<T>(page: Page<T>, keep: (item: T) => boolean): ScopedPage<T> {
  const items = page.items.filter(keep);
  const outOfScope = page.items.length - items.length;
  return { items, ...(page.cursor ? { cursor: page.cursor } : {}), ...(outOfScope > 0 ? { outOfScope } : {}) };
}

/** Approval requests that ended without a decision (timed out), newest first. */
export async function listTimeouts(
  deps: ApiDeps,
  caller: Caller,
  request: PageRequest = {},
): Promise<ScopedPage<TimeoutRecord>> {
  const scope = await scopeOf(deps, caller);
  return keepInScope(await deps.store.pageTimeouts(request), (t) => inScope(scope, t.accountId));
}

/** Suppressions not expired, newest first. */
export async function listSuppressions(
  deps: ApiDeps,
  caller: Caller,
  request: PageRequest = {},
): Promise<ScopedPage<Suppression>> {
  const scope = await scopeOf(deps, caller);
  // A mute with no account applies everywhere: every approver sees it (only an all-accounts approver changes it).
  return keepInScope(await deps.store.listSuppressions(request), (s) => !s.accountId || inScope(scope, s.accountId));
}

/** A mute of one account needs that account in scope; a mute of every account needs an all-accounts approver. */
function requireMuteScope(scope: AccountScope, caller: Caller, accountId: string | undefined, what: string): void {
  if (accountId) requireInScope(scope, caller, accountId, what);
  else if (!scope.all) {
    throw new ForbiddenError(
      `${caller.id} may not ${what} for every account: their groups (${caller.groups.join(', ') || 'none'}) approve in ${describeScope(scope)} only; name an account`,
    );
  }
}

/**
 * Adds a suppression (a validated body: what it matches, why, until when), recorded as the caller's. Findings it
 * matches are recorded as suppressed by the next analysis, not planned.
 */
export async function addSuppression(deps: ApiDeps, caller: Caller, body: ApiSuppressionBody): Promise<Suppression> {
  requireMuteScope(await scopeOf(deps, caller), caller, body.accountId, 'add mutes');
  const now = deps.now();
  const expires = Date.parse(body.expiresAt);
  const latest = now.getTime() + MAX_SUPPRESSION_DAYS * 86_400_000;
  const problems = [
    ...(body.reason.trim() === '' ? ['$.reason: must say why'] : []),
    ...(Number.isNaN(expires) ? ['$.expiresAt: not a time'] : []),
    ...(expires <= now.getTime() ? ['$.expiresAt: must be in the future'] : []),
    ...(expires > latest ? [`$.expiresAt: must be within ${MAX_SUPPRESSION_DAYS} days`] : []),
  ];
  if (problems.length > 0) throw new InvalidPayloadError(`suppression: ${problems.join('; ')}`, problems);
  const suppression: Suppression = {
    id: randomUUID(),
    ...(body.ruleId ? { ruleId: body.ruleId } : {}),
    ...(body.accountId ? { accountId: body.accountId } : {}),
    ...(body.resource ? { resource: body.resource } : {}),
    ...(body.cluster ? { cluster: body.cluster } : {}),
    ...(body.namespace ? { namespace: body.namespace } : {}),
    reason: body.reason.trim(),
    createdBy: caller.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(expires).toISOString(),
  };
  await deps.store.putSuppression(suppression);
  return suppression;
}

/** Removes a suppression; SuppressionNotFoundError (404) when there is none of that id. */
export async function removeSuppression(deps: ApiDeps, caller: Caller, id: string): Promise<{ removed: string }> {
  const scope = await scopeOf(deps, caller);
  const suppression = await deps.store.getSuppression(id);
  if (!suppression) throw new SuppressionNotFoundError(`no suppression ${id}`);
  requireMuteScope(scope, caller, suppression.accountId, 'remove mutes');
  if (!(await deps.store.deleteSuppression(id))) throw new SuppressionNotFoundError(`no suppression ${id}`);
  // Who removed it, and what: the mute's item is gone, the log keeps it.
  deps.audit?.('suppression removed', { removedBy: caller.id, at: deps.now().toISOString(), suppression });
  return { removed: id };
}

export { rollbackIdOf };

/** The rollback request of a change, and the change with its rollback when there was one. */
export interface RollbackStatus {
  readonly request?: RollbackRequest;
  readonly change: ChangeView;
}

/**
 * Records a request to roll a change back, as pending, and returns it: the rollback step (the hub writer role)
 * performs it. Refused at once when the change is unknown (404), is not an applied change, or was rolled back
 * already (409); every other guard runs in the step. Asking again while a request is pending starts the step again;
 * a refused or failed request may be made again.
 */
export async function requestRollback(
  deps: ApiDeps,
  caller: Caller,
  changeId: string,
  requestComment?: string,
): Promise<RollbackStatus> {
  const scope = await scopeOf(deps, caller);
  const comment = cleanComment(requestComment);
  const change = await deps.store.getAudit(changeId);
  if (!change) throw new ChangeNotFoundError(`no applied change ${changeId} in the audit log`);
  requireInScope(scope, caller, change.accountId, 'roll changes back');
  if (change.kind !== 'apply') {
    throw new RollbackRefusedError(
      `${changeId} is a rollback record; only applied changes are rolled back`,
      changeId,
      'not-reversible',
    );
  }
  const previous = await rolledBackBy(deps, changeId);
  if (previous) {
    throw new RollbackRefusedError(
      `change ${changeId} was already rolled back by ${previous.approvedBy} at ${previous.appliedAt}`,
      changeId,
      'already-rolled-back',
    );
  }
  const at = deps.now().toISOString();
  const { created, request } = await deps.store.putRollbackRequest({
    changeId,
    requestedBy: caller.id,
    requestedAt: at,
    ...(comment ? { comment } : {}),
    status: 'pending',
    updatedAt: at,
  });
  // Still pending (the step never started, or is about to): touch it, so the stream starts the step again.
  if (!created && request.status === 'pending') await deps.store.updateRollbackRequest(changeId, {}, ['pending']);
  if (request.status === 'pending' && deps.dispatch) await deps.dispatch.rollbackRequested(changeId);
  return rollbackStatus(deps, caller, changeId);
}

export async function rollbackStatus(deps: ApiDeps, caller: Caller, changeId: string): Promise<RollbackStatus> {
  const scope = await scopeOf(deps, caller);
  const view = await changeView(deps, changeId);
  if (!view) throw new ChangeNotFoundError(`no applied change ${changeId} in the audit log`);
  requireInScope(scope, caller, view.change.accountId, 'see changes');
  const request = await deps.store.getRollbackRequest(changeId);
  return { ...(request ? { request } : {}), change: view };
}

/** Errors with which the rollback's guards refuse (nothing written): the request ends `refused`, not `failed`. */
const ROLLBACK_REFUSALS = new Set([
  'RollbackRefusedError',
  'ChangeNotFoundError',
  'StalePlanError',
  'ConcurrentEditError',
  'PlanChangedError',
]);

/**
 * The rollback step: performs a pending (or, after a crash, running) request with the existing rollback, as the
 * person who asked for it, and records how it ended. Anything else (done, refused, failed, unknown) is left alone,
 * so a redelivered stream record does nothing.
 */
export async function runRollbackRequest(deps: ConsoleDeps, changeId: string): Promise<RollbackRequest | undefined> {
  const request = await deps.store.getRollbackRequest(changeId);
  if (!request || (request.status !== 'pending' && request.status !== 'running')) return request;
  if (!(await deps.store.updateRollbackRequest(changeId, { status: 'running' }, ['pending', 'running']))) {
    return deps.store.getRollbackRequest(changeId);
  }
  try {
    const view = await rollback(
      deps,
      { id: request.requestedBy, groups: [deps.approversGroup] },
      changeId,
      request.comment,
    );
    await deps.store.updateRollbackRequest(
      changeId,
      { status: 'done', ...(view.rolledBackBy ? { rollbackId: view.rolledBackBy.changeId } : {}) },
      ['running'],
    );
  } catch (err) {
    if (!(await recordRollbackError(deps, changeId, request, err))) throw err;
  }
  return deps.store.getRollbackRequest(changeId);
}

/**
 * Records how a rollback attempt that threw ended: done (see below), refused (a guard said no, nothing written) or
 * failed. False when it failed, so the caller rethrows the error and the step is retried.
 */
async function recordRollbackError(
  deps: ConsoleDeps,
  changeId: string,
  request: RollbackRequest,
  err: unknown,
): Promise<boolean> {
  const e = err as Error & { reason?: string };
  // A crashed attempt of this request wrote, and the audit reconciler has since completed its record (as this
  // person's rollback): the request is done, not refused.
  const finished = e?.reason === 'already-rolled-back' ? await rolledBackBy(deps, changeId) : undefined;
  if (finished && finished.approvedBy === request.requestedBy) {
    await deps.store.updateRollbackRequest(changeId, { status: 'done', rollbackId: finished.changeId }, ['running']);
    return true;
  }
  const refused = ROLLBACK_REFUSALS.has(e?.name ?? '');
  await deps.store.updateRollbackRequest(
    changeId,
    {
      status: refused ? 'refused' : 'failed',
      error: {
        name: e?.name ?? 'Error',
        message: (e?.message ?? String(err)).slice(0, 2000),
        ...(e?.reason ? { reason: e.reason } : {}),
      },
    },
    ['running'],
  );
  return refused;
}

/**
 * How long a rollback request may stay pending or running before the reconciler performs it again: longer than the
 * rollback step's stream-started attempts (a 2-minute timeout, the first attempt and 2 retries, with backoff), so
 * the reconciler never races a step that is still trying.
 */
export const ROLLBACK_RECONCILE_AFTER_MS = 15 * 60_000;

export interface RollbackReconcileReport {
  /** Requests pending or running for longer than the threshold, which this round performed again. */
  readonly stuck: number;
  /** How each ended (done, refused, failed, or the status another run left it in). */
  readonly outcomes: Record<string, number>;
  readonly failed: readonly { readonly changeId: string; readonly error: string }[];
}

/**
 * The rollback reconciler (on a schedule): performs again each request still pending or running (its step never
 * ran, or crashed) whose last update is older than `olderThanMs`. Safe to repeat: runRollbackRequest re-reads the
 * request and leaves a finished one alone, and the rollback is write-ahead audited (the intent is the lock, and a
 * retry by the same person completes an interrupted write from what the resource holds instead of writing again).
 */
export async function reconcileRollbacks(
  deps: ConsoleDeps,
  olderThanMs = ROLLBACK_RECONCILE_AFTER_MS,
): Promise<RollbackReconcileReport> {
  const cutoff = deps.now().getTime() - olderThanMs;
  const stuck = (await deps.store.listOpenRollbackRequests()).filter((r) => Date.parse(r.updatedAt) <= cutoff);
  const outcomes: Record<string, number> = {};
  const failed: { changeId: string; error: string }[] = [];
  for (const r of stuck) {
    try {
      const after = await runRollbackRequest(deps, r.changeId);
      const status = after?.status ?? 'gone';
      outcomes[status] = (outcomes[status] ?? 0) + 1;
    } catch (err) {
      failed.push({ changeId: r.changeId, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return { stuck: stuck.length, outcomes, failed };
}

/**
 * Restores the document an applied change replaced (write-ahead audited: lambdas/workflow/write-ahead.ts). Refused
 * (nothing written) when the change was rolled back already or someone else is rolling it back (naming them), when
 * an applied change of any run depends on it (roll that back first), or when the resource no longer holds what the
 * change wrote. Audited as a change of kind 'rollback'.
 */
export async function rollback(
  deps: ConsoleDeps,
  caller: Caller,
  changeId: string,
  requestComment?: string,
): Promise<ChangeView> {
  authorize(deps, caller);
  const comment = cleanComment(requestComment);
  const { change, record, status } = await rollbackWithAudit(deps, caller.id, changeId, comment);
  if (await deps.store.getPlan(change.runId, change.planId)) {
    await deps.store.updatePlan(change.runId, change.planId, {
      status: 'rolled-back',
      detail: `rolled back by ${record.approvedBy} at ${record.appliedAt}`,
    });
  }
  await deps.events.publish([
    {
      detailType: 'IRSA Doctor Change Rolled Back',
      detail: {
        changeId,
        rollbackId: record.changeId,
        runId: change.runId,
        planId: change.planId,
        action: change.action,
        resourceArn: change.resourceArn,
        rolledBackBy: record.approvedBy,
        status,
      },
    },
  ]);
  return { change, rolledBackBy: record };
}

async function changeView(deps: ApiDeps, changeId: string): Promise<ChangeView | undefined> {
  const change = await deps.store.getAudit(changeId);
  if (!change) return undefined;
  const rolledBack = await rolledBackBy(deps, changeId);
  return rolledBack ? { change, rolledBackBy: rolledBack } : { change };
}

/** The names of a run's accounts (from its account summaries), where the collector knew them. */
async function accountNames(deps: ApiDeps, runId: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const s of await deps.store.listAccountSummaries(runId)) if (s.name) names.set(s.accountId, s.name);
  return names;
}

/**
 * A pending plan as the list shows it: its findings' highest severity and first title (the plan's rationale stands
 * in when the run's findings have aged out: severity unknown), and the account's name where known.
 */
function summarize(
  record: PlanRecord,
  approval: ApprovalRecord,
  findings: readonly Finding[],
  accountName: string | undefined,
  needed: number,
): PlanSummary {
  const p = record.plan;
  const severity = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0]?.severity;
  return {
    runId: record.runId,
    planId: record.planId,
    accountId: p.accountId,
    ...(accountName ? { accountName } : {}),
    ...(severity ? { severity } : {}),
    ...(p.cluster ? { cluster: p.cluster } : {}),
    ...(p.region ? { region: p.region } : {}),
    action: p.action,
    resourceArn: p.resourceArn,
    ruleIds: p.ruleIds,
    risk: p.risk.level,
    title: findings[0]?.title ?? p.rationale,
    status: record.status,
    contentHash: record.contentHash,
    requestedAt: approval.requestedAt,
    expiresAt: approval.expiresAt,
    ...(needed > 1 ? { approvalsNeeded: needed, approvedBy: (approval.approvals ?? []).map((a) => a.by) } : {}),
  };
}

function withoutToken(approval: ApprovalRecord): ApprovalView {
  const { taskToken: _secret, ...view } = approval;
  return view;
}

function cleanComment(comment: string | undefined): string | undefined {
  const text = comment?.trim();
  if (!text) return undefined;
  return text.length > MAX_COMMENT ? text.slice(0, MAX_COMMENT) : text;
}
