import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { AccountSnapshot } from '../domain/snapshot';
import type { SnapshotStore } from '../ports/snapshot-store';

/** Account snapshots as runs/<runId>/accounts/<accountId>.json in the hub's snapshot bucket (expired by lifecycle). */
export class S3SnapshotStore implements SnapshotStore {
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

  async getAccounts(runId: string) {
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
}
