/**
 * The run-level steps of the sweep: start (targets to an S3 manifest, dedupe), wait for a new cluster, collect one
 * account, build the run's issuer index, analyze and plan one account against it, and the run's one digest. Each
 * takes validated input and the dependencies (ports only).
 */

import { createHash } from 'node:crypto';
import { type FindingTransition, findingTransitions, planConsoleLink, toAsff } from '../domain/asff';
import {
  focusOf,
  issuerAccount,
  issuerEntry,
  planAccount,
  pruneFor,
  relatedAccounts,
  shardSnapshot,
} from '../domain/estate-shard';
import { type Finding, type FindingSuppression, SEVERITIES, type Severity } from '../domain/finding';
import { defaultRegionsOf } from '../domain/partitions';
import type { Plan } from '../domain/plan/plan-model';
import { type AccountSnapshot, type EstateSnapshot, unreachableAccount } from '../domain/snapshot';
import { applySuppressions, suppresses } from '../domain/suppressions';
import type { IssuerIndex, ManifestLocation } from '../ports/snapshot-store';
import type { AccountRunSummary, PlanRecord, Suppression } from '../ports/state-store';
import { mapLimit } from '../shared/concurrency';
import type {
  AnalyzeAccountInput,
  BuildIndexInput,
  CheckClusterInput,
  CollectAccountInput,
  ReportInput,
  RunContext,
  StartRunInput,
} from '../shared/contracts';
import { RunDataMissingError } from '../shared/errors';
import { recordApprovalGauges } from './approval-gauges';
import type { WorkflowDeps } from './deps';
import { remediationExecutionName } from './plan-steps';
import { type DigestCounts, runDigest } from './run-digest';

/** How long a cluster trigger's idempotency key is held: a second CreateCluster event within it is a duplicate. */
export const TRIGGER_TTL_SECONDS = 24 * 3600;

export async function startRun(deps: WorkflowDeps, event: StartRunInput): Promise<RunContext> {
  const input = event.input;
  const mode = input.mode ?? 'sweep';
  const runId = event.executionName;
  const dryRun = input.dryRun === true;
  const base = {
    runId,
    executionId: event.executionId,
    mode,
    trigger: input.trigger ?? 'manual',
    dryRun,
    startedAt: event.startedAt,
    ...(input.cluster ? { cluster: input.cluster } : {}),
    // The person who caused the run, when known: they may not approve its plans (approver-actions).
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
  };
  const context = {
    runId,
    mode,
    dryRun,
    ...(input.cluster ? { cluster: input.cluster } : {}),
    clusterCheck: { attempt: 0 },
  };
  const cluster = mode === 'cluster' ? input.cluster : undefined;
  if (cluster) {
    const heldBy = await duplicateTriggerOf(deps, cluster, runId);
    if (heldBy !== undefined) {
      await deps.store.putRun({
        ...base,
        targets: [],
        regions: [],
        status: 'duplicate',
        summary: { duplicateOf: heldBy },
      });
      const targetsManifest = await deps.snapshots.putManifest(runId, TARGETS_MANIFEST, []);
      return { ...context, duplicate: true, regions: [], accounts: 0, targetsManifest };
    }
  }
  const regions = cluster
    ? [cluster.region]
    : (input.regions ?? (deps.env.regions.length > 0 ? deps.env.regions : defaultRegionsOf(deps.env.partition)));
  const targets = cluster ? [{ accountId: cluster.accountId }] : await sweepTargets(deps, input.accounts);
  // The manifest before the run record: a run that says `running` always has its targets where the map reads them.
  const targetsManifest = await deps.snapshots.putManifest(
    runId,
    TARGETS_MANIFEST,
    targets.map((t) => ({ accountId: t.accountId, ...(t.name !== undefined ? { name: t.name } : {}) })),
  );
  // Where each account sits in the organization, for OU-scoped approvers (the approval API reads it by key).
  const placed = targets.flatMap((t) =>
    'ouPath' in t && t.ouPath ? [{ accountId: t.accountId, ouPath: t.ouPath }] : [],
  );
  if (placed.length > 0) await deps.store.putAccountDirectory(placed);
  await deps.store.putRun({
    ...base,
    targets: targets.map((t) => t.accountId),
    regions: [...regions],
    status: 'running',
  });
  return { ...context, duplicate: false, regions: [...regions], accounts: targets.length, targetsManifest };
}

