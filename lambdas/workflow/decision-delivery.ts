/**
 * A person's decision on a plan waiting for approval, in two steps run by two identities:
 *
 * 1. recordDecision (the approval API): checked against the stored request (it exists, has not expired, is for the
 *    content the person saw, has not been decided otherwise) and recorded once, as *pending delivery*, with who,
 *    when, why and the content hash. Nothing is sent to the workflow here: the API's role cannot send task tokens.
 * 2. deliverDecision (the deliverer, the one function allowed to call SendTaskSuccess/SendTaskFailure): hands a
 *    recorded decision to the waiting workflow through the task token kept server-side, and records the delivery.
 *    Started by the state table's stream when a decision is recorded; reconcileDeliveries (on a schedule) delivers
 *    whatever is still pending. Redelivery is idempotent: Step Functions accepts a token once, and a token already
 *    used (InvalidToken, TaskTimedOut, TaskDoesNotExist) ends the delivery as delivered (by an earlier attempt) or
 *    expired (the approval window had passed), recorded either way.
 *
 * decideApproval does both, for the local runner, the demo and the tests, where one process plays both roles.
 */
import type { ApprovalRecord } from '../ports/state-store';
import {
  AlreadyDecidedError,
  ApprovalExpiredError,
  ApprovalNotFoundError,
  PlanChangedError,
  SameApproverError,
} from '../shared/errors';
import type { WorkflowDeps } from './deps';
import { planContentHash } from './run-steps';

export interface ApprovalDecision {
  readonly runId: string;
  readonly planId: string;
  readonly decision: 'approved' | 'rejected';
  readonly by: string;
  readonly comment?: string;
  /** The content hash the person reviewed; when given it must match the plan's. */
  readonly contentHash?: string;
  /**
   * How many distinct people must approve (2 with a second approval): an approval before the last is recorded
   * without deciding. A rejection decides at once. @default 1
   */
  readonly approvalsNeeded?: number;
}

/** Errors of SendTask* that mean the token can no longer be used: the decision was delivered, or the wait ended. */
export const SPENT_TOKEN_ERRORS: ReadonlySet<string> = new Set(['InvalidToken', 'TaskTimedOut', 'TaskDoesNotExist']);

/** How long a recorded decision is left to the stream-started deliverer before the reconciler takes it too. */
export const RECONCILE_AFTER_MS = 60_000;

export type RecordOutcome = { readonly approval: ApprovalRecord; readonly recorded: 'new' | 'repeat' };

/**
 * Checks and records a decision as pending delivery. The same decision by the same person again (a retried click,
 * a network retry) is not an error: the stored decision is returned (`repeat`). Another decision is refused.
 */
export async function recordDecision(
  deps: Pick<WorkflowDeps, 'store' | 'now'>,
  d: ApprovalDecision,
): Promise<RecordOutcome> {
  const approval = await deps.store.getApproval(d.runId, d.planId);
  if (!approval) throw new ApprovalNotFoundError(`no approval request for plan ${d.planId} in run ${d.runId}`);
  if (approval.decision) return repeatOrRefuse(approval, d);
  const now = deps.now();
  await checkOpenFor(deps, approval, d, now);
  const decidedAt = now.toISOString();
  const prior = approval.approvals ?? [];
  const approvals = d.decision === 'approved' ? withApproval(prior, d, decidedAt, approval.contentHash) : undefined;
  // Not the last approval needed: recorded, not decided (nothing goes to the workflow).
  if (approvals && approvals.length < (d.approvalsNeeded ?? 1)) {
    if (await deps.store.addApproval(d.runId, d.planId, approvals, prior.length)) {
      return { approval: await reread(deps, d), recorded: 'new' };
    }
    return raced(await reread(deps, d), d);
  }
  const recorded = await deps.store.decideApproval(d.runId, d.planId, {
    decision: d.decision,
    decidedBy: d.by,
    decidedAt,
    decidedHash: approval.contentHash,
    ...(d.comment ? { comment: d.comment } : {}),
    ...(approvals ? { approvals, expectedApprovals: prior.length } : {}),
  });
  const after = await reread(deps, d);
  if (!recorded) return after.decision ? repeatOrRefuse(after, d, 'a moment ago') : raced(after, d);
  return { approval: after, recorded: 'new' };
}

