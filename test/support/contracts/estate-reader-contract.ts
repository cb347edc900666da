/**
 * What every EstateReader does (lambdas/ports/estate-reader.ts), as assertions run against the in-memory fake
 * (test/unit/support/fakes/estate-reader.contract.test.ts) and AwsEstateReader as the scanner role on the emulator
 * (test/integ/adapters/estate-reader.contract.integ.ts): target selection, an account read or found unreachable
 * (never thrown), a cluster's status.
 */
import type { EstateReader } from '../../../lambdas/ports/estate-reader';

export interface EstateSubject {
  readonly estate: EstateReader;
  /** A member account the scanner can read, with a role of this name. */
  readableAccount(roleName: string): Promise<string>;
  /** An account the scanner cannot read (no scanner role there). */
  unreadableAccount(): Promise<string>;
  /** An active EKS cluster in the account and region. */
  activeCluster(accountId: string, region: string, name: string): Promise<void>;
}

const selection = (overrides: Partial<Parameters<EstateReader['resolveTargets']>[0]> = {}) => ({
  accounts: [],
  organization: false,
  organizationalUnits: [],
  exclude: [],
  ...overrides,
});

export function estateReaderContract(make: () => Promise<EstateSubject>): void {
  it('resolves a list of accounts sorted, without duplicates or exclusions', async () => {
    const { estate } = await make();
    const targets = await estate.resolveTargets(
      selection({
        accounts: ['333333333333', '111111111111', '333333333333', '222222222222'],
        exclude: ['222222222222'],
      }),
    );
    expect(targets).toEqual([{ accountId: '111111111111' }, { accountId: '333333333333' }]);
  });

  it.each([
    ['a malformed account id', { accounts: ['12345'] }],
    ['a malformed exclusion', { accounts: ['111111111111'], exclude: ['x'] }],
    ['both a list and the organization', { accounts: ['111111111111'], organization: true }],
    ['organizational units without the organization', { organizationalUnits: ['ou-ab12-cdef3456'] }],
    ['a malformed organizational unit', { organization: true, organizationalUnits: ['team-a'] }],
  ])('fails on %s', async (_what, overrides) => {
    const { estate } = await make();
    await expect(estate.resolveTargets(selection(overrides))).rejects.toMatchObject({ name: 'UsageError' });
  });

  it('reads an account it can read, with its roles', async () => {
    const { estate, readableAccount } = await make();
    const accountId = await readableAccount('app');

    const account = await estate.collectAccount({ accountId, name: 'prod' }, ['us-west-2']);

    expect(account).toMatchObject({ accountId, name: 'prod' });
    expect(account.collection?.status ?? 'complete').not.toBe('unreachable');
    expect(account.roles.map((r) => r.name)).toContain('app');
  });

  it('reports an account it cannot read as unreachable, with why, without failing', async () => {
    const { estate, unreadableAccount } = await make();
    const accountId = await unreadableAccount();

    const account = await estate.collectAccount({ accountId }, ['us-west-2']);

    expect(account).toMatchObject({ accountId, roles: [], clusters: [], collection: { status: 'unreachable' } });
    expect(account.collection?.errors?.length).toBeGreaterThan(0);
  });

  it("answers a cluster's status, NOT_FOUND for a cluster that does not exist", async () => {
    const { estate, readableAccount, activeCluster } = await make();
    const accountId = await readableAccount('app');
    await activeCluster(accountId, 'us-west-2', 'prod');

    expect(await estate.clusterStatus({ accountId, region: 'us-west-2', name: 'prod' })).toBe('ACTIVE');
    expect(await estate.clusterStatus({ accountId, region: 'us-west-2', name: 'nope' })).toBe('NOT_FOUND');
  });
}
