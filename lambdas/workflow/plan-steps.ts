/**
 * The per-plan steps: route (approval, configured auto-apply, or skip), request approval (the task token stays in
 * the state table), apply (drift-guarded, idempotent, with the write-ahead audit of write-ahead.ts), verify
 * (re-read the touched resource, analyze again), and record every other outcome. None of them fails the run for one plan's sake: the state machine
 * catches and records.
 */
import { createHash } from 'node:crypto';
import { analyzeEstate } from '../domain/analyze-estate';
import type { AccountSnapshot, EstateSnapshot } from '../domain/snapshot';
import type { PlanRecord, PlanStatus } from '../ports/state-store';
import type {
  ApplyPlanInput,
  PlanStepInput,
  RecordOutcomeInput,
  ReleaseDependentsInput,
  RequestApprovalInput,
} from '../shared/contracts';
import { PlanChangedError, PlanNotFoundError } from '../shared/errors';
import type { WorkflowDeps } from './deps';
import { accountShard, planContentHash } from './run-steps';
import { applyWithAudit } from './write-ahead';

const DONE = new Set(['applied', 'already-applied', 'verified', 'unverified']);
/** Statuses of a plan whose remediation has not ended (its dependents wait). */
const PENDING = new Set<PlanStatus>(['proposed', 'awaiting-approval']);

/** Whether a dependency's outcome lets its dependents go ahead (a dry run's dry-run counts, in a dry run). */
function doneFor(status: PlanStatus, dryRun: boolean): boolean {
  return DONE.has(status) || (dryRun && status === 'dry-run');
}

const NAME_CHARS = /[^A-Za-z0-9_-]/g;

/**
 * The remediation execution of one plan of one run: deterministic (a second start of the same plan is refused by
 * Step Functions: ExecutionAlreadyExists), at most 80 characters of [A-Za-z0-9-_] (Step Functions' limit, and no
 * characters CloudWatch Logs or the console mangle). The run and plan are readable in it; a hash of both keeps two
 * runs or plans whose readable parts agree apart.
 */
export function remediationExecutionName(runId: string, planId: string): string {
  const hash = createHash('sha256').update(`${runId}\u0000${planId}`).digest('hex').slice(0, 12);
  const run = runId.replace(NAME_CHARS, '-').slice(0, 40);
  const plan = planId.replace(NAME_CHARS, '-').slice(0, 24);
  return `${run}-${plan}-${hash}`;
}

async function loadPlan(deps: WorkflowDeps, input: PlanStepInput): Promise<PlanRecord> {
  const record = await deps.store.getPlan(input.runId, input.planId);
  if (!record) throw new PlanNotFoundError(`plan ${input.planId} of run ${input.runId} not found`);
  return record;
}

export async function preparePlan(
  deps: WorkflowDeps,
  input: PlanStepInput,
): Promise<{ route: 'approval' | 'auto' | 'skip'; reason?: string }> {
  const record = await loadPlan(deps, input);
  const run = await deps.store.getRun(input.runId);
  for (const dependency of record.plan.dependsOn) {
    const dep = await deps.store.getPlan(input.runId, dependency);
    const ok = dep && (DONE.has(dep.status) || (run?.dryRun && dep.status === 'dry-run'));
    if (!ok) {
      const reason = `depends on plan ${dependency}, which is ${dep?.status ?? 'not in this run'}`;
      await deps.store.updatePlan(input.runId, input.planId, { detail: reason });
      return { route: 'skip', reason };
    }
  }
  if (deps.env.autoApplyActions.some((a) => a === record.plan.action)) return { route: 'auto' };
  await deps.store.updatePlan(input.runId, input.planId, { status: 'awaiting-approval' });
  return { route: 'approval' };
}

export async function requestApproval(deps: WorkflowDeps, input: RequestApprovalInput): Promise<{ requested: true }> {
  const record = await loadPlan(deps, input);
  const now = deps.now();
  await deps.store.putApproval({
    runId: input.runId,
    planId: input.planId,
    taskToken: input.taskToken,
    contentHash: record.contentHash,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.env.approvalTimeoutSeconds * 1000).toISOString(),
  });
  const plan = record.plan;
  const link = deps.env.consoleUrl
    ? `${deps.env.consoleUrl.replace(/\/+$/, '')}/#/plans/${encodeURIComponent(input.runId)}/${encodeURIComponent(input.planId)}`
    : undefined;
  // No e-mail per plan: the run's digest counts the plans waiting; this event is for whoever routes it (chat, tickets).
  await deps.events.publish([
    {
      detailType: 'IRSA Doctor Approval Requested',
      detail: {
        runId: input.runId,
        planId: input.planId,
        accountId: plan.accountId,
        action: plan.action,
        resourceArn: plan.resourceArn,
        ...(plan.cluster ? { cluster: plan.cluster } : {}),
        ruleIds: plan.ruleIds,
        contentHash: record.contentHash,
        expiresAt: new Date(now.getTime() + deps.env.approvalTimeoutSeconds * 1000).toISOString(),
        review: link ?? `irsa-doctor approvals show ${input.runId}/${input.planId}`,
      },
    },
  ]);
  return { requested: true };
}

