import type { IssuerEntry } from '../domain/estate-shard';
import type { AccountSnapshot } from '../domain/snapshot';

/** Where a state machine reads a Distributed Map's items (an S3 JSON array). */
export interface ManifestLocation {
  readonly bucket: string;
  readonly key: string;
}

/**
 * The issuers of the whole estate: every account's clusters and OIDC providers, without roles or Kubernetes objects
 * (small: what the cross-account rules need beside one account's snapshot), and which accounts each one's workloads
 * and trust policies name (lambdas/domain/estate-shard.ts).
 */
export interface IssuerIndex {
  readonly partition?: string;
  readonly accounts: ReadonlyArray<IssuerEntry>;
}

/** Collected account snapshots of a run (S3 in AWS): too large for the state machine's payload. */
export interface SnapshotStore {
  putAccount(runId: string, account: AccountSnapshot): Promise<void>;
  /** Every account of the run (verify of a small run; never the sharded sweep). */
  getAccounts(runId: string): Promise<AccountSnapshot[]>;
  /** One account's snapshot of the run, undefined when its collection left none. */
  getAccount(runId: string, accountId: string): Promise<AccountSnapshot | undefined>;
  putIndex(runId: string, index: IssuerIndex): Promise<void>;
  getIndex(runId: string): Promise<IssuerIndex | undefined>;
  /** Writes a JSON array a Distributed Map reads (ItemReader), returns where. */
  putManifest(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation>;
}
