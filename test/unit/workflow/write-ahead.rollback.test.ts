/**
 * rollbackWithAudit and reconcileAudit over the fakes: a rollback is guarded and audited like apply; its intent is
 * its lock; dependents refuse it; the reconciler completes open intents from what the resource holds.
 */
import {
  applyWithAudit,
  changeIdOf,
  RECONCILE_MIN_AGE_SECONDS,
  reconcileAudit,
  rollbackIdOf,
  rollbackWithAudit,
} from '../../../lambdas/workflow/write-ahead';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan, ROLE, trust, trustPlan } from '../../support/fakes/given';

const approval = { approvedBy: 'alice' };
const RUN = 'run-1';

async function applied(fakes: Fakes, plan = trustPlan()) {
  if (fakes.fixes.get(plan.resourceArn) === null) fakes.fixes.set(plan.resourceArn, plan.before);
  const out = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });
  return out.changeId;
}

describe('rollbackWithAudit', () => {
  it('restores what the change replaced, recorded as a rollback after its intent', async () => {
    const fakes = fakeDeps();
    const changeId = await applied(fakes);

    const out = await rollbackWithAudit(fakes.deps, 'bob', changeId, 'undo');

    expect(out.status).toBe('rolled-back');
    expect(fakes.fixes.get(ROLE)).toEqual(trust('Before'));
    expect(await fakes.store.getAudit(rollbackIdOf(changeId))).toMatchObject({
      kind: 'rollback',
      rollsBack: changeId,
      approvedBy: 'bob',
      comment: 'undo',
      outcome: 'applied',
      replaced: trust('After'),
      wrote: trust('Before'),
    });
    expect(await fakes.store.getAuditIntent(rollbackIdOf(changeId))).toMatchObject({ approvedBy: 'bob' });
  });

  it('fails when the change was rolled back already, and writes nothing', async () => {
    const fakes = fakeDeps();
    const changeId = await applied(fakes);
    await rollbackWithAudit(fakes.deps, 'bob', changeId);
    const writes = fakes.fixes.written.length;

    await expect(rollbackWithAudit(fakes.deps, 'carol', changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'already-rolled-back',
      message: expect.stringContaining('bob'),
    });
    expect(fakes.fixes.written).toHaveLength(writes);
  });

  it('fails when the resource changed since the change, and writes and records nothing', async () => {
    const fakes = fakeDeps();
    const changeId = await applied(fakes);
    fakes.fixes.set(ROLE, trust('Someone'));

    await expect(rollbackWithAudit(fakes.deps, 'bob', changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'drift',
    });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('Someone'));
    // The guard refused before the hook: no intent, so a later attempt is free
    expect(await fakes.store.getAuditIntent(rollbackIdOf(changeId))).toBeUndefined();
  });

  it('fails while an applied change of the same run depends on it', async () => {
    const fakes = fakeDeps();
    const provider = trustPlan('provider', { resourceArn: 'arn:aws:iam::111111111111:role/provider-stand-in' });
    const dependent = trustPlan('dependent', { dependsOn: ['provider'] });
    const providerChange = await applied(fakes, provider);
    await applied(fakes, dependent);

    await expect(rollbackWithAudit(fakes.deps, 'bob', providerChange)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'dependents',
      message: expect.stringContaining(changeIdOf(RUN, 'dependent')),
    });
  });

  it("fails while someone else's rollback is under way, naming them", async () => {
    // Given alice's rollback that wrote and died before its record
    const fakes = fakeDeps();
    const changeId = await applied(fakes);
    fakes.fixes.interruptNextWrite();
    await expect(rollbackWithAudit(fakes.deps, 'alice', changeId)).rejects.toThrow();

    // When bob asks at once, he is refused; when alice retries, her rollback completes without writing again
    await expect(rollbackWithAudit(fakes.deps, 'bob', changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringContaining('being rolled back by alice'),
    });
    const writes = fakes.fixes.written.length;
    const out = await rollbackWithAudit(fakes.deps, 'alice', changeId);
    expect(out.record).toMatchObject({ approvedBy: 'alice', outcome: 'applied', completedBy: 'retry' });
    expect(fakes.fixes.written).toHaveLength(writes);
  });

  it('fails when the change does not exist or is not an applied change', async () => {
    const fakes = fakeDeps();
    await expect(rollbackWithAudit(fakes.deps, 'bob', 'nope')).rejects.toMatchObject({ name: 'ChangeNotFoundError' });
    const changeId = await applied(fakes);
    await rollbackWithAudit(fakes.deps, 'bob', changeId);
    await expect(rollbackWithAudit(fakes.deps, 'bob', rollbackIdOf(changeId))).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'not-reversible',
    });
  });
});

