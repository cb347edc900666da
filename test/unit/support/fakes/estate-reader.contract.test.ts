/** The in-memory EstateReader against the port's contract (the same assertions run against AwsEstateReader on the emulator). */
import { estateReaderContract } from '../../../support/contracts/estate-reader-contract';
import { account, cluster, role } from '../../../support/estate-builder';
import { InMemoryEstateReader } from '../../../support/fakes/estate-reader';

describe('InMemoryEstateReader', () => {
  estateReaderContract(async () => {
    const estate = new InMemoryEstateReader();
    const accounts = new Map<string, ReturnType<typeof account>>();
    let next = 0;
    return {
      estate,
      readableAccount: async (roleName) => {
        const accountId = String(700000000000 + next++);
        const a = account(accountId, { roles: [role(accountId, roleName, { Version: '2012-10-17', Statement: [] })] });
        accounts.set(accountId, a);
        estate.setAccount(a);
        return accountId;
      },
      unreadableAccount: async () => String(800000000000 + next++),
      activeCluster: async (accountId, region, name) => {
        const a = accounts.get(accountId) ?? account(accountId);
        const built = cluster({ name, region, accountId }).snapshot;
        const withCluster = { ...a, clusters: [...a.clusters, built] };
        accounts.set(accountId, withCluster);
        estate.setAccount(withCluster);
      },
    };
  });

  it("resolves the organization's active accounts under the given units", async () => {
    const estate = new InMemoryEstateReader({
      organization: [
        { accountId: '111111111111', name: 'a', parents: ['r-ab12', 'ou-ab12-cdef3456'] },
        { accountId: '222222222222', parents: ['r-ab12'] },
        { accountId: '333333333333', parents: ['r-ab12', 'ou-ab12-cdef3456'], status: 'SUSPENDED' },
      ],
    });
    const base = { accounts: [], organizationalUnits: [], exclude: [], organization: true };
    expect(await estate.resolveTargets({ ...base, organizationalUnits: ['ou-ab12-cdef3456'] })).toEqual([
      { accountId: '111111111111', name: 'a', ouPath: ['ou-ab12-cdef3456'] },
    ]);
    expect((await estate.resolveTargets(base)).map((t) => t.accountId)).toEqual(['111111111111', '222222222222']);
  });
});
