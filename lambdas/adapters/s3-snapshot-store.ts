import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { AccountSnapshot } from '../domain/snapshot';
import type { IssuerIndex, ManifestLocation, SnapshotStore } from '../ports/snapshot-store';

const MANIFEST_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether S3 said the object is not there (GetObject on a missing key). */
function missing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * A run's objects in the hub's snapshot bucket (expired by lifecycle): account snapshots as
 * runs/<runId>/accounts/<accountId>.json, the issuer index as runs/<runId>/index.json, the Distributed Maps'
 * manifests as runs/<runId>/manifests/<name>.json (the only keys the state machine may read).
 *
 * A run's snapshots and index are read only once written and never change after, so a warm function keeps the last
 * run's index (every analyze-account and verify-plan of a run reads it) and, when asked for every account (a small
 * run's verify), those. Single accounts are not kept: an analysis worker goes through many accounts, and memory must
 * stay bounded by one account's snapshot and the accounts it shares workloads with.
 */
export class S3SnapshotStore implements SnapshotStore {
  private last: { readonly runId: string; readonly accounts: Promise<AccountSnapshot[]> } | undefined;
  private lastIndex: { readonly runId: string; readonly index: Promise<IssuerIndex | undefined> } | undefined;

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

  async getAccount(runId: string, accountId: string): Promise<AccountSnapshot | undefined> {
    if (this.last?.runId === runId) {
      const all = await this.last.accounts.catch(() => undefined);
      const found = all?.find((a) => a.accountId === accountId);
      if (found) return found;
    }
    return this.readJson<AccountSnapshot>(`runs/${runId}/accounts/${accountId}.json`);
  }

  async putIndex(runId: string, index: IssuerIndex): Promise<void> {
    await this.writeJson(`runs/${runId}/index.json`, index);
    this.lastIndex = { runId, index: Promise.resolve(index) };
  }

  getIndex(runId: string): Promise<IssuerIndex | undefined> {
    if (this.lastIndex?.runId !== runId) {
      const index = this.readJson<IssuerIndex>(`runs/${runId}/index.json`);
      const entry = { runId, index };
      this.lastIndex = entry;
      // Not there yet, or a failed read: asked again next time, never kept.
      index.then(
        (found) => {
          if (!found && this.lastIndex === entry) this.lastIndex = undefined;
        },
        () => {
          if (this.lastIndex === entry) this.lastIndex = undefined;
        },
      );
    }
    return this.lastIndex.index;
  }

  async putManifest(runId: string, name: string, items: readonly unknown[]): Promise<ManifestLocation> {
    if (!MANIFEST_NAME.test(name))
      throw new Error(`manifest name "${name.slice(0, 80)}" must be 1-64 of [A-Za-z0-9_-]`);
    const key = `runs/${runId}/manifests/${name}.json`;
    await this.writeJson(key, items);
    return { bucket: this.bucket, key };
  }

  private async writeJson(key: string, value: unknown): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  }

  private async readJson<T>(key: string): Promise<T | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await (out.Body?.transformToString('utf8') ?? Promise.resolve(''));
      return text === '' ? undefined : (JSON.parse(text) as T);
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
  }
}