export async function applyPlanStep(deps: WorkflowDeps, input: ApplyPlanInput) {
  const record = await loadPlan(deps, input);
  // The stored plan must still be what was approved: its hash, and the hash the approver saw.
  const hash = planContentHash(record.plan, await deps.store.listFindings(input.runId));
  if (hash !== record.contentHash || (input.approval.contentHash && input.approval.contentHash !== hash)) {
    throw new PlanChangedError(`plan ${input.planId}: its content is not what was approved; nothing was written`);
  }
  // Write-ahead audit: the intent before the IAM write, the record after; a retry completes an interrupted one.
  const outcome = await applyWithAudit(deps, {
    runId: input.runId,
    planId: input.planId,
    plan: record.plan,
    approval: input.approval,
  });
  const changeId = outcome.changeId;
  await deps.store.updatePlan(input.runId, input.planId, {
    status: outcome.status,
    ...(outcome.status === 'applied' ? { changeId } : { detail: 'the resource already held the approved state' }),
  });
  deps.telemetry.count('PlanOutcomes', 1, { Outcome: outcome.status });
  await deps.events.publish([
    {
      detailType: 'IRSA Doctor Change Applied',
      detail: {
        runId: input.runId,
        planId: input.planId,
        changeId,
        status: outcome.status,
        action: record.plan.action,
        resourceArn: record.plan.resourceArn,
        approvedBy: input.approval.approvedBy,
      },
    },
  ]);
  return { status: outcome.status, changeId, writes: outcome.writes };
}

/**
 * Re-reads the resource the plan touched, puts it into the run's collected snapshot of that account, analyzes the
 * account again against the run's issuer index (its shard: not every account) and checks that the plan's findings
 * are gone.
 */
export async function verifyPlan(deps: WorkflowDeps, input: PlanStepInput) {
  const record = await loadPlan(deps, input);
  const plan = record.plan;
  const snapshot = await verifySnapshot(deps, input.runId, plan);
  const after = new Set(analyzeEstate(snapshot).findings.map((f) => f.id));
  const remaining = plan.findingIds.filter((id) => after.has(id));
  const verified = remaining.length === 0;
  await deps.store.updatePlan(input.runId, input.planId, {
    status: verified ? 'verified' : 'unverified',
    ...(verified ? {} : { detail: `still found after the change: ${remaining.join(', ')}` }),
  });
  deps.telemetry.count('PlanOutcomes', 1, { Outcome: verified ? 'verified' : 'unverified' });
  return { verified, remaining };
}

/** The estate verify analyzes: the plan's account re-read, in its shard; a run without an index (older): every account. */
async function verifySnapshot(deps: WorkflowDeps, runId: string, plan: PlanRecord['plan']): Promise<EstateSnapshot> {
  const index = await deps.snapshots.getIndex(runId);
  const account = index ? await deps.snapshots.getAccount(runId, plan.accountId) : undefined;
  if (index && account) {
    return (await accountShard(deps, runId, await deps.estate.verifyRead(plan, account), index)).shard;
  }
  const accounts = await deps.snapshots.getAccounts(runId);
  const patch = (a: AccountSnapshot): Promise<AccountSnapshot> | AccountSnapshot =>
    a.accountId === plan.accountId ? deps.estate.verifyRead(plan, a) : a;
  return { schemaVersion: 1, partition: deps.env.partition, accounts: await Promise.all(accounts.map(patch)) };
}

export async function recordOutcome(deps: WorkflowDeps, input: RecordOutcomeInput) {
  let detail: string | undefined;
  if (input.outcome === 'rejected') {
    const approval = await deps.store.getApproval(input.runId, input.planId);
    detail = `rejected by ${approval?.decidedBy ?? 'unknown'}${approval?.comment ? `: ${approval.comment}` : ''}`;
    await rememberRejection(deps, input, approval);
  } else if (input.outcome === 'timed-out') {
    detail = 'no decision before the approval timeout';
    await rememberTimeout(deps, input);
  } else if (input.outcome === 'dry-run') {
    detail = 'dry run: approved, not written';
  } else if (input.outcome === 'drift') {
    detail = 'the resource changed after planning; nothing was written (re-scan and re-plan)';
  }
  await deps.store.updatePlan(input.runId, input.planId, {
    status: input.outcome,
    ...(detail ? { detail } : {}),
    ...(input.error ? { error: input.error } : {}),
  });
  deps.telemetry.count('PlanOutcomes', 1, { Outcome: input.outcome });
  if (input.outcome === 'failed') deps.telemetry.count('ApplyFailures', 1);
  return { recorded: input.outcome };
}

