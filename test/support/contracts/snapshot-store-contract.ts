/**
 * What every SnapshotStore does (lambdas/ports/snapshot-store.ts), as assertions run against the in-memory fake
 * (test/unit/support/fakes/snapshot-store.contract.test.ts) and S3SnapshotStore on the emulator
 * (test/integ/adapters/snapshot-store.contract.integ.ts). A run's snapshots are read once its collection is over
 * (the S3 store keeps the last run read), so no test writes to a run after reading it.
 *
 * `scale`: getAccount, the issuer index and manifests (issue 15), placeholders in S3SnapshotStore until the `steps`
 * branch implements them; that branch turns them on in the integration file.
 */
import { randomUUID } from 'node:crypto';
import type { IssuerIndex, ManifestLocation, SnapshotStore } from '../../../lambdas/ports/snapshot-store';
import { account, cluster, provider } from '../estate-builder';

export interface SnapshotSubject {
  readonly snapshots: SnapshotStore;
  /** The items of a manifest where putManifest said it is (what a Distributed Map's ItemReader reads). */
  readManifest(location: ManifestLocation): Promise<unknown>;
}

const A = '111111111111';
const B = '222222222222';

export function snapshotStoreContract(make: () => Promise<SnapshotSubject>, parts: { readonly scale: boolean }): void {
  it("keeps each account's last snapshot of a run, and lists the run's accounts by id, no other run's", async () => {
    const { snapshots } = await make();
    const [run, other] = [`run-${randomUUID().slice(0, 8)}`, `run-${randomUUID().slice(0, 8)}`];
    await snapshots.putAccount(run, account(B));
    await snapshots.putAccount(run, account(A, { name: 'first' }));
    await snapshots.putAccount(run, account(A, { name: 'second' }));
    await snapshots.putAccount(other, account('333333333333'));

    const accounts = await snapshots.getAccounts(run);

    expect(accounts.map((a) => [a.accountId, a.name])).toEqual([
      [A, 'second'],
      [B, undefined],
    ]);
    expect(await snapshots.getAccounts(`run-${randomUUID().slice(0, 8)}`)).toEqual([]);
  });

  if (!parts.scale) return;

  it("reads one account's snapshot of a run, undefined when the run has none", async () => {
    const { snapshots } = await make();
    const run = `run-${randomUUID().slice(0, 8)}`;
    const west = cluster({ name: 'west', region: 'us-west-2', accountId: A });
    const snapshot = account(A, { clusters: [west.snapshot], oidcProviders: [provider(west)] });
    await snapshots.putAccount(run, snapshot);

    expect(await snapshots.getAccount(run, A)).toEqual(snapshot);
    expect(await snapshots.getAccount(run, B)).toBeUndefined();
  });

  it("keeps a run's issuer index", async () => {
    const { snapshots } = await make();
    const run = `run-${randomUUID().slice(0, 8)}`;
    const west = cluster({ name: 'west', region: 'us-west-2', accountId: A });
    const index: IssuerIndex = {
      accounts: [{ accountId: A, clusters: [west.snapshot], oidcProviders: [provider(west)] }],
    };

    expect(await snapshots.getIndex(run)).toBeUndefined();
    await snapshots.putIndex(run, index);
    expect(await snapshots.getIndex(run)).toEqual(index);
  });

  it("writes a manifest as a JSON array under the run's manifests, where it says", async () => {
    const { snapshots, readManifest } = await make();
    const run = `run-${randomUUID().slice(0, 8)}`;
    const items = [{ accountId: A, name: 'prod' }, { accountId: B }];

    const location = await snapshots.putManifest(run, 'targets', items);

    expect(location.key).toBe(`runs/${run}/manifests/targets.json`);
    expect(await readManifest(location)).toEqual(items);
  });
}
