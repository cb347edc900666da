/** preparePlan over the fakes: a plan waits for a person unless its action is configured to apply on its own. */
import { preparePlan } from '../../../lambdas/workflow/plan-steps';
import { fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan, givenRun, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';

describe('preparePlan', () => {
  it('routes a plan to approval and marks it awaiting approval', async () => {
    const fakes = fakeDeps();
    await givenRun(fakes, RUN);
    await givenPlan(fakes, RUN, trustPlan());

    expect(await preparePlan(fakes.deps, { runId: RUN, planId: 'plan-1' })).toEqual({ route: 'approval' });
    expect((await fakes.store.getPlan(RUN, 'plan-1'))?.status).toBe('awaiting-approval');
  });

  it('routes a plan of an auto-applied action to apply, without a person', async () => {
    const fakes = fakeDeps({ env: { autoApplyActions: ['update-trust-policy'] } });
    await givenRun(fakes, RUN);
    await givenPlan(fakes, RUN, trustPlan());

    expect(await preparePlan(fakes.deps, { runId: RUN, planId: 'plan-1' })).toEqual({ route: 'auto' });
    expect((await fakes.store.getPlan(RUN, 'plan-1'))?.status).toBe('proposed');
  });

  it('fails when the plan is not in the run', async () => {
    const fakes = fakeDeps();
    await expect(preparePlan(fakes.deps, { runId: RUN, planId: 'nope' })).rejects.toMatchObject({
      name: 'PlanNotFoundError',
    });
  });
});