/**
 * Throws unless the request is still open (not expired) and for the content the person saw: what is shown now (the
 * stored plan and its findings, hashed again) must be what the request was made for.
 */
async function checkOpenFor(
  deps: Pick<WorkflowDeps, 'store'>,
  approval: ApprovalRecord,
  d: ApprovalDecision,
  now: Date,
): Promise<void> {
  if (now.getTime() > Date.parse(approval.expiresAt)) {
    throw new ApprovalExpiredError(`the approval request for plan ${d.planId} expired at ${approval.expiresAt}`);
  }
  const plan = await deps.store.getPlan(d.runId, d.planId);
  const shown = plan ? planContentHash(plan.plan, await deps.store.listFindings(d.runId)) : undefined;
  if (
    !plan ||
    plan.contentHash !== approval.contentHash ||
    shown !== approval.contentHash ||
    (d.contentHash !== undefined && d.contentHash !== approval.contentHash)
  ) {
    throw new PlanChangedError(`plan ${d.planId} is not the content that was reviewed; reload it and decide again`);
  }
}

/** The approvals with this person's (refused when they gave one already). */
function withApproval(
  prior: NonNullable<ApprovalRecord['approvals']>,
  d: ApprovalDecision,
  at: string,
  hash: string,
): NonNullable<ApprovalRecord['approvals']> {
  refuseSameApprover(prior, d);
  return [...prior, { by: d.by, at, hash, ...(d.comment ? { comment: d.comment } : {}) }];
}

async function reread(deps: Pick<WorkflowDeps, 'store'>, d: ApprovalDecision): Promise<ApprovalRecord> {
  const after = await deps.store.getApproval(d.runId, d.planId);
  if (!after) throw new ApprovalNotFoundError(`approval of plan ${d.planId} vanished after the decision`);
  return after;
}

/** A second approval must come from someone else than the first. */
function refuseSameApprover(prior: ApprovalRecord['approvals'] & {}, d: ApprovalDecision): void {
  const mine = prior.find((a) => a.by === d.by);
  if (mine) {
    throw new SameApproverError(
      `${d.by} already approved plan ${d.planId} at ${mine.at}; it needs a second approval from another approver`,
    );
  }
}

/** Another approval was recorded between the read and the write: the decision or the same person, else reload. */
function raced(after: ApprovalRecord, d: ApprovalDecision): RecordOutcome {
  if (after.decision) return repeatOrRefuse(after, d, 'a moment ago');
  refuseSameApprover(after.approvals ?? [], d);
  throw new AlreadyDecidedError(
    `another approval of plan ${d.planId} was recorded a moment ago (${(after.approvals ?? []).map((a) => a.by).join(', ')}); reload it and decide again`,
  );
}

function repeatOrRefuse(approval: ApprovalRecord, d: ApprovalDecision, when = ''): RecordOutcome {
  const same =
    approval.decision === d.decision &&
    approval.decidedBy === d.by &&
    (d.contentHash === undefined || d.contentHash === (approval.decidedHash ?? approval.contentHash));
  if (same) return { approval, recorded: 'repeat' };
  throw new AlreadyDecidedError(
    `plan ${d.planId} was already ${approval.decision} by ${approval.decidedBy ?? 'someone'}${when ? ` ${when}` : ''}`,
  );
}

export type DeliveryOutcome = 'delivered' | 'already-delivered' | 'expired' | 'not-pending';

/**
 * Hands one recorded decision to the workflow and records that it did. Throws (after counting the attempt) when
 * Step Functions could not be reached or refused for another reason: the caller retries, and the reconciler
 * delivers it later.
 */
