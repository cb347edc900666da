import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { AwsClientFactory } from '../adapters/aws-clients';
import { DynamoStateStore } from '../adapters/dynamo-state-store';
import { EventBridgePublisher, SfnTaskCallbacks, SnsNotifier } from '../adapters/notifications';
import { S3SnapshotStore } from '../adapters/s3-snapshot-store';
import type { EventPublisher, Notifier, TaskCallbacks } from '../ports/notifier';
import type { SnapshotStore } from '../ports/snapshot-store';
import type { StateStore } from '../ports/state-store';
import type { WorkflowEnv } from '../shared/env';

/** Everything the workflow steps use, built once per cold start (or by the local runner, against the emulator). */
export interface WorkflowDeps {
  readonly env: WorkflowEnv;
  readonly store: StateStore;
  readonly snapshots: SnapshotStore;
  readonly notifier: Notifier;
  readonly events: EventPublisher;
  /** Read-only: assumes the scanner role in every account, the hub included. */
  readonly readers: AwsClientFactory;
  /** Write: assumes the remediator role in every account, the hub included. */
  readonly writers: AwsClientFactory;
  readonly callbacks: TaskCallbacks;
  readonly now: () => Date;
  /** TLS checks of issuers during collection (off for the local emulator, whose issuers do not resolve). */
  readonly tlsCheck: boolean;
}

export function buildDeps(env: WorkflowEnv, overrides: Partial<WorkflowDeps> = {}): WorkflowDeps {
  const hub = {
    maxAttempts: 8,
    retryMode: 'adaptive' as const,
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
  };
  const now = overrides.now ?? (() => new Date());
  const common = {
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
    ...(env.externalId ? { externalId: env.externalId } : {}),
    sessionName: 'irsa-doctor-workflow',
  };
  return {
    env,
    store: new DynamoStateStore(new DynamoDBClient(hub), env.stateTable, env.auditTable, now),
    snapshots: new S3SnapshotStore(new S3Client({ ...hub, forcePathStyle: Boolean(env.endpoint) }), env.snapshotBucket),
    notifier: new SnsNotifier(new SNSClient(hub), env.topicArn),
    events: new EventBridgePublisher(new EventBridgeClient(hub), env.eventBusName),
    readers: new AwsClientFactory({ ...common, roleName: env.scannerRoleName, access: 'read' }),
    writers: new AwsClientFactory({ ...common, roleName: env.remediatorRoleName, access: 'write' }),
    callbacks: new SfnTaskCallbacks(new SFNClient(hub)),
    tlsCheck: true,
    ...overrides,
    now,
  };
}
