/**
 * S3SnapshotStore on the emulator against the SnapshotStore contract the in-memory fake passes
 * (test/unit/support/fakes/snapshot-store.contract.test.ts). `scale` covers getAccount, index and manifests too.
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_REGION } from '../../../infra/local/synthesized-definition';
import { S3SnapshotStore } from '../../../lambdas/adapters/s3-snapshot-store';
import { snapshotStoreContract } from '../../support/contracts/snapshot-store-contract';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let client: S3Client;
const bucket = `contract-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  useEmulatorCredentials();
  client = new S3Client({ endpoint: endpointUrl(), region: LOCAL_REGION, forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(() => client?.destroy());

describe('S3SnapshotStore', () => {
  snapshotStoreContract(
    async () => ({
      // A store per test, as a cold function: the last run read is kept per instance.
      snapshots: new S3SnapshotStore(client, bucket),
      readManifest: async (location) => {
        const out = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
        return JSON.parse((await out.Body?.transformToString('utf8')) ?? 'null');
      },
    }),
    { scale: true },
  );
});
