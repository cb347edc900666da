/** recordOutcome over the fakes: every way a plan ends without its change is recorded on the plan, with why. */

import { recordDecision } from '../../../lambdas/workflow/decision-delivery';
import { recordOutcome } from '../../../lambdas/workflow/plan-steps';
import { fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan, givenWaitingPlan, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';

describe('recordOutcome', () => {
  it('records a rejection with who rejected it and why', async () => {
    const fakes = fakeDeps();
    await givenWaitingPlan(fakes, RUN, trustPlan());
    await recordDecision(fakes.deps, {
      runId: RUN,
      planId: 'plan-1',
      decision: 'rejected',
      by: 'bob',
      comment: 'not now',
    });

    expect(await recordOutcome(fakes.deps, { runId: RUN, planId: 'plan-1', outcome: 'rejected' })).toEqual({
      recorded: 'rejected',
    });
    expect(await fakes.store.getPlan(RUN, 'plan-1')).toMatchObject({
      status: 'rejected',
      detail: 'rejected by bob: not now',
    });
  });

  it.each([
    ['timed-out', 'no decision before the approval timeout'],
    ['dry-run', 'dry run: approved, not written'],
    ['drift', 'the resource changed after planning; nothing was written (re-scan and re-plan)'],
  ] as const)('records %s with its reason', async (outcome, detail) => {
    const fakes = fakeDeps();
    await givenPlan(fakes, RUN, trustPlan(), { status: 'awaiting-approval' });
    await recordOutcome(fakes.deps, { runId: RUN, planId: 'plan-1', outcome });
    expect(await fakes.store.getPlan(RUN, 'plan-1')).toMatchObject({ status: outcome, detail });
    expect(fakes.telemetry.data).toEqual([{ metric: 'PlanOutcomes', value: 1, dimensions: { Outcome: outcome } }]);
  });

  it('lists a timed-out approval request, with what it was for, for the history', async () => {
    const fakes = fakeDeps();
    await givenWaitingPlan(fakes, RUN, trustPlan());
    await recordOutcome(fakes.deps, { runId: RUN, planId: 'plan-1', outcome: 'timed-out' });
    const { items } = await fakes.store.pageTimeouts();
    expect(items).toEqual([
      expect.objectContaining({
        runId: RUN,
        planId: 'plan-1',
        action: 'update-trust-policy',
        timedOutAt: fakes.clock.iso(),
      }),
    ]);
    expect(items[0]?.requestedAt).toBeDefined();
  });

  it('records a failure with the error the state machine caught', async () => {
    const fakes = fakeDeps();
    await givenPlan(fakes, RUN, trustPlan(), { status: 'awaiting-approval' });
    const error = { Error: 'Lambda.Unknown', Cause: 'timeout' };
    await recordOutcome(fakes.deps, { runId: RUN, planId: 'plan-1', outcome: 'failed', error });
    expect(await fakes.store.getPlan(RUN, 'plan-1')).toMatchObject({ status: 'failed', error });
    // A failed apply is counted twice: among the outcomes, and as an apply failure (which a person must act on).
    expect(fakes.telemetry.total('PlanOutcomes', { Outcome: 'failed' })).toBe(1);
    expect(fakes.telemetry.total('ApplyFailures')).toBe(1);
  });

  it('fails when the plan is not in the run, and creates nothing', async () => {
    const fakes = fakeDeps();
    await expect(recordOutcome(fakes.deps, { runId: RUN, planId: 'nope', outcome: 'skipped' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await fakes.store.getPlan(RUN, 'nope')).toBeUndefined();
    expect(fakes.telemetry.data).toEqual([]);
  });
});
