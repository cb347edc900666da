import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { AccountSnapshot } from '../domain/snapshot';
import type { IssuerIndex, ManifestLocation, SnapshotStore } from '../ports/snapshot-store';

/**
 * Account snapshots as runs/<runId>/accounts/<accountId>.json in the hub's snapshot bucket (expired by lifecycle).
 * A run's snapshots are read only once collection has finished and never change after, so the last run read is
 * kept in memory: the verify step of every plan of a run (one warm function) reads them from S3 once, not per plan.
 */
export class S3SnapshotStore implements SnapshotStore {
  private last: { readonly runId: string; readonly accounts: Promise<AccountSnapshot[]> } | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async putAccount(runId: string, account: AccountSnapshot) {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `runs/${runId}/accounts/${account.accountId}.json`,
        Body: JSON.stringify(account),
        ContentType: 'application/json',
      }),
    );
  }

  getAccounts(runId: string): Promise<AccountSnapshot[]> {
    if (this.last?.runId !== runId) {
      const accounts = this.readAccounts(runId);
      this.last = { runId, accounts };
      accounts.catch(() => {
        if (this.last?.accounts === accounts) this.last = undefined;
      });
    }
    return this.last.accounts;
  }

  private async readAccounts(runId: string): Promise<AccountSnapshot[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: `runs/${runId}/accounts/` },
    )) {
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    }
    const accounts: AccountSnapshot[] = [];
    for (const key of keys.sort()) {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      accounts.push(
        JSON.parse(await (out.Body?.transformToString('utf8') ?? Promise.resolve('{}'))) as AccountSnapshot,
      );
    }
    return accounts;
  }

  // ---- issue 15: implemented by the shape branch; these throw until then ----
  getAccount(_runId: string, _accountId: string): Promise<AccountSnapshot | undefined> {
    throw new Error('getAccount: not implemented yet');
  }
  putIndex(_runId: string, _index: IssuerIndex): Promise<void> {
    throw new Error('putIndex: not implemented yet');
  }
  getIndex(_runId: string): Promise<IssuerIndex | undefined> {
    throw new Error('getIndex: not implemented yet');
  }
  putManifest(_runId: string, _name: string, _items: readonly unknown[]): Promise<ManifestLocation> {
    throw new Error('putManifest: not implemented yet');
  }
}
