/**
 * A person's decision on a plan waiting for approval: checked against the stored request (it exists, has not
 * expired, is for the content the person saw, has not been decided), recorded once, and only then handed to the
 * workflow through the task token kept server-side. Used by the local demo, the CLI and the approval API.
 */
import { AlreadyDecidedError, ApprovalExpiredError, ApprovalNotFoundError, PlanChangedError } from '../shared/errors';
import type { WorkflowDeps } from './deps';

export interface Decision {
  readonly runId: string;
  readonly planId: string;
  readonly decision: 'approved' | 'rejected';
  readonly by: string;
  readonly comment?: string;
  /** The content hash the person reviewed; when given it must match the plan's. */
  readonly contentHash?: string;
}

export async function decideApproval(
  deps: Pick<WorkflowDeps, 'store' | 'callbacks' | 'now'>,
  d: Decision,
): Promise<void> {
  const approval = await deps.store.getApproval(d.runId, d.planId);
  if (!approval) throw new ApprovalNotFoundError(`no approval request for plan ${d.planId} in run ${d.runId}`);
  if (approval.decision) {
    throw new AlreadyDecidedError(
      `plan ${d.planId} was already ${approval.decision} by ${approval.decidedBy ?? 'someone'}`,
    );
  }
  const now = deps.now();
  if (now.getTime() > Date.parse(approval.expiresAt)) {
    throw new ApprovalExpiredError(`the approval request for plan ${d.planId} expired at ${approval.expiresAt}`);
  }
  const plan = await deps.store.getPlan(d.runId, d.planId);
  if (!plan || plan.contentHash !== approval.contentHash || (d.contentHash && d.contentHash !== approval.contentHash)) {
    throw new PlanChangedError(`plan ${d.planId} is not the content that was reviewed; reload it and decide again`);
  }
  const decidedAt = now.toISOString();
  const recorded = await deps.store.decideApproval(d.runId, d.planId, {
    decision: d.decision,
    decidedBy: d.by,
    decidedAt,
    ...(d.comment ? { comment: d.comment } : {}),
  });
  if (!recorded) throw new AlreadyDecidedError(`plan ${d.planId} was decided by someone else a moment ago`);
  if (d.decision === 'approved') {
    await deps.callbacks.succeed(approval.taskToken, {
      approvedBy: d.by,
      approvedAt: decidedAt,
      contentHash: approval.contentHash,
      ...(d.comment ? { comment: d.comment } : {}),
    });
  } else {
    await deps.callbacks.fail(
      approval.taskToken,
      'PlanRejected',
      JSON.stringify({ rejectedBy: d.by, comment: d.comment ?? '' }),
    );
  }
}
