/**
 * startRun over the fakes: what stays as the sweep grows (the run record, targets through the EstateReader,
 * regions, dry run, the duplicate cluster trigger); the shape of what it returns for collection is the steps
 * branch's.
 */
import { startRun, TRIGGER_TTL_SECONDS } from '../../../lambdas/workflow/run-steps';
import { fakeDeps } from '../../support/fakes/fake-deps';

const start = (executionName: string, input: object) => ({
  input,
  executionName,
  executionId: `arn:aws:states:eu-west-1:000000000000:execution:IrsaDoctorSweep:${executionName}`,
  startedAt: '2026-11-30T09:00:00.000Z',
});
const CLUSTER = { accountId: '222222222222', region: 'eu-west-1', name: 'prod' };

describe('startRun', () => {
  it('records a sweep of the configured accounts (less exclusions) in the configured regions', async () => {
    const fakes = fakeDeps({
      env: {
        accounts: ['333333333333', '111111111111', '222222222222'],
        excludeAccounts: ['222222222222'],
        regions: ['eu-west-1', 'us-east-1'],
      },
    });

    const out = await startRun(fakes.deps, start('run-1', { trigger: 'schedule' }));

    expect(out).toMatchObject({
      runId: 'run-1',
      mode: 'sweep',
      dryRun: false,
      duplicate: false,
      regions: ['eu-west-1', 'us-east-1'],
    });
    expect(await fakes.store.getRun('run-1')).toMatchObject({
      runId: 'run-1',
      mode: 'sweep',
      trigger: 'schedule',
      status: 'running',
      targets: ['111111111111', '333333333333'],
      regions: ['eu-west-1', 'us-east-1'],
      startedAt: '2026-11-30T09:00:00.000Z',
    });
  });

  it('sweeps the accounts and regions a run names instead of the configured ones, as a dry run when asked', async () => {
    const fakes = fakeDeps({ env: { accounts: ['111111111111'] } });

    const out = await startRun(
      fakes.deps,
      start('run-2', { accounts: ['444444444444'], regions: ['ap-south-1'], dryRun: true }),
    );

    expect(out).toMatchObject({ dryRun: true, regions: ['ap-south-1'] });
    expect(await fakes.store.getRun('run-2')).toMatchObject({ dryRun: true, targets: ['444444444444'] });
  });

  it.each([
    ['aws-cn', ['cn-north-1', 'cn-northwest-1']],
    ['aws-us-gov', ['us-gov-west-1', 'us-gov-east-1']],
  ] as const)(
    'with no regions configured, sweeps the default regions of the hub partition %s',
    async (partition, regions) => {
      const fakes = fakeDeps({ env: { accounts: ['111111111111'], regions: [], partition } });

      const out = await startRun(fakes.deps, start(`run-${partition}`, {}));

      expect(out.regions).toEqual(regions);
      expect((await fakes.store.getRun(`run-${partition}`))?.regions).toEqual(regions);
    },
  );

  it("sweeps the organization's active accounts when configured so", async () => {
    const fakes = fakeDeps({
      env: { organization: true },
      estate: {
        organization: [
          { accountId: '111111111111', name: 'prod' },
          { accountId: '222222222222', status: 'SUSPENDED' },
        ],
      },
    });

    await startRun(fakes.deps, start('run-3', {}));

    expect((await fakes.store.getRun('run-3'))?.targets).toEqual(['111111111111']);
  });

  it('records where each account sits under the swept OUs (for OU-scoped approvers), and who asked for the run', async () => {
    const fakes = fakeDeps({
      env: { organization: true, organizationalUnits: ['ou-ab12-11111111'] },
      estate: {
        organization: [
          { accountId: '111111111111', parents: ['r-ab12', 'ou-ab12-11111111', 'ou-ab12-22222222'] },
          { accountId: '222222222222', parents: ['r-ab12', 'ou-ab12-33333333'] },
        ],
      },
    });

    await startRun(fakes.deps, start('run-ou', { requestedBy: 'carol' }));

    expect([...(await fakes.store.getAccountDirectory())]).toEqual([
      ['111111111111', ['ou-ab12-11111111', 'ou-ab12-22222222']],
    ]);
    expect((await fakes.store.getRun('run-ou'))?.requestedBy).toBe('carol');
  });

  it('fails on a malformed account id, and records no run', async () => {
    const fakes = fakeDeps();
    await expect(startRun(fakes.deps, start('run-4', { accounts: ['12345'] }))).rejects.toMatchObject({
      name: 'UsageError',
    });
    expect(await fakes.store.getRun('run-4')).toBeUndefined();
  });

  it('checks one new cluster in its account and region, once per cluster while the trigger is held', async () => {
    // Given a cluster run
    const fakes = fakeDeps();
    const first = await startRun(fakes.deps, start('run-a', { mode: 'cluster', cluster: CLUSTER }));
    expect(first).toMatchObject({ mode: 'cluster', duplicate: false, regions: ['eu-west-1'], cluster: CLUSTER });
    expect((await fakes.store.getRun('run-a'))?.targets).toEqual(['222222222222']);

    // When the same cluster's event starts another run
    const second = await startRun(fakes.deps, start('run-b', { mode: 'cluster', cluster: CLUSTER }));

    // Then that run is a duplicate naming the first, and collects nothing
    expect(second).toMatchObject({ duplicate: true, regions: [] });
    expect(await fakes.store.getRun('run-b')).toMatchObject({ status: 'duplicate', summary: { duplicateOf: 'run-a' } });

    // And once the trigger's time is up, the cluster may be checked again
    fakes.clock.advanceSeconds(TRIGGER_TTL_SECONDS + 1);
    expect((await startRun(fakes.deps, start('run-c', { mode: 'cluster', cluster: CLUSTER }))).duplicate).toBe(false);
  });
});