/**
 * A rejection, remembered for REJECTION_MEMORY_DAYS: the same plan (same id: same content) is not proposed again
 * before then; a changed plan has another id and is.
 */
async function rememberRejection(
  deps: WorkflowDeps,
  input: PlanStepInput,
  approval: Awaited<ReturnType<WorkflowDeps['store']['getApproval']>>,
): Promise<void> {
  const record = await loadPlan(deps, input);
  const now = deps.now();
  await deps.store.putRejection({
    planId: input.planId,
    runId: input.runId,
    accountId: record.plan.accountId,
    resourceArn: record.plan.resourceArn,
    action: record.plan.action,
    rejectedBy: approval?.decidedBy ?? 'unknown',
    rejectedAt: approval?.decidedAt ?? now.toISOString(),
    ...(approval?.comment ? { comment: approval.comment } : {}),
    expiresAt: new Date(now.getTime() + deps.env.rejectionMemoryDays * 86_400_000).toISOString(),
  });
}

/** Lists a timed-out approval request (the console's history shows it beside the rejections). */
async function rememberTimeout(deps: WorkflowDeps, input: PlanStepInput): Promise<void> {
  const [record, approval] = await Promise.all([
    loadPlan(deps, input),
    deps.store.getApproval(input.runId, input.planId),
  ]);
  await deps.store.putTimeout({
    runId: input.runId,
    planId: input.planId,
    accountId: record.plan.accountId,
    resourceArn: record.plan.resourceArn,
    action: record.plan.action,
    ...(approval ? { requestedAt: approval.requestedAt } : {}),
    timedOutAt: deps.now().toISOString(),
  });
}

/**
 * After a plan's remediation ends, whatever the outcome: each plan of the run that depends on it is started (its
 * execution named by remediationExecutionName) once all its dependencies are done, or recorded skipped (with why)
 * when one of them ended without its change in place, and then its own dependents are released in turn. Two
 * dependencies ending together may both start a dependent: the execution name makes the second start a no-op.
 */
export async function releaseDependents(
  deps: WorkflowDeps,
  input: ReleaseDependentsInput,
): Promise<{ started: string[]; skipped: string[] }> {
  const run = await deps.store.getRun(input.runId);
  const dryRun = run?.dryRun === true;
  const started: string[] = [];
  const skipped: string[] = [];
  const queue = [input.planId];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const planId = queue.shift() as string;
    if (seen.has(planId)) continue;
    seen.add(planId);
    const record = await deps.store.getPlan(input.runId, planId);
    for (const dependentId of record?.dependents ?? []) {
      const outcome = await releaseOne(deps, input.runId, dependentId, dryRun);
      if (outcome === 'started') started.push(dependentId);
      if (outcome === 'skipped') {
        skipped.push(dependentId);
        queue.push(dependentId);
      }
    }
  }
  return { started, skipped };
}

/** One dependent: started, skipped, or left waiting (another dependency has not ended, or it is not startable). */
async function releaseOne(
  deps: WorkflowDeps,
  runId: string,
  planId: string,
  dryRun: boolean,
): Promise<'started' | 'skipped' | 'waiting'> {
  const dependent = await deps.store.getPlan(runId, planId);
  if (dependent?.status !== 'proposed' || !dependent.plan.applicable) return 'waiting';
  const dependencies = await Promise.all(
    dependent.plan.dependsOn.map(async (id) => ({ id, record: await deps.store.getPlan(runId, id) })),
  );
  const failed = dependencies.find(
    ({ record }) => !record || (!PENDING.has(record.status) && !doneFor(record.status, dryRun)),
  );
  if (failed) {
    deps.telemetry.count('PlanOutcomes', 1, { Outcome: 'skipped' });
    await deps.store.updatePlan(runId, planId, {
      status: 'skipped',
      detail: `depends on plan ${failed.id}, which ended ${failed.record?.status ?? 'missing from this run'} without its change`,
    });
    return 'skipped';
  }
  if (dependencies.some(({ record }) => record && PENDING.has(record.status))) return 'waiting';
  // Another dependency's release may have started it already: then this start is refused by name, and not counted.
  const out = await deps.remediations.start(remediationExecutionName(runId, planId), { runId, planId, dryRun });
  return out.started ? 'started' : 'waiting';
}
