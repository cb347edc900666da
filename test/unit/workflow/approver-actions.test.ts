/**
 * What approvers do, over the fakes: every operation checks the caller; decisions are recorded (and delivered
 * through the dispatch when one is set); rollbacks are requested, then performed by the rollback step with the
 * write-ahead audit and recorded on the request; the reconciler performs requests left behind.
 */
import {
  ACCOUNT_WIDE,
  type ApiDeps,
  authorize,
  type ConsoleDeps,
  DEFAULT_APPROVERS_GROUP,
  decide,
  listChanges,
  listPending,
  ROLLBACK_RECONCILE_AFTER_MS,
  reconcileRollbacks,
  requestRollback,
  rollback,
  rollbackIdOf,
  rollbackStatus,
  runRollbackRequest,
  showPlan,
} from '../../../lambdas/workflow/approver-actions';
import { deliverDecision } from '../../../lambdas/workflow/decision-delivery';
import { applyWithAudit } from '../../../lambdas/workflow/write-ahead';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan, givenWaitingPlan, ROLE, trust, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';
const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
const bob = { id: 'bob', groups: [DEFAULT_APPROVERS_GROUP] };
const outsider = { id: 'eve', groups: ['readers'] };

const apiDeps = (fakes: Fakes, dispatch?: ApiDeps['dispatch']): ApiDeps => ({
  store: fakes.store,
  now: fakes.clock.now,
  approversGroup: DEFAULT_APPROVERS_GROUP,
  ...(dispatch ? { dispatch } : {}),
});
const consoleDeps = (fakes: Fakes): ConsoleDeps => ({ ...fakes.deps, approversGroup: DEFAULT_APPROVERS_GROUP });

/** A change applied by the apply step and recorded (the role held `before`). */
async function appliedChange(fakes: Fakes, plan = trustPlan()) {
  await givenPlan(fakes, RUN, plan, { status: 'applied' });
  fakes.fixes.set(plan.resourceArn, plan.before);
  const out = await applyWithAudit(fakes.deps, {
    runId: RUN,
    planId: plan.id,
    plan,
    approval: { approvedBy: 'alice' },
  });
  return out.changeId;
}

describe('authorize', () => {
  it('lets members of the approvers group through, and fails for anyone else', () => {
    const deps = { approversGroup: DEFAULT_APPROVERS_GROUP };
    expect(authorize(deps, alice)).toBe(alice);
    expect(() => authorize(deps, outsider)).toThrow(expect.objectContaining({ name: 'ForbiddenError' }));
    expect(() => authorize(deps, undefined)).toThrow(expect.objectContaining({ name: 'ForbiddenError' }));
    expect(() => authorize(deps, { id: '', groups: [DEFAULT_APPROVERS_GROUP] })).toThrow(
      expect.objectContaining({ name: 'ForbiddenError' }),
    );
  });

  it('fails for an outsider on every operation before reading anything', async () => {
    const fakes = fakeDeps();
    const deps = apiDeps(fakes);
    const calls = [
      listPending(deps, outsider),
      showPlan(deps, outsider, RUN, 'p'),
      decide(deps, outsider, { runId: RUN, planId: 'p', decision: 'approved', contentHash: 'h' }),
      listChanges(deps, outsider),
      requestRollback(deps, outsider, 'c'),
      rollbackStatus(deps, outsider, 'c'),
      rollback(consoleDeps(fakes), outsider, 'c'),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ name: 'ForbiddenError' });
  });
});

