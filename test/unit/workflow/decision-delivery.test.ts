/**
 * A decision over the fakes: recorded once by the approval API (checked against the request and the content the
 * person saw), delivered to the waiting task by the deliverer (a spent token ends the delivery, recorded), and
 * delivered later by the reconciler when the first delivery failed.
 */
import {
  decideApproval,
  deliverDecision,
  RECONCILE_AFTER_MS,
  reconcileDeliveries,
  recordDecision,
} from '../../../lambdas/workflow/decision-delivery';
import { fakeDeps } from '../../support/fakes/fake-deps';
import { findingFor, givenWaitingPlan, trustPlan } from '../../support/fakes/given';
import { StepFunctionsError } from '../../support/fakes/task-callbacks';

const RUN = 'run-1';

async function waiting() {
  const fakes = fakeDeps();
  const plan = trustPlan();
  const { record, taskToken } = await givenWaitingPlan(fakes, RUN, plan);
  return { fakes, plan, record, taskToken };
}

describe('recordDecision', () => {
  it('records the decision once, as pending delivery, with who, when, why and the hash shown; sends nothing', async () => {
    const { fakes, plan, record } = await waiting();

    const out = await recordDecision(fakes.deps, {
      runId: RUN,
      planId: plan.id,
      decision: 'approved',
      by: 'alice',
      comment: 'looks right',
      contentHash: record.contentHash,
    });

    expect(out.recorded).toBe('new');
    expect(await fakes.store.getApproval(RUN, plan.id)).toMatchObject({
      decision: 'approved',
      decidedBy: 'alice',
      decidedAt: fakes.clock.iso(),
      decidedHash: record.contentHash,
      comment: 'looks right',
      delivery: 'pending',
    });
    expect(fakes.callbacks.calls).toEqual([]);
  });

  it('returns the recorded decision for the same decision by the same person, and refuses another', async () => {
    const { fakes, plan } = await waiting();
    const d = { runId: RUN, planId: plan.id, decision: 'approved' as const, by: 'alice' };
    await recordDecision(fakes.deps, d);

    expect((await recordDecision(fakes.deps, d)).recorded).toBe('repeat');
    await expect(recordDecision(fakes.deps, { ...d, decision: 'rejected' })).rejects.toMatchObject({
      name: 'AlreadyDecidedError',
      message: expect.stringContaining('approved by alice'),
    });
    await expect(recordDecision(fakes.deps, { ...d, by: 'bob' })).rejects.toMatchObject({
      name: 'AlreadyDecidedError',
    });
  });

  it('fails when the person saw other content than the request is for, and records nothing', async () => {
    const { fakes, plan } = await waiting();

    await expect(
      recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'a', contentHash: 'x' }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
    expect((await fakes.store.getApproval(RUN, plan.id))?.decision).toBeUndefined();
  });

  it("fails when what is shown now differs from what the request was for (the run's findings changed)", async () => {
    const { fakes, plan } = await waiting();
    await fakes.store.putFindings(RUN, [{ ...findingFor(`f-${plan.id}`), title: 'edited' }]);

    await expect(
      recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
  });

  it('fails when the request expired or does not exist', async () => {
    const { fakes, plan } = await waiting();
    await expect(
      recordDecision(fakes.deps, { runId: RUN, planId: 'other', decision: 'approved', by: 'alice' }),
    ).rejects.toMatchObject({ name: 'ApprovalNotFoundError' });
    fakes.clock.advanceSeconds(3601);
    await expect(
      recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' }),
    ).rejects.toMatchObject({ name: 'ApprovalExpiredError' });
  });
});

describe('deliverDecision', () => {
  it('hands an approval to the waiting task and records the delivery', async () => {
    const { fakes, plan, record, taskToken } = await waiting();
    await recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice', comment: 'ok' });

    expect(await deliverDecision(fakes.deps, RUN, plan.id)).toBe('delivered');

    expect(fakes.callbacks.accepted()).toEqual([
      {
        token: taskToken,
        kind: 'success',
        output: { approvedBy: 'alice', approvedAt: fakes.clock.iso(), contentHash: record.contentHash, comment: 'ok' },
        accepted: true,
      },
    ]);
    expect(await fakes.store.getApproval(RUN, plan.id)).toMatchObject({ delivery: 'delivered' });
  });

  it('fails the waiting task with PlanRejected for a rejection', async () => {
    const { fakes, plan, taskToken } = await waiting();
    await recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'rejected', by: 'bob', comment: 'no' });

    await deliverDecision(fakes.deps, RUN, plan.id);

    expect(fakes.callbacks.accepted()).toEqual([
      {
        token: taskToken,
        kind: 'failure',
        error: 'PlanRejected',
        cause: JSON.stringify({ rejectedBy: 'bob', comment: 'no' }),
        accepted: true,
      },
    ]);
  });

  it('ends a delivery whose token an earlier attempt used as delivered, once', async () => {
    // Given a decision delivered, and its record set back to pending (the first deliverer died before recording)
    const { fakes, plan, taskToken } = await waiting();
    await recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' });
    await fakes.deps.callbacks.succeed(taskToken, {});

    expect(await deliverDecision(fakes.deps, RUN, plan.id)).toBe('already-delivered');
    expect(await fakes.store.getApproval(RUN, plan.id)).toMatchObject({
      delivery: 'delivered',
      deliveryDetail: expect.stringContaining('InvalidToken'),
    });
    expect(await deliverDecision(fakes.deps, RUN, plan.id)).toBe('not-pending');
    expect(fakes.callbacks.accepted()).toHaveLength(1);
  });

  it('ends a delivery as expired when the wait had timed out', async () => {
    const { fakes, plan, taskToken } = await waiting();
    await recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' });
    fakes.clock.advanceSeconds(3601);
    fakes.callbacks.timeOut(taskToken);

    expect(await deliverDecision(fakes.deps, RUN, plan.id)).toBe('expired');
    expect((await fakes.store.getApproval(RUN, plan.id))?.delivery).toBe('expired');
  });

  it('fails when Step Functions cannot be reached, counting the attempt and leaving the delivery pending', async () => {
    const { fakes, plan } = await waiting();
    await recordDecision(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' });
    fakes.callbacks.failNext(new StepFunctionsError('ThrottlingException', 'Rate exceeded'));

    await expect(deliverDecision(fakes.deps, RUN, plan.id)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await fakes.store.getApproval(RUN, plan.id)).toMatchObject({
      delivery: 'pending',
      deliveryAttempts: 1,
      deliveryDetail: 'ThrottlingException: Rate exceeded',
    });
  });

  it('does nothing for a request without a decision', async () => {
    const { fakes, plan } = await waiting();
    expect(await deliverDecision(fakes.deps, RUN, plan.id)).toBe('not-pending');
    expect(fakes.callbacks.calls).toEqual([]);
  });
});

