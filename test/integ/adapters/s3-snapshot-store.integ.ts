/**
 * S3SnapshotStore against the emulator's S3: account snapshots one at a time, the run's issuer index, and the
 * Distributed Maps' manifests as JSON arrays where the state machine reads them (runs/<runId>/manifests/<name>.json).
 */
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3SnapshotStore } from '../../../lambdas/adapters/s3-snapshot-store';
import { issuerEntry } from '../../../lambdas/domain/estate-shard';
import { account, cluster, provider } from '../../support/estate-builder';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

useEmulatorCredentials();

describe('S3SnapshotStore', () => {
  const client = new S3Client({ endpoint: endpointUrl(), region: 'us-east-1', forcePathStyle: true });
  const bucket = `snapshots-${Date.now()}`;
  const c = cluster({ name: 'pay', region: 'eu-west-1', accountId: '111111111111' });
  const a = account('111111111111', { name: 'payments', clusters: [c.snapshot], oidcProviders: [provider(c)] });
  const b = account('222222222222');

  beforeAll(async () => {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  it('reads back one account of a run, and nothing for an account or run without a snapshot', async () => {
    const store = new S3SnapshotStore(client, bucket);
    await store.putAccount('run-1', a);
    await store.putAccount('run-1', b);
    // Another function (a fresh store) reads what collection wrote.
    const reader = new S3SnapshotStore(client, bucket);
    expect(await reader.getAccount('run-1', '111111111111')).toEqual(a);
    expect(await reader.getAccount('run-1', '333333333333')).toBeUndefined();
    expect(await reader.getAccount('run-2', '111111111111')).toBeUndefined();
    // After every account was read (verify of a small run), single reads come from them.
    expect((await reader.getAccounts('run-1')).map((x) => x.accountId)).toEqual(['111111111111', '222222222222']);
    expect(await reader.getAccount('run-1', '222222222222')).toEqual(b);
  });

  it('writes the issuer index once and reads it from another function; none for a run without one', async () => {
    const writer = new S3SnapshotStore(client, bucket);
    const reader = new S3SnapshotStore(client, bucket);
    expect(await reader.getIndex('run-3')).toBeUndefined();
    const index = { partition: 'aws', accounts: [issuerEntry(a), issuerEntry(b)] };
    await writer.putIndex('run-3', index);
    // Asked before the index was written: not kept as missing.
    expect(await reader.getIndex('run-3')).toEqual(index);
    expect(await reader.getIndex('run-3')).toEqual(index);
    expect(await writer.getIndex('run-3')).toEqual(index);
  });

  it('writes manifests as JSON arrays under runs/<runId>/manifests/, the keys the state machine may read', async () => {
    const store = new S3SnapshotStore(client, bucket);
    const items = [{ accountId: '111111111111', name: 'payments' }, { accountId: '222222222222' }];
    const location = await store.putManifest('run-4', 'targets', items);
    expect(location).toEqual({ bucket, key: 'runs/run-4/manifests/targets.json' });
    const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    expect(out.ContentType).toBe('application/json');
    expect(JSON.parse((await out.Body?.transformToString('utf8')) ?? '')).toEqual(items);
    expect(await store.putManifest('run-4', 'empty', [])).toEqual({ bucket, key: 'runs/run-4/manifests/empty.json' });
    await expect(store.putManifest('run-4', '../escape', [])).rejects.toThrow(/manifest name/);
  });
});
