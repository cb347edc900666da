/**
 * verifyPlan over the fakes, with the real analysis: the resource the plan touched is read again (from the fix
 * writer fake, as the scanner would read what the remediator wrote) into the run's snapshot of the account, and the
 * plan is verified only when its findings are gone.
 */
import { planEstate } from '../../../lambdas/domain/plan/plan-estate';
import { verifyPlan } from '../../../lambdas/workflow/plan-steps';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
  serviceAccount,
} from '../../support/estate-builder';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan } from '../../support/fakes/given';

const A = '111111111111';
const RUN = 'run-1';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const ROLE = `arn:aws:iam::${A}:role/app`;
// A subject with a stray trailing space: the pod's service account never matches it.
const collected = account(A, {
  clusters: [one.snapshot],
  oidcProviders: [provider(one)],
  roles: [role(A, 'app', policy(irsaStatement(one, sa('team-a', 'app '))))],
  serviceAccounts: [serviceAccount(one, 'team-a', 'app', ROLE)],
});
const [plan] = planEstate(estate([collected])).plans;

async function given(fakes: Fakes, resource: unknown) {
  if (!plan) throw new Error('the estate must give a plan');
  await fakes.snapshots.putAccount(RUN, collected);
  await givenPlan(fakes, RUN, plan, { status: 'applied' });
  fakes.fixes.set(ROLE, resource);
  return plan;
}

describe('verifyPlan', () => {
  it("verifies a plan once the resource holds its change: the plan's findings are gone", async () => {
    const fakes = fakeDeps();
    const p = await given(fakes, plan?.after);

    expect(await verifyPlan(fakes.deps, { runId: RUN, planId: p.id })).toEqual({ verified: true, remaining: [] });
    expect((await fakes.store.getPlan(RUN, p.id))?.status).toBe('verified');
  });

  it('records a plan unverified, naming what is still found, when the resource does not hold the change', async () => {
    const fakes = fakeDeps();
    const p = await given(fakes, plan?.before);

    const out = await verifyPlan(fakes.deps, { runId: RUN, planId: p.id });

    expect(out).toEqual({ verified: false, remaining: p.findingIds });
    expect(await fakes.store.getPlan(RUN, p.id)).toMatchObject({
      status: 'unverified',
      detail: `still found after the change: ${p.findingIds.join(', ')}`,
    });
  });
});