/** Manifests a run writes: the accounts to collect, then the accounts to analyze. */
export const TARGETS_MANIFEST = 'targets';
export const ACCOUNTS_MANIFEST = 'accounts';

/** Claims the cluster's trigger for this run; the run that already holds it when this one is a duplicate. */
async function duplicateTriggerOf(
  deps: WorkflowDeps,
  cluster: { readonly accountId: string; readonly region: string; readonly name: string },
  runId: string,
): Promise<string | undefined> {
  const claim = await deps.store.claimTrigger(
    `cluster#${cluster.accountId}#${cluster.region}#${cluster.name}`,
    runId,
    TRIGGER_TTL_SECONDS,
  );
  return claim.claimed ? undefined : (claim.heldBy ?? 'unknown');
}

/** A sweep's accounts: the ones the run names, else the configured accounts, organization and OUs. */
function sweepTargets(deps: WorkflowDeps, accounts: readonly string[] | undefined) {
  return deps.estate.resolveTargets({
    accounts: accounts ?? deps.env.accounts,
    organization: accounts ? false : deps.env.organization,
    organizationalUnits: accounts ? [] : deps.env.organizationalUnits,
    exclude: deps.env.excludeAccounts,
  });
}

export async function checkCluster(
  deps: WorkflowDeps,
  input: CheckClusterInput,
): Promise<{ attempt: number; status: string; ready: boolean; giveUp: boolean; reason?: string }> {
  const attempt = input.attempt + 1;
  const { accountId, region, name } = input.cluster;
  const status = await deps.estate.clusterStatus(input.cluster);
  if (status === 'NOT_FOUND') {
    return {
      attempt,
      status,
      ready: false,
      giveUp: true,
      reason: `cluster ${name} not found in ${accountId} ${region}`,
    };
  }
  if (status === 'ACTIVE') return { attempt, status, ready: true, giveUp: false };
  if (status === 'FAILED' || status === 'DELETING') {
    return { attempt, status, ready: false, giveUp: true, reason: `cluster ${name} is ${status}` };
  }
  if (attempt >= deps.env.clusterWaitAttempts) {
    return {
      attempt,
      status,
      ready: false,
      giveUp: true,
      reason: `cluster ${name} still ${status} after ${attempt} checks`,
    };
  }
  return { attempt, status, ready: false, giveUp: false };
}

export async function collectAccountStep(deps: WorkflowDeps, input: CollectAccountInput) {
  const account = await deps.estate.collectAccount(input.target, input.regions);
  await deps.snapshots.putAccount(input.runId, account);
  // What the issuer index takes of it (build-index reads it back from the snapshot: the map's results are not kept).
  const entry = issuerEntry(account);
  return {
    accountId: account.accountId,
    status: account.collection?.status ?? 'complete',
    clusters: account.clusters.length,
    oidcProviders: account.oidcProviders.length,
    roles: account.roles.length,
    refersTo: entry.refersTo?.length ?? 0,
  };
}

/**
 * SHA-256 of everything an approver is shown about a plan (the console's plan view, `irsa-doctor approvals show`):
 * the whole plan (action, resource, before and after, diff, rationale, risk and its notes, the proof with its
 * summary and witnesses, propose-only reason, owner, dependencies) and the findings it fixes (title, message, the
 * error pods see, evidence). Canonical JSON (keys sorted), so the hash does not depend on how a record was stored.
 * An approval binds to it: any change to what was shown makes the hash differ, and the decision is refused.
 */
