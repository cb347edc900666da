/**
 * The run-level steps of the state machine: start (targets, dedupe), wait for a new cluster, collect one account,
 * analyze and plan the whole estate, report. Each takes validated input and the dependencies; no SDK types here
 * beyond what the adapters expose.
 */

import { createHash } from 'node:crypto';
import { type Finding, SEVERITIES, type Severity } from '../domain/finding';
import { planEstate } from '../domain/plan/plan-estate';
import type { Plan } from '../domain/plan/plan-model';
import { DEFAULT_REGIONS } from '../domain/regions';
import { type AccountSnapshot, type EstateSnapshot, unreachableAccount } from '../domain/snapshot';
import type { PlanRecord, PlanStatus } from '../ports/state-store';
import type {
  AnalyzeAccountInput,
  AnalyzePlanInput,
  BuildIndexInput,
  CheckClusterInput,
  CollectAccountInput,
  ReportInput,
  RunContext,
  StartRunInput,
} from '../shared/contracts';
import type { WorkflowDeps } from './deps';

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
      return { ...context, duplicate: true, regions: [], targets: [] };
    }
  }
  const regions = cluster
    ? [cluster.region]
    : (input.regions ?? (deps.env.regions.length > 0 ? deps.env.regions : DEFAULT_REGIONS));
  const targets = cluster ? [{ accountId: cluster.accountId }] : await sweepTargets(deps, input.accounts);
  await deps.store.putRun({
    ...base,
    targets: targets.map((t) => t.accountId),
    regions: [...regions],
    status: 'running',
  });
  return { ...context, duplicate: false, regions: [...regions], targets };
}

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
  return {
    accountId: account.accountId,
    status: account.collection?.status ?? 'complete',
    clusters: account.clusters.length,
    roles: account.roles.length,
  };
}

/** SHA-256 over what a plan changes: an approval is bound to it, and apply re-checks it. */
/**
 * SHA-256 of everything an approver is shown about a plan (the console's plan view, `irsa-doctor approvals show`):
 * the whole plan (action, resource, before and after, diff, rationale, risk and its notes, the proof with its
 * summary and witnesses, propose-only reason, owner, dependencies) and the findings it fixes (title, message, the
 * error pods see, evidence). Canonical JSON (keys sorted), so the hash does not depend on how a record was stored.
 * An approval binds to it: any change to what was shown makes the hash differ, and the decision is refused.
 */
export function planContentHash(plan: Plan, findings: readonly Finding[] = []): string {
  const wanted = new Set(plan.findingIds);
  const shown = findings.filter((f) => wanted.has(f.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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

export async function analyzeAndPlan(deps: WorkflowDeps, input: AnalyzePlanInput) {
  const collected = await deps.snapshots.getAccounts(input.runId);
  const seen = new Set(collected.map((a) => a.accountId));
  // An account whose collection step failed outright has no snapshot: it is reported unreachable, never healthy.
  const missing: AccountSnapshot[] = input.targets
    .filter((t) => !seen.has(t.accountId))
    .map((t) =>
      unreachableAccount(
        t.accountId,
        [
          {
            operation: 'collect-account',
            code: 'CollectionFailed',
            message: 'the collection step failed; see the execution history',
          },
        ],
        t.name,
      ),
    );
  const snapshot: EstateSnapshot = {
    schemaVersion: 1,
    partition: 'aws',
    generatedAt: deps.now().toISOString(),
    generator: 'irsa-doctor workflow',
    accounts: [...collected, ...missing].sort((a, b) => a.accountId.localeCompare(b.accountId)),
  };
  const result = planEstate(snapshot, {
    allowWidening: deps.env.allowWidening,
    remediationScope: deps.env.remediationScope,
  });
  const findings: Finding[] = [...result.analysis.findings, ...result.findings];
  await deps.store.putFindings(input.runId, findings);
  const depth = waves(result.plans);
  const now = deps.now().toISOString();
  const applicable = result.plans.filter((p) => p.applicable);
  const admitted = new Set(applicable.slice(0, deps.env.maxPlansPerRun).map((p) => p.id));
  const records: PlanRecord[] = result.plans.map((plan) => ({
    runId: input.runId,
    planId: plan.id,
    plan,
    contentHash: planContentHash(plan, findings),
    status: 'proposed' as PlanStatus,
    wave: depth.get(plan.id) ?? 0,
    updatedAt: now,
    ...(!plan.applicable
      ? { detail: `propose-only: ${plan.proposeOnlyReason ?? 'needs a person'}` }
      : !admitted.has(plan.id)
        ? { detail: `over this run's limit of ${deps.env.maxPlansPerRun} plans: proposed again by the next run` }
        : {}),
  }));
  await deps.store.putPlans(records);
  await deps.events.publish(
    findings.map((f) => ({ detailType: 'IRSA Doctor Finding', detail: { runId: input.runId, finding: f } })),
  );
  const byWave: Array<Array<{ planId: string }>> = [];
  for (const r of records) {
    if (!admitted.has(r.planId)) continue;
    const wave = byWave[r.wave] ?? [];
    wave.push({ planId: r.planId });
    byWave[r.wave] = wave;
  }
  const bySeverity = countBy(findings.map((f) => f.severity));
  const summary = {
    findings: findings.length,
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity[s] ?? 0])) as Record<Severity, number>,
    plans: result.plans.length,
    applicable: applicable.length,
    admitted: admitted.size,
    proposeOnly: result.plans.length - applicable.length,
    accounts: snapshot.accounts.length,
    unreachable: snapshot.accounts.filter((a) => a.collection?.status === 'unreachable').length,
    partial: snapshot.accounts.filter((a) => a.collection?.status === 'partial').length,
  };
  await deps.store.updateRun(input.runId, { summary: { analysis: summary } });
  return { summary, waves: byWave.filter((w) => w && w.length > 0) };
}

