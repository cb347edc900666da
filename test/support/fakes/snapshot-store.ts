/**
 * The SnapshotStore port in memory (lambdas/ports/snapshot-store.ts): account snapshots, the issuer index and the
 * manifests of a run, copied in and out. Manifests are kept where putManifest says they are, so a test can read
 * the items a Distributed Map would (`manifest(location)`).
 */
import type { AccountSnapshot } from '../../../lambdas/domain/snapshot';
import type { IssuerIndex, ManifestLocation, SnapshotStore } from '../../../lambdas/ports/snapshot-store';

const copy = <T>(value: T): T => structuredClone(value);

export class InMemorySnapshotStore implements SnapshotStore {
  private readonly accounts = new Map<string, Map<string, AccountSnapshot>>();
  private readonly indexes = new Map<string, IssuerIndex>();
  private readonly objects = new Map<string, unknown[]>();

  constructor(readonly bucket = 'fake-snapshots') {}

  async putAccount(runId: string, account: AccountSnapshot) {
    const run = this.accounts.get(runId) ?? new Map<string, AccountSnapshot>();
    run.set(account.accountId, copy(account));
    this.accounts.set(runId, run);
  }

  /** Every account of the run, by account id (as the S3 adapter lists its keys). */
  async getAccounts(runId: string) {
    return [...(this.accounts.get(runId)?.values() ?? [])]
      .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
      .map(copy);
  }

  async getAccount(runId: string, accountId: string) {
    const account = this.accounts.get(runId)?.get(accountId);
    return account ? copy(account) : undefined;
  }

  async putIndex(runId: string, index: IssuerIndex) {
    this.indexes.set(runId, copy(index));
  }

  async getIndex(runId: string) {
    const index = this.indexes.get(runId);
    return index ? copy(index) : undefined;
  }

  async putManifest(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation> {
    const key = `runs/${runId}/manifests/${name}.json`;
    this.objects.set(key, copy([...items]));
    return { bucket: this.bucket, key };
  }

  /** The items a manifest holds (what a Distributed Map's ItemReader reads); undefined when none was written there. */
  manifest(location: ManifestLocation): unknown[] | undefined {
    if (location.bucket !== this.bucket) return undefined;
    const items = this.objects.get(location.key);
    return items ? copy(items) : undefined;
  }
}