export function planContentHash(plan: Plan, findings: readonly Finding[] = []): string {
  const wanted = new Set(plan.findingIds);
  const shown = findings
    .filter((f) => wanted.has(f.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    // When the workflow first saw a finding is bookkeeping, not what the approver reviews: not in the hash.
    .map(({ firstSeenAt: _seen, ...shownFields }) => shownFields);
  return createHash('sha256')
    .update(canonicalJson({ version: 2, plan, findings: shown }))
    .digest('hex');
}

/** JSON with object keys in code-point order at every level (undefined members dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Dependency depth: providers (wave 0) before the trust policies that name them (wave 1), and so on. */
function waves(plans: readonly Plan[]): Map<string, number> {
  const byId = new Map(plans.map((p) => [p.id, p]));
  const depth = new Map<string, number>();
  const visit = (p: Plan, seen: Set<string>): number => {
    const known = depth.get(p.id);
    if (known !== undefined) return known;
    if (seen.has(p.id)) return 0; // a cycle cannot come from the planner; break it rather than loop
    seen.add(p.id);
    let d = 0;
    for (const dep of p.dependsOn) {
      const q = byId.get(dep);
      if (q) d = Math.max(d, visit(q, seen) + 1);
    }
    depth.set(p.id, d);
    return d;
  };
  for (const p of plans) visit(p, new Set());
  return depth;
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** How many accounts build-index reads at once (each read is one account's snapshot, dropped once indexed). */
export const INDEX_READ_CONCURRENCY = 16;

/**
 * After collection: reads what each account's collection left, writes the run's issuer index (every account's
 * clusters and providers, and which accounts each one's workloads name) and the manifest of accounts the analysis
 * Distributed Map reads. An account whose collection step failed outright left no snapshot: it is indexed as
 * unreachable (its analysis reports it so, never as healthy).
 */
export async function buildIssuerIndex(
  deps: WorkflowDeps,
  input: BuildIndexInput,
): Promise<{ manifest: ManifestLocation; accounts: number; unreachable: number }> {
  const run = await deps.store.getRun(input.runId);
  if (!run) throw new RunDataMissingError(`run ${input.runId} not found: build-index runs after start-run`);
  const ids = [...new Set(run.targets)].sort();
  const entries = await mapLimit(ids, INDEX_READ_CONCURRENCY, async (accountId) => {
    const account = await deps.snapshots.getAccount(input.runId, accountId);
    return issuerEntry(account ?? collectionFailed(accountId));
  });
  await deps.snapshots.putIndex(input.runId, { partition: deps.env.partition, accounts: entries });
  const manifest = await deps.snapshots.putManifest(
    input.runId,
    ACCOUNTS_MANIFEST,
    entries.map((e) => ({ accountId: e.accountId, ...(e.name !== undefined ? { name: e.name } : {}) })),
  );
  const unreachable = entries.filter((e) => e.collection?.status === 'unreachable').length;
  return { manifest, accounts: entries.length, unreachable };
}

function collectionFailed(accountId: string, name?: string): AccountSnapshot {
  return unreachableAccount(
    accountId,
    [
      {
        operation: 'collect-account',
        code: 'CollectionFailed',
        message: 'the collection step failed; see the execution history',
      },
    ],
    name,
  );
}

/** The account to analyze and the index (the account's entry when collection left no snapshot). */
async function loadAccount(deps: WorkflowDeps, runId: string, target: AnalyzeAccountInput['target']) {
  const index = await deps.snapshots.getIndex(runId);
  if (!index) throw new RunDataMissingError(`run ${runId} has no issuer index: analyze-account runs after build-index`);
  const entry = index.accounts.find((e) => e.accountId === target.accountId);
  const account =
    (await deps.snapshots.getAccount(runId, target.accountId)) ??
    (entry ? issuerAccount(entry) : collectionFailed(target.accountId, target.name));
  return { account, index };
}

/** The accounts the account shares workloads with (lambdas/domain/estate-shard.ts), read one at a time and pruned. */
async function relatedOf(
  deps: WorkflowDeps,
  runId: string,
  account: AccountSnapshot,
  index: IssuerIndex,
): Promise<Map<string, AccountSnapshot>> {
  const focus = focusOf(account);
  const related = new Map<string, AccountSnapshot>();
  for (const id of relatedAccounts(account, index.accounts)) {
    const other = await deps.snapshots.getAccount(runId, id);
    if (other) related.set(id, pruneFor(other, focus));
  }
  return related;
}

/**
 * The snapshot one account is analyzed on (lambdas/domain/estate-shard.ts): the account as given, the accounts it
 * shares workloads with, read one at a time and pruned for it, and the index's other accounts as their issuers.
 */
export async function accountShard(
  deps: WorkflowDeps,
  runId: string,
  account: AccountSnapshot,
  index: IssuerIndex,
): Promise<{ shard: EstateSnapshot }> {
  const related = await relatedOf(deps, runId, account, index);
  const listed = index.accounts.some((e) => e.accountId === account.accountId);
  const entries = listed ? index.accounts : [...index.accounts, issuerEntry(account)];
  return { shard: shardSnapshot(account, entries, related, index.partition ?? deps.env.partition) };
}

/** Live suppressions, every page (a mutelist is short). */
async function liveSuppressions(deps: WorkflowDeps): Promise<Suppression[]> {
  const out: Suppression[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const got = await deps.store.listSuppressions({ limit: 500, ...(cursor ? { cursor } : {}) });
    out.push(...got.items);
    cursor = got.cursor;
    if (!cursor) break;
  }
  return out;
}

/** The suppression of each suppressed finding, by finding id. */
function suppressionsOf(findings: readonly Finding[], suppressions: readonly Suppression[], now: Date) {
  const byId = new Map(suppressions.map((s) => [s.id, s]));
  const out = new Map<string, FindingSuppression>();
  for (const { finding, suppressionId } of applySuppressions(findings, suppressions, now).suppressed) {
    const s = byId.get(suppressionId);
    if (s) out.set(finding.id, { by: s.id, reason: s.reason, until: s.expiresAt });
  }
  return out;
}

/** Why a plan is not proposed in this run (decision memory), or undefined when it is. */
async function heldBack(
  deps: WorkflowDeps,
  runId: string,
  plan: Plan,
): Promise<{ kind: 'rejected' | 'elsewhere'; detail: string } | undefined> {
  const rejection = await deps.store.getRejection(plan.id);
  if (rejection && Date.parse(rejection.expiresAt) > deps.now().getTime()) {
    return {
      kind: 'rejected',
      detail: `not proposed: the same plan was rejected by ${rejection.rejectedBy} in run ${rejection.runId}${
        rejection.comment ? ` (${rejection.comment})` : ''
      }; remembered until ${rejection.expiresAt}`,
    };
  }
  // A propose-only plan waits for nobody (a person writes the change): it is shown again every run.
  const open = plan.applicable ? await deps.store.openPlanOf(plan.id) : undefined;
  if (open && open.runId !== runId) {
    return { kind: 'elsewhere', detail: `not proposed: the same plan is still ${open.status} in run ${open.runId}` };
  }
  return undefined;
}

interface Decided {
  readonly records: PlanRecord[];
  readonly start: string[];
  readonly rememberedRejections: number;
  readonly waitingElsewhere: number;
}

/**
 * The account's plan records: decision memory applied (a plan rejected and remembered, or open in an earlier run,
 * is recorded skipped with why, and so is each plan that depends on one held back); `dependents` named; the plans to
 * start now (applicable, proposed, no dependency in the run).
 */
async function decidePlans(
  deps: WorkflowDeps,
  runId: string,
  plans: readonly Plan[],
  findings: readonly Finding[],
): Promise<Decided> {
  const held = new Map<string, { kind: 'rejected' | 'elsewhere'; detail: string }>();
  for (const plan of plans) {
    const why = await heldBack(deps, runId, plan);
    if (why) held.set(plan.id, why);
  }
  const depth = waves(plans);
  const byId = new Map(plans.map((p) => [p.id, p]));
  // Held back by a dependency held back (or skipped in turn), in dependency order.
  const ordered = [...plans].sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0));
  const skipped = new Map<string, string>();
  for (const plan of ordered) {
    const why = held.get(plan.id)?.detail;
    if (why) {
      skipped.set(plan.id, why);
      continue;
    }
    const blocked = plan.dependsOn.find((d) => skipped.has(d));
    if (blocked) skipped.set(plan.id, `depends on plan ${blocked}, which is not proposed in this run`);
  }
  const now = deps.now().toISOString();
  const records = plans.map((plan): PlanRecord => {
    const dependents = plans.filter((p) => p.dependsOn.includes(plan.id)).map((p) => p.id);
    const detail =
      skipped.get(plan.id) ??
      (plan.applicable ? undefined : `propose-only: ${plan.proposeOnlyReason ?? 'needs a person'}`);
    return {
      runId,
      planId: plan.id,
      plan,
      contentHash: planContentHash(plan, findings),
      status: skipped.has(plan.id) ? 'skipped' : 'proposed',
      wave: depth.get(plan.id) ?? 0,
      updatedAt: now,
      ...(detail ? { detail } : {}),
      ...(dependents.length > 0 ? { dependents } : {}),
    };
  });
  const start = records
    .filter((r) => r.status === 'proposed' && r.plan.applicable && !r.plan.dependsOn.some((d) => byId.has(d)))
    .map((r) => r.planId);
  const kinds = [...held.values()].map((h) => h.kind);
  return {
    records,
    start,
    rememberedRejections: kinds.filter((k) => k === 'rejected').length,
    waitingElsewhere: kinds.filter((k) => k === 'elsewhere').length,
  };
}

type PreviousFindings = Awaited<ReturnType<WorkflowDeps['store']['latestAccountFindings']>>;

/** Findings new since the account's previous run, and those of the previous run gone in this one. */
function changesSince(previous: PreviousFindings, runId: string, open: readonly Finding[]) {
  // A retried step finds its own run's findings: nothing to compare against then.
  if (!previous || previous.runId === runId) return { newFindings: previous ? 0 : open.length, resolvedFindings: 0 };
  const before = new Set(previous.findings.filter((f) => !f.suppressed).map((f) => f.id));
  const now = new Set(open.map((f) => f.id));
  return {
    newFindings: open.filter((f) => !before.has(f.id)).length,
    resolvedFindings: [...before].filter((id) => !now.has(id)).length,
  };
}

/**
 * Each finding's life since the account's previous recorded findings (lambdas/domain/asff.ts), and this run's
 * findings with their first sighting. An account not read completely resolves nothing: a finding it did not
 * report may still be there. A retried step compares with its own run's findings: their first sightings stay.
 */
function lifeOf(previous: PreviousFindings, account: AccountSnapshot, recorded: readonly Finding[], now: string) {
  const complete = (account.collection?.status ?? 'complete') === 'complete';
  const transitions = findingTransitions(previous?.findings, recorded, now).filter(
    (t) => complete || t.life !== 'resolved',
  );
  const firstSeen = new Map(transitions.map((t) => [t.finding.id, t.firstSeenAt]));
  const stamped = recorded.map((f) => ({ ...f, firstSeenAt: firstSeen.get(f.id) ?? now }) as Finding);
  return { transitions, recorded: stamped };
}

/**
 * The account's findings into the hub's Security Hub (when it imports): every finding of the run and every one
 * resolved since the previous, each linked to the console page of the plan that fixes it.
 */
async function importFindings(
  deps: WorkflowDeps,
  runId: string,
  transitions: readonly FindingTransition[],
  plans: readonly PlanRecord[],
  now: string,
): Promise<number> {
  const region = deps.env.securityHubRegion;
  if (!deps.findingsHub || !region || transitions.length === 0) return 0;
  const consoleUrl = deps.env.consoleUrl;
  const planLinks = new Map<string, string>();
  if (consoleUrl) {
    for (const r of plans) {
      for (const id of r.plan.findingIds) planLinks.set(id, planConsoleLink(consoleUrl, runId, r.planId));
    }
  }
  const ctx = { partition: deps.env.partition, region, accountId: deps.env.hubAccountId, now, planLinks };
  const out = await deps.findingsHub.importFindings(transitions.map((t) => toAsff(t, ctx)));
  return out.imported;
}

/** An event per finding new in this run and per finding resolved since the previous. */
function lifeEvents(runId: string, accountId: string, transitions: readonly FindingTransition[]) {
  return transitions
    .filter((t) => t.life === 'new' || t.life === 'resolved')
    .map((t) => ({
      detailType: t.life === 'new' ? 'IRSA Doctor Finding New' : 'IRSA Doctor Finding Resolved',
      detail: {
        runId,
        accountId,
        findingId: t.finding.id,
        ruleId: t.finding.ruleId,
        firstSeenAt: t.firstSeenAt,
        finding: t.finding,
      },
    }));
}

/**
 * One account (a Distributed Map item): its snapshot against the run's issuer index (lambdas/domain/estate-shard.ts:
 * memory bounded by the account and the accounts it shares workloads with), analyzed and planned; suppressions and
 * decision memory applied; findings, plans and the account's summary written; an event per open finding; a
 * remediation execution started for each plan without a dependency.
 */
export async function analyzeAccount(
  deps: WorkflowDeps,
  input: AnalyzeAccountInput,
): Promise<{ accountId: string; findings: number; plans: number; started: number; imported?: number }> {
  const { runId, target } = input;
  const { account, index } = await loadAccount(deps, runId, target);
  const now = deps.now();
  const suppressions = await liveSuppressions(deps);
  const result = planAccount(account, index.accounts, await relatedOf(deps, runId, account, index), {
    allowWidening: deps.env.allowWidening,
    remediationScope: deps.env.remediationScope,
    partition: index.partition ?? deps.env.partition,
    skipPlanning: (f) => suppressions.some((s) => suppresses(s, f, now)),
  });
  const all = result.findings;
  const covered = suppressionsOf(all, suppressions, now);
  const marked = all.map((f) => {
    const by = covered.get(f.id);
    return by ? ({ ...f, suppressed: by } as Finding) : f;
  });
  const open = marked.filter((f) => !f.suppressed);
  const previous = await deps.store.latestAccountFindings(account.accountId);
  const changes = changesSince(previous, runId, open);
  const { transitions, recorded } = lifeOf(previous, account, marked, now.toISOString());
  const decided = await decidePlans(deps, runId, result.plans, result.planned);
  // Before the findings are recorded: a retried step still compares with the previous run, and imports again.
  const imported = await importFindings(deps, runId, transitions, decided.records, now.toISOString());
  await deps.store.putAccountFindings(runId, account.accountId, recorded);
  // Also under the run: approvals, apply and the console bind a plan to the findings it fixes from there.
  await deps.store.putFindings(runId, recorded);
  await putNewPlans(deps, decided.records);
  const started = await startRemediations(deps, runId, input.dryRun, decided.start);
  await deps.store.putAccountSummary(
    accountSummary(runId, account, open, recorded.length - open.length, changes, decided, started),
  );
  await deps.events.publish([
    ...open.map((f) => ({
      detailType: 'IRSA Doctor Finding',
      detail: { runId, accountId: account.accountId, finding: f },
    })),
    ...lifeEvents(runId, account.accountId, transitions),
  ]);
  return {
    accountId: account.accountId,
    findings: open.length,
    plans: decided.records.length,
    started,
    ...(deps.findingsHub ? { imported } : {}),
  };
}

/**
 * Writes the plan records a retried step has not written yet: a plan whose remediation already moved on (awaiting
 * approval, applied...) keeps its record.
 */
async function putNewPlans(deps: WorkflowDeps, records: readonly PlanRecord[]): Promise<void> {
  const fresh: PlanRecord[] = [];
  for (const r of records) if (!(await deps.store.getPlan(r.runId, r.planId))) fresh.push(r);
  if (fresh.length > 0) await deps.store.putPlans(fresh);
}

/** Starts each plan's remediation; returns how many run (started now, or by an earlier attempt of this step). */
async function startRemediations(deps: WorkflowDeps, runId: string, dryRun: boolean, planIds: readonly string[]) {
  for (const planId of planIds) {
    // Named by the plan: a retried step's second start is refused by Step Functions (started: false), harmlessly.
    await deps.remediations.start(remediationExecutionName(runId, planId), { runId, planId, dryRun });
  }
  return planIds.length;
}

function accountSummary(
  runId: string,
  account: AccountSnapshot,
  open: readonly Finding[],
  suppressed: number,
  changes: { newFindings: number; resolvedFindings: number },
  decided: Decided,
  started: number,
): AccountRunSummary {
  const bySeverity = countBy(open.map((f) => f.severity));
  const proposed = decided.records.filter((r) => r.status === 'proposed');
  return {
    runId,
    accountId: account.accountId,
    ...(account.name !== undefined ? { name: account.name } : {}),
    collection: account.collection?.status ?? 'complete',
    findings: open.length,
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity[s] ?? 0])) as Record<Severity, number>,
    ...changes,
    suppressed,
    plans: proposed.length,
    started,
    proposeOnly: proposed.filter((r) => !r.plan.applicable).length,
    rememberedRejections: decided.rememberedRejections,
    waitingElsewhere: decided.waitingElsewhere,
  };
}