describe('reconcileDeliveries', () => {
  it('delivers decisions left pending past the threshold, reports failures, and leaves recent ones to the stream', async () => {
    // Given three waiting plans: two decided long ago (one of whose deliveries will fail), one decided just now
    const fakes = fakeDeps();
    for (const id of ['old-1', 'old-2', 'new']) await givenWaitingPlan(fakes, RUN, trustPlan(id), 86400);
    await recordDecision(fakes.deps, { runId: RUN, planId: 'old-1', decision: 'approved', by: 'alice' });
    await recordDecision(fakes.deps, { runId: RUN, planId: 'old-2', decision: 'rejected', by: 'bob' });
    fakes.clock.advance(RECONCILE_AFTER_MS);
    await recordDecision(fakes.deps, { runId: RUN, planId: 'new', decision: 'approved', by: 'alice' });
    fakes.callbacks.failNext(new StepFunctionsError('ServiceUnavailable', 'down'));

    const report = await reconcileDeliveries(fakes.deps);

    expect(report.pending).toBe(2);
    expect(report.outcomes).toEqual({ delivered: 1 });
    expect(report.failed).toEqual([{ runId: RUN, planId: 'old-1', error: 'ServiceUnavailable: down' }]);
    expect((await fakes.store.getApproval(RUN, 'new'))?.delivery).toBe('pending');
    // The next round delivers the one that failed
    expect((await reconcileDeliveries(fakes.deps)).outcomes).toEqual({ delivered: 1 });
  });
});

describe('decideApproval', () => {
  it('records and delivers in one process', async () => {
    const { fakes, plan } = await waiting();
    await decideApproval(fakes.deps, { runId: RUN, planId: plan.id, decision: 'approved', by: 'alice' });
    expect((await fakes.store.getApproval(RUN, plan.id))?.delivery).toBe('delivered');
    expect(fakes.callbacks.accepted()).toHaveLength(1);
  });
});