describe('listPending and showPlan', () => {
  it('groups waiting plans by account and cluster, oldest first, leaving out expired requests', async () => {
    const fakes = fakeDeps();
    await givenWaitingPlan(fakes, RUN, trustPlan('p-account'));
    fakes.clock.advance(1000);
    await givenWaitingPlan(fakes, RUN, trustPlan('p-cluster-2', { cluster: 'pay', region: 'us-west-2' }));
    await givenWaitingPlan(fakes, RUN, trustPlan('p-expired', { cluster: 'pay', region: 'us-west-2' }), 1);
    fakes.clock.advance(2000);
    await givenWaitingPlan(fakes, RUN, trustPlan('p-cluster-1', { cluster: 'pay', region: 'us-west-2' }));

    const groups = await listPending(apiDeps(fakes), alice);

    expect(groups.map((g) => [g.cluster, g.plans.map((p) => p.planId)])).toEqual([
      [ACCOUNT_WIDE, ['p-account']],
      ['pay (us-west-2)', ['p-cluster-2', 'p-cluster-1']],
    ]);
    expect(groups[0]?.plans[0]).toMatchObject({ title: 'finding f-p-account', status: 'awaiting-approval' });
  });

  it("shows a plan with its findings, its content hash and its request, never the request's task token", async () => {
    const fakes = fakeDeps();
    const { record, taskToken } = await givenWaitingPlan(fakes, RUN, trustPlan());

    const detail = await showPlan(apiDeps(fakes), alice, RUN, 'plan-1');

    expect(detail).toMatchObject({ contentHash: record.contentHash, findings: [{ id: 'f-plan-1' }] });
    expect(detail.approval).toBeDefined();
    expect(JSON.stringify(detail)).not.toContain(taskToken);
    await expect(showPlan(apiDeps(fakes), alice, RUN, 'nope')).rejects.toMatchObject({ name: 'PlanNotFoundError' });
  });
});

