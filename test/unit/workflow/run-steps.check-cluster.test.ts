/** checkCluster over the EstateReader fake: wait while the cluster is being created, go on or give up otherwise. */
import { checkCluster } from '../../../lambdas/workflow/run-steps';
import { fakeDeps } from '../../support/fakes/fake-deps';

const CLUSTER = { accountId: '222222222222', region: 'eu-west-1', name: 'prod' };

describe('checkCluster', () => {
  it.each([
    ['ACTIVE', { ready: true, giveUp: false }],
    ['CREATING', { ready: false, giveUp: false }],
    ['FAILED', { ready: false, giveUp: true, reason: 'cluster prod is FAILED' }],
    ['DELETING', { ready: false, giveUp: true, reason: 'cluster prod is DELETING' }],
  ])('answers %s with %j, counting the attempt', async (status, expected) => {
    const fakes = fakeDeps();
    fakes.estate.setClusterStatus(CLUSTER, status);
    expect(await checkCluster(fakes.deps, { cluster: CLUSTER, attempt: 2 })).toEqual({
      attempt: 3,
      status,
      ...expected,
    });
  });

  it('gives up on a cluster that does not exist', async () => {
    const fakes = fakeDeps();
    expect(await checkCluster(fakes.deps, { cluster: CLUSTER, attempt: 0 })).toEqual({
      attempt: 1,
      status: 'NOT_FOUND',
      ready: false,
      giveUp: true,
      reason: 'cluster prod not found in 222222222222 eu-west-1',
    });
  });

  it('gives up on a cluster still being created after the configured number of checks', async () => {
    const fakes = fakeDeps({ env: { clusterWaitAttempts: 3 } });
    fakes.estate.setClusterStatus(CLUSTER, 'CREATING');
    expect(await checkCluster(fakes.deps, { cluster: CLUSTER, attempt: 1 })).toMatchObject({ giveUp: false });
    expect(await checkCluster(fakes.deps, { cluster: CLUSTER, attempt: 2 })).toMatchObject({
      attempt: 3,
      giveUp: true,
      reason: 'cluster prod still CREATING after 3 checks',
    });
  });
});
