/**
 * The per-plan steps: route (approval, configured auto-apply, or skip), request approval (the task token stays in
 * the state table), apply (drift-guarded, idempotent, with the write-ahead audit of write-ahead.ts), verify
 * (re-read the touched resource, analyze again), and record every other outcome. None of them fails the run for one plan's sake: the state machine
 * catches and records.
 */
import { analyzeEstate } from '../domain/analyze-estate';
import type { AccountSnapshot, EstateSnapshot } from '../domain/snapshot';
import type { PlanRecord } from '../ports/state-store';
import type {
  ApplyPlanInput,
  PlanStepInput,
  RecordOutcomeInput,
  ReleaseDependentsInput,
  RequestApprovalInput,
} from '../shared/contracts';
import { PlanChangedError, PlanNotFoundError } from '../shared/errors';
import type { WorkflowDeps } from './deps';
import { planContentHash } from './run-steps';
import { applyWithAudit } from './write-ahead';

const DONE = new Set(['applied', 'already-applied', 'verified', 'unverified']);

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
  await deps.notifier.publish(
    `IRSA Doctor: approve ${plan.action} on ${plan.resourceArn.split(':').pop() ?? plan.resourceArn}?`,
    [
      `Plan ${input.planId} (run ${input.runId}) waits for approval.`,
      `Account ${plan.accountId}${plan.cluster ? `, cluster ${plan.cluster}` : ''}: ${plan.action} on ${plan.resourceArn}`,
      `Fixes: ${plan.ruleIds.join(', ')}. ${plan.rationale}`,
      '',
      plan.diff,
      '',
      link
        ? `Review and approve: ${link}`
        : `Review and approve: irsa-doctor approvals show ${input.runId}/${input.planId}`,
    ].join('\n'),
  );
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
 * estate again and checks that the plan's findings are gone.
 */
export async function verifyPlan(deps: WorkflowDeps, input: PlanStepInput) {
  const record = await loadPlan(deps, input);
  const plan = record.plan;
  const accounts = await deps.snapshots.getAccounts(input.runId);
  const patch = (account: AccountSnapshot): Promise<AccountSnapshot> | AccountSnapshot =>
    account.accountId === plan.accountId ? deps.estate.verifyRead(plan, account) : account;
  const snapshot: EstateSnapshot = {
    schemaVersion: 1,
    partition: 'aws',
    accounts: await Promise.all(accounts.map(patch)),
  };
  const after = new Set(analyzeEstate(snapshot).findings.map((f) => f.id));
  const remaining = plan.findingIds.filter((id) => after.has(id));
  const verified = remaining.length === 0;
  await deps.store.updatePlan(input.runId, input.planId, {
    status: verified ? 'verified' : 'unverified',
    ...(verified ? {} : { detail: `still found after the change: ${remaining.join(', ')}` }),
  });
  return { verified, remaining };
}

export async function recordOutcome(deps: WorkflowDeps, input: RecordOutcomeInput) {
  let detail: string | undefined;
  if (input.outcome === 'rejected') {
    const approval = await deps.store.getApproval(input.runId, input.planId);
    detail = `rejected by ${approval?.decidedBy ?? 'unknown'}${approval?.comment ? `: ${approval.comment}` : ''}`;
  } else if (input.outcome === 'timed-out') {
    detail = 'no decision before the approval timeout';
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
  return { recorded: input.outcome };
}

/**
 * After a plan's remediation ends, whatever the outcome (issue 15, steps branch): each plan of the run that depends
 * on it is started (its execution named by remediationExecutionName) once all its dependencies are done, or recorded
 * as skipped when one of them ended without its change in place.
 */
export async function releaseDependents(
  _deps: WorkflowDeps,
  _input: ReleaseDependentsInput,
): Promise<{ started: string[]; skipped: string[] }> {
  throw new Error('releaseDependents: not implemented yet');
}