export async function deliverDecision(
  deps: Pick<WorkflowDeps, 'store' | 'callbacks' | 'now'>,
  runId: string,
  planId: string,
): Promise<DeliveryOutcome> {
  const approval = await deps.store.getApproval(runId, planId);
  if (!approval?.decision || approval.delivery !== 'pending') return 'not-pending';
  try {
    await sendDecision(deps, approval);
  } catch (err) {
    const name = (err as Error)?.name ?? 'Error';
    if (!SPENT_TOKEN_ERRORS.has(name)) {
      await deps.store.noteDeliveryFailure(runId, planId, `${name}: ${(err as Error)?.message ?? ''}`);
      throw err;
    }
    // The token was used, or the task is gone. Before the request expired, only an earlier attempt of this decision
    // can have used it (the token never leaves the state table): delivered. After, the wait had timed out: expired.
    const expired = deps.now().getTime() > Date.parse(approval.expiresAt);
    await deps.store.completeDelivery(runId, planId, {
      status: expired ? 'expired' : 'delivered',
      at: deps.now().toISOString(),
      detail: `token already used or task ended (${name})`,
    });
    return expired ? 'expired' : 'already-delivered';
  }
  await deps.store.completeDelivery(runId, planId, { status: 'delivered', at: deps.now().toISOString() });
  return 'delivered';
}

/** Completes the waiting task with the decision: success for an approval, `PlanRejected` for a rejection. */
async function sendDecision(deps: Pick<WorkflowDeps, 'callbacks'>, approval: ApprovalRecord): Promise<void> {
  if (approval.decision === 'approved') {
    // Every approver, in order ("alice and bob" when a second approval was needed): the audit records them all.
    const approvers = (approval.approvals ?? []).map((a) => a.by);
    await deps.callbacks.succeed(approval.taskToken, {
      approvedBy: approvers.length > 1 ? approvers.join(' and ') : (approval.decidedBy ?? 'unknown'),
      ...(approval.decidedAt ? { approvedAt: approval.decidedAt } : {}),
      contentHash: approval.decidedHash ?? approval.contentHash,
      ...(approval.comment ? { comment: approval.comment } : {}),
    });
  } else {
    await deps.callbacks.fail(
      approval.taskToken,
      'PlanRejected',
      JSON.stringify({ rejectedBy: approval.decidedBy ?? 'unknown', comment: approval.comment ?? '' }),
    );
  }
}

export interface ReconcileReport {
  readonly pending: number;
  readonly outcomes: Record<string, number>;
  readonly failed: readonly { readonly runId: string; readonly planId: string; readonly error: string }[];
}

/**
 * Delivers every decision still pending that was recorded at least `olderThanMs` ago (the stream-started deliverer
 * has had its chance). One failure does not stop the others; each is reported.
 */
export async function reconcileDeliveries(
  deps: Pick<WorkflowDeps, 'store' | 'callbacks' | 'now'>,
  olderThanMs = RECONCILE_AFTER_MS,
): Promise<ReconcileReport> {
  const cutoff = deps.now().getTime() - olderThanMs;
  const stuck = (await deps.store.listUndelivered()).filter((a) => Date.parse(a.decidedAt ?? '') <= cutoff);
  const outcomes: Record<string, number> = {};
  const failed: { runId: string; planId: string; error: string }[] = [];
  for (const a of stuck) {
    try {
      const outcome = await deliverDecision(deps, a.runId, a.planId);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (err) {
      failed.push({ runId: a.runId, planId: a.planId, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return { pending: stuck.length, outcomes, failed };
}

/** Records and delivers in one process (the local runner, the demo, the tests); in AWS two functions do this. */
export async function decideApproval(
  deps: Pick<WorkflowDeps, 'store' | 'callbacks' | 'now'>,
  d: ApprovalDecision,
): Promise<void> {
  await recordDecision(deps, d);
  await deliverDecision(deps, d.runId, d.planId);
}
