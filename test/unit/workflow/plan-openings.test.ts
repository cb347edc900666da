/**
 * A decision needs the plan opened: showPlan records who was shown which content hash, and decide refuses a person
 * with no opening of the hash it binds to (PlanNotOpenedError), recording nothing.
 */
import { type ApiDeps, DEFAULT_APPROVERS_GROUP, decide, showPlan } from '../../../lambdas/workflow/approver-actions';
import { recordOpening, requireOpened } from '../../../lambdas/workflow/plan-openings';
import { fakeDeps } from '../../support/fakes/fake-deps';
import { givenWaitingPlan, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';
const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
const bob = { id: 'bob', groups: [DEFAULT_APPROVERS_GROUP] };

describe('plan openings', () => {
  it('refuses a decision by a person who never opened the plan, and records nothing', async () => {
    const fakes = fakeDeps();
    const { record } = await givenWaitingPlan(fakes, RUN, trustPlan());
    const deps: ApiDeps = { store: fakes.store, now: fakes.clock.now, approversGroup: DEFAULT_APPROVERS_GROUP };
    const request = { runId: RUN, planId: 'plan-1', decision: 'approved', contentHash: record.contentHash } as const;

    await expect(decide(deps, alice, request)).rejects.toMatchObject({
      name: 'PlanNotOpenedError',
      message: expect.stringContaining('open the plan and read its diff before deciding'),
    });
    expect((await fakes.store.getApproval(RUN, 'plan-1'))?.decision).toBeUndefined();

    // bob opening it does not let alice decide; alice opening it does
    await showPlan(deps, bob, RUN, 'plan-1');
    await expect(decide(deps, alice, request)).rejects.toMatchObject({ name: 'PlanNotOpenedError' });
    await showPlan(deps, alice, RUN, 'plan-1');
    await expect(decide(deps, alice, request)).resolves.toMatchObject({ decision: 'approved', decidedBy: 'alice' });
  });

  it('binds an opening to the content hash shown: another hash of the same plan is not opened', async () => {
    const fakes = fakeDeps();
    const deps = { store: fakes.store, now: fakes.clock.now };
    const plan = { runId: RUN, planId: 'p', contentHash: 'a'.repeat(64) };
    await recordOpening(deps, 'alice', plan);

    await expect(requireOpened(deps, 'alice', plan)).resolves.toBeUndefined();
    await expect(requireOpened(deps, 'alice', { ...plan, contentHash: 'b'.repeat(64) })).rejects.toMatchObject({
      name: 'PlanNotOpenedError',
    });
    await expect(requireOpened(deps, 'alice', { ...plan, planId: 'q' })).rejects.toMatchObject({
      name: 'PlanNotOpenedError',
    });
  });
});
