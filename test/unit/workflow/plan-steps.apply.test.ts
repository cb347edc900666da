/**
 * applyPlanStep over the fakes: an approval binds to the content hash (a plan whose shown content changed is not
 * written), the drift guard refuses a resource that changed since planning, the outcome is recorded on the plan
 * and published.
 */
import { applyPlanStep } from '../../../lambdas/workflow/plan-steps';
import { changeIdOf } from '../../../lambdas/workflow/write-ahead';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { findingFor, givenPlan, ROLE, trust, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';

async function approvedPlan(resource: unknown = trust('Before')) {
  const fakes = fakeDeps();
  const plan = trustPlan();
  const record = await givenPlan(fakes, RUN, plan, { status: 'awaiting-approval' });
  fakes.fixes.set(ROLE, resource);
  return { fakes, plan, record };
}

const nothingWritten = async (fakes: Fakes) => {
  expect(fakes.fixes.written).toEqual([]);
  expect(await fakes.store.listOpenAuditIntents()).toEqual([]);
  expect(await fakes.store.listAudit()).toEqual([]);
};

describe('applyPlanStep', () => {
  it('writes the approved plan, records the change on the plan and publishes it', async () => {
    const { fakes, plan, record } = await approvedPlan();

    const out = await applyPlanStep(fakes.deps, {
      runId: RUN,
      planId: plan.id,
      approval: { approvedBy: 'alice', contentHash: record.contentHash },
    });

    const changeId = changeIdOf(RUN, plan.id);
    expect(out).toEqual({ status: 'applied', changeId, writes: ['iam:UpdateAssumeRolePolicy'] });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('After'));
    expect(await fakes.store.getPlan(RUN, plan.id)).toMatchObject({ status: 'applied', changeId });
    expect(await fakes.store.getAudit(changeId)).toMatchObject({ approvedBy: 'alice', outcome: 'applied' });
    expect(fakes.events.ofType('IRSA Doctor Change Applied')).toEqual([
      expect.objectContaining({ runId: RUN, planId: plan.id, changeId, status: 'applied', approvedBy: 'alice' }),
    ]);
  });

  it('fails when the approver saw other content than the stored plan, and writes nothing', async () => {
    const { fakes, plan } = await approvedPlan();

    await expect(
      applyPlanStep(fakes.deps, {
        runId: RUN,
        planId: plan.id,
        approval: { approvedBy: 'alice', contentHash: 'other' },
      }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
    await nothingWritten(fakes);
  });

  it("fails when what is shown with the plan changed since the approval (the run's findings), and writes nothing", async () => {
    const { fakes, plan, record } = await approvedPlan();
    await fakes.store.putFindings(RUN, [{ ...findingFor(`f-${plan.id}`), message: 'edited after approval' }]);

    await expect(
      applyPlanStep(fakes.deps, {
        runId: RUN,
        planId: plan.id,
        approval: { approvedBy: 'alice', contentHash: record.contentHash },
      }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
    await nothingWritten(fakes);
  });

  it('fails when the resource changed since planning, and writes nothing', async () => {
    const { fakes, plan } = await approvedPlan(trust('Someone'));

    await expect(
      applyPlanStep(fakes.deps, { runId: RUN, planId: plan.id, approval: { approvedBy: 'alice' } }),
    ).rejects.toMatchObject({ name: 'StalePlanError' });
    await nothingWritten(fakes);
    expect(fakes.fixes.get(ROLE)).toEqual(trust('Someone'));
  });

  it('records a plan whose resource already held the approved state as already applied', async () => {
    const { fakes, plan } = await approvedPlan(trust('After'));

    const out = await applyPlanStep(fakes.deps, { runId: RUN, planId: plan.id, approval: { approvedBy: 'alice' } });

    expect(out.status).toBe('already-applied');
    expect(await fakes.store.getPlan(RUN, plan.id)).toMatchObject({
      status: 'already-applied',
      detail: 'the resource already held the approved state',
    });
    await nothingWritten(fakes);
  });

  it('fails when the plan is not in the run', async () => {
    const fakes = fakeDeps();
    await expect(
      applyPlanStep(fakes.deps, { runId: RUN, planId: 'nope', approval: { approvedBy: 'alice' } }),
    ).rejects.toMatchObject({ name: 'PlanNotFoundError' });
  });
});
