import type { AccountSnapshot } from '../domain/snapshot';

/** Collected account snapshots of a run (S3 in AWS): too large for the state machine's payload. */
export interface SnapshotStore {
  putAccount(runId: string, account: AccountSnapshot): Promise<void>;
  getAccounts(runId: string): Promise<AccountSnapshot[]>;
}
