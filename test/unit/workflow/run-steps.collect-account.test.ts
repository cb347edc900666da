/** collectAccountStep over the fakes: one account read as the scanner, its snapshot kept for the run. */
import { collectAccountStep } from '../../../lambdas/workflow/run-steps';
import { account, cluster, provider } from '../../support/estate-builder';
import { fakeDeps } from '../../support/fakes/fake-deps';

const A = '111111111111';
const west = cluster({ name: 'west', region: 'us-west-2', accountId: A });
const east = cluster({ name: 'east', region: 'us-east-1', accountId: A });

describe('collectAccountStep', () => {
  it("keeps the account's snapshot in the run's regions, named as the target is", async () => {
    const fakes = fakeDeps({
      estate: { accounts: [account(A, { clusters: [west.snapshot, east.snapshot], oidcProviders: [provider(west)] })] },
    });

    const out = await collectAccountStep(fakes.deps, {
      runId: 'run-1',
      regions: ['us-west-2'],
      target: { accountId: A, name: 'prod' },
    });

    expect(out).toEqual({ accountId: A, status: 'complete', clusters: 1, oidcProviders: 1, refersTo: 0, roles: 0 });
    expect(await fakes.snapshots.getAccount('run-1', A)).toMatchObject({
      accountId: A,
      name: 'prod',
      clusters: [{ name: 'west' }],
      oidcProviders: [{ arn: west.providerArn() }],
    });
    expect(await fakes.snapshots.getAccount('run-2', A)).toBeUndefined();
  });

  it('keeps an account it cannot read as unreachable, without failing', async () => {
    const fakes = fakeDeps();

    const out = await collectAccountStep(fakes.deps, {
      runId: 'run-1',
      regions: ['us-west-2'],
      target: { accountId: A },
    });

    expect(out).toMatchObject({ accountId: A, status: 'unreachable', clusters: 0, roles: 0 });
    expect((await fakes.snapshots.getAccount('run-1', A))?.collection?.status).toBe('unreachable');
  });
});