describe('reconcileAudit', () => {
  it('completes open intents old enough from what the resource holds, and leaves young ones', async () => {
    // Given three interrupted applies: one wrote, one never wrote, one whose role someone else changed since
    const fakes = fakeDeps();
    const plans = ['wrote', 'never', 'drifted'].map((id) =>
      trustPlan(id, { resourceArn: `arn:aws:iam::111111111111:role/${id}` }),
    );
    for (const plan of plans) {
      await givenPlan(fakes, RUN, plan, { status: 'awaiting-approval' });
      fakes.fixes.set(plan.resourceArn, plan.before);
      fakes.fixes.interruptNextWrite();
      await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toThrow();
    }
    fakes.fixes.set('arn:aws:iam::111111111111:role/never', trust('Before'));
    fakes.fixes.set('arn:aws:iam::111111111111:role/drifted', trust('Someone'));

    // When the reconciler runs before the minimum age, then after it
    const early = await reconcileAudit(fakes.deps, {});
    fakes.clock.advanceSeconds(RECONCILE_MIN_AGE_SECONDS);
    const late = await reconcileAudit(fakes.deps, {});

    // Then it waited first, and then completed each as the resource says
    expect(early).toEqual({ completed: [], waiting: 3, failed: [] });
    expect(late.failed).toEqual([]);
    expect(Object.fromEntries(late.completed.map((c) => [c.changeId, c.outcome]))).toEqual({
      [changeIdOf(RUN, 'wrote')]: 'applied',
      [changeIdOf(RUN, 'never')]: 'not-applied',
      [changeIdOf(RUN, 'drifted')]: 'drift',
    });
    expect(await fakes.store.getAudit(changeIdOf(RUN, 'drifted'))).toMatchObject({
      completedBy: 'reconciler',
      found: trust('Someone'),
    });
    // The plan whose change is in place is marked applied; the others are left to their step
    expect(await fakes.store.getPlan(RUN, 'wrote')).toMatchObject({
      status: 'applied',
      changeId: changeIdOf(RUN, 'wrote'),
    });
    expect((await fakes.store.getPlan(RUN, 'never'))?.status).toBe('awaiting-approval');
    expect(await fakes.store.listOpenAuditIntents()).toEqual([]);
    // It only read: nothing written beyond the three interrupted writes
    expect(fakes.fixes.written).toHaveLength(3);
  });

  it('reports a failure on one intent and still completes the others', async () => {
    const fakes = fakeDeps();
    const good = trustPlan('good', { resourceArn: 'arn:aws:iam::111111111111:role/good' });
    fakes.fixes.set(good.resourceArn, good.before).interruptNextWrite();
    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: good.id, plan: good, approval })).rejects.toThrow();
    // An intent of an action the writer cannot read (never applied by IRSA Doctor)
    await fakes.store.putAuditIntent({
      changeId: 'bad',
      kind: 'apply',
      runId: RUN,
      planId: 'bad',
      accountId: '111111111111',
      resourceArn: 'arn:aws:iam::111111111111:oidc-provider/x',
      action: 'delete-oidc-provider',
      expected: null,
      intended: null,
      writes: [],
      approvedBy: 'alice',
      intendedAt: fakes.clock.iso(),
    });

    const out = await reconcileAudit(fakes.deps, { minAgeSeconds: 0 });

    expect(out.completed).toEqual([{ changeId: changeIdOf(RUN, 'good'), outcome: 'applied' }]);
    expect(out.failed).toEqual([{ changeId: 'bad', error: expect.stringContaining('PlanNotApplicableError') }]);
  });
});