/**
 * The run's one digest (after every account was analyzed): counts summed from the accounts' summaries, the accounts
 * that could not be read or whose analysis failed (no summary), console links; run status done; a 'IRSA Doctor Run
 * Completed' event. The sweep does not wait for approvals: plans wait in their own executions.
 */
export async function report(deps: WorkflowDeps, input: ReportInput) {
  const run = await deps.store.getRun(input.runId);
  const summaries = await deps.store.listAccountSummaries(input.runId);
  const digest = runDigest({
    runId: input.runId,
    dryRun: run?.dryRun === true,
    targets: run?.targets ?? [],
    summaries,
    ...(deps.env.consoleUrl ? { consoleUrl: deps.env.consoleUrl } : {}),
  });
  // finishedAt: the console's runs view shows the run's duration from it.
  await deps.store.updateRun(input.runId, {
    status: 'done',
    summary: { ...digest.counts, finishedAt: deps.now().toISOString() },
  });
  countRun(deps, digest.counts);
  await recordApprovalGauges(deps);
  await deps.notifier.publish(digest.subject, digest.text, digest.chat);
  await deps.events.publish([
    { detailType: 'IRSA Doctor Run Completed', detail: { runId: input.runId, summary: digest.counts } },
  ]);
  return digest.counts;
}

/** The sweep's metrics (lambdas/shared/metric-catalog.ts), from the digest's counts. */
function countRun(deps: WorkflowDeps, c: DigestCounts): void {
  deps.telemetry.count('AccountsSwept', c.analyzed);
  deps.telemetry.count('AccountsUnreachable', c.unreachable.length);
  deps.telemetry.count('AccountsFailed', c.failed.length);
  for (const severity of SEVERITIES) deps.telemetry.count('Findings', c.bySeverity[severity], { Severity: severity });
}