/** Statuses of plans whose change is in place after the run. */
const CHANGED = ['applied', 'verified', 'unverified'] as const;

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

export async function report(deps: WorkflowDeps, input: ReportInput) {
  const run = await deps.store.getRun(input.runId);
  const findings = await deps.store.listFindings(input.runId);
  const plans = await deps.store.listPlans(input.runId);
  const bySeverity = countBy(findings.map((f) => f.severity));
  const byStatus = countBy(plans.map((p) => p.status));
  const base = deps.env.consoleUrl?.replace(/\/+$/, '');
  // The console's views: pending plans while approvals wait, the history of applied changes once the run is done.
  const link = base ? `${base}/#/${input.phase === 'proposed' ? 'plans' : 'history'}` : undefined;
  const severityLine = SEVERITIES.map((s) => `${bySeverity[s] ?? 0} ${s}`).join(', ');
  if (input.phase === 'proposed') {
    const waiting = plans.filter((p) => p.status === 'proposed' && !p.detail).length;
    await deps.notifier.publish(
      `IRSA Doctor: ${findings.length} findings, ${waiting} plans to review`,
      [
        `Run ${input.runId}${run?.dryRun ? ' (dry run: nothing will be written)' : ''}`,
        `Findings: ${findings.length} (${severityLine})`,
        `Plans waiting for approval: ${waiting}; propose-only: ${plans.filter((p) => p.detail?.startsWith('propose-only')).length}`,
        ...(link ? [`Review: ${link}`] : ['Review: irsa-doctor approvals list']),
      ].join('\n'),
    );
    return { findings: findings.length, bySeverity, plans: byStatus };
  }
  const summary = {
    findings: findings.length,
    bySeverity,
    plans: byStatus,
    ...(run?.summary ?? {}),
  };
  await deps.store.updateRun(input.runId, { status: 'done', summary });
  await deps.notifier.publish(
    `IRSA Doctor: run finished, ${CHANGED.reduce((n, s) => n + (byStatus[s] ?? 0), 0)} changes applied`,
    [
      `Run ${input.runId} finished${run?.dryRun ? ' (dry run)' : ''}.`,
      `Findings at the start: ${findings.length} (${severityLine})`,
      `Plans: ${
        Object.entries(byStatus)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'none'
      }`,
      ...(link ? [`Details: ${link}`] : []),
    ].join('\n'),
  );
  await deps.events.publish([{ detailType: 'IRSA Doctor Run Completed', detail: { runId: input.runId, summary } }]);
  return summary;
}

/**
 * After collection (issue 15, steps branch): reads what each account's collection left, writes the run's issuer
 * index (every account's clusters and providers) and the manifest of accounts the analysis Distributed Map reads.
 */
export async function buildIssuerIndex(
  _deps: WorkflowDeps,
  _input: BuildIndexInput,
): Promise<{ manifest: { bucket: string; key: string }; accounts: number; unreachable: number }> {
  throw new Error('buildIssuerIndex: not implemented yet');
}

/**
 * One account (issue 15, steps branch): its snapshot against the run's issuer index, analyzed and planned; findings,
 * summary and plans written; decision memory and suppressions applied; remediation started for plans without
 * dependencies.
 */
export async function analyzeAccount(
  _deps: WorkflowDeps,
  _input: AnalyzeAccountInput,
): Promise<{ accountId: string; findings: number; plans: number; started: number }> {
  throw new Error('analyzeAccount: not implemented yet');
}