describe('decide', () => {
  it('records the decision bound to the content shown, and hands it to the dispatch to deliver', async () => {
    const fakes = fakeDeps();
    const { record } = await givenWaitingPlan(fakes, RUN, trustPlan());
    const dispatched: string[] = [];
    const dispatch = {
      decisionRecorded: async (runId: string, planId: string) => {
        dispatched.push(planId);
        await deliverDecision(fakes.deps, runId, planId);
      },
      rollbackRequested: async () => undefined,
    };
    await showPlan(apiDeps(fakes), alice, RUN, 'plan-1');

    const view = await decide(apiDeps(fakes, dispatch), alice, {
      runId: RUN,
      planId: 'plan-1',
      decision: 'approved',
      contentHash: record.contentHash,
      comment: '  fine  ',
    });

    expect(dispatched).toEqual(['plan-1']);
    expect(view).toMatchObject({ decision: 'approved', decidedBy: 'alice', comment: 'fine', delivery: 'delivered' });
    expect(view).not.toHaveProperty('taskToken');
    expect(fakes.callbacks.accepted()).toHaveLength(1);
  });

  it('fails when the person reviewed other content, and records nothing', async () => {
    const fakes = fakeDeps();
    await givenWaitingPlan(fakes, RUN, trustPlan());
    // alice opened the plan when it held other content
    await fakes.store.putPlanOpening({
      runId: RUN,
      planId: 'plan-1',
      openedBy: 'alice',
      contentHash: 'other',
      openedAt: fakes.clock.now().toISOString(),
    });
    await expect(
      decide(apiDeps(fakes), alice, { runId: RUN, planId: 'plan-1', decision: 'approved', contentHash: 'other' }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
    expect((await fakes.store.getApproval(RUN, 'plan-1'))?.decision).toBeUndefined();
  });
});

describe('rollback requests', () => {
  it('records a request as pending; the rollback step performs it as the person who asked and records it done', async () => {
    const fakes = fakeDeps();
    const changeId = await appliedChange(fakes);

    const status = await requestRollback(apiDeps(fakes), bob, changeId, 'broke prod');
    expect(status.request).toMatchObject({ status: 'pending', requestedBy: 'bob', comment: 'broke prod' });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('After'));

    const done = await runRollbackRequest(consoleDeps(fakes), changeId);

    expect(done).toMatchObject({ status: 'done', rollbackId: rollbackIdOf(changeId) });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('Before'));
    expect(await fakes.store.getAudit(rollbackIdOf(changeId))).toMatchObject({
      approvedBy: 'bob',
      comment: 'broke prod',
    });
    expect((await fakes.store.getPlan(RUN, 'plan-1'))?.status).toBe('rolled-back');
    expect(fakes.events.ofType('IRSA Doctor Change Rolled Back')).toEqual([
      expect.objectContaining({
        changeId,
        rollbackId: rollbackIdOf(changeId),
        rolledBackBy: 'bob',
        status: 'rolled-back',
      }),
    ]);
    // A redelivered stream record does nothing
    expect(await runRollbackRequest(consoleDeps(fakes), changeId)).toMatchObject({ status: 'done' });
    expect(fakes.fixes.written).toHaveLength(2);
  });

  it('records a request refused when a guard says no, and lets it be asked again', async () => {
    const fakes = fakeDeps();
    const changeId = await appliedChange(fakes);
    fakes.fixes.set(ROLE, trust('Someone'));
    await requestRollback(apiDeps(fakes), bob, changeId);

    const refused = await runRollbackRequest(consoleDeps(fakes), changeId);

    expect(refused).toMatchObject({ status: 'refused', error: { name: 'RollbackRefusedError', reason: 'drift' } });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('Someone'));
    const again = await requestRollback(apiDeps(fakes), alice, changeId);
    expect(again.request).toMatchObject({ status: 'pending', requestedBy: 'alice' });
  });

  it('records a request failed and rethrows when the write failed for another reason', async () => {
    const fakes = fakeDeps();
    const changeId = await appliedChange(fakes);
    await requestRollback(apiDeps(fakes), bob, changeId);
    fakes.fixes.interruptNextWrite();

    await expect(runRollbackRequest(consoleDeps(fakes), changeId)).rejects.toMatchObject({ name: 'WriterInterrupted' });
    expect(await fakes.store.getRollbackRequest(changeId)).toMatchObject({
      status: 'failed',
      error: { name: 'WriterInterrupted' },
    });
  });

  it('fails at once for an unknown change, a rollback record, or a change rolled back already', async () => {
    const fakes = fakeDeps();
    await expect(requestRollback(apiDeps(fakes), bob, 'nope')).rejects.toMatchObject({ name: 'ChangeNotFoundError' });
    const changeId = await appliedChange(fakes);
    await rollback(consoleDeps(fakes), alice, changeId);
    await expect(requestRollback(apiDeps(fakes), bob, changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'already-rolled-back',
    });
    await expect(requestRollback(apiDeps(fakes), bob, rollbackIdOf(changeId))).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'not-reversible',
    });
  });

  it('reconciles requests left pending past the threshold, and leaves recent ones to the stream', async () => {
    const fakes = fakeDeps();
    const old = await appliedChange(fakes, trustPlan('old', { resourceArn: 'arn:aws:iam::111111111111:role/old' }));
    const recent = await appliedChange(fakes, trustPlan('new', { resourceArn: 'arn:aws:iam::111111111111:role/new' }));
    await requestRollback(apiDeps(fakes), bob, old);
    fakes.clock.advance(ROLLBACK_RECONCILE_AFTER_MS);
    await requestRollback(apiDeps(fakes), bob, recent);

    const report = await reconcileRollbacks(consoleDeps(fakes));

    expect(report).toEqual({ stuck: 1, outcomes: { done: 1 }, failed: [] });
    expect((await fakes.store.getRollbackRequest(recent))?.status).toBe('pending');
  });
});

describe('listChanges', () => {
  it('lists applied changes newest first, each with its rollback and request', async () => {
    const fakes = fakeDeps();
    const first = await appliedChange(fakes, trustPlan('a', { resourceArn: 'arn:aws:iam::111111111111:role/a' }));
    fakes.clock.advance(1000);
    const second = await appliedChange(fakes, trustPlan('b', { resourceArn: 'arn:aws:iam::111111111111:role/b' }));
    await requestRollback(apiDeps(fakes), bob, first);
    await runRollbackRequest(consoleDeps(fakes), first);

    const changes = await listChanges(apiDeps(fakes), alice);

    expect(changes.map((c) => c.change.changeId)).toEqual([second, first]);
    expect(changes[1]).toMatchObject({
      rolledBackBy: { changeId: rollbackIdOf(first), approvedBy: 'bob' },
      rollbackRequest: { status: 'done' },
    });
  });
});
