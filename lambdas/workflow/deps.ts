import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { AwsClientFactory } from '../adapters/aws-clients';
import { AwsEstateReader } from '../adapters/aws-estate-reader';
import { DynamoStateStore } from '../adapters/dynamo-state-store';
import { EventBridgePublisher, SfnTaskCallbacks, SfnWorkflowStarter, SnsNotifier } from '../adapters/notifications';
import { S3SnapshotStore } from '../adapters/s3-snapshot-store';
import type { EstateReader } from '../ports/estate-reader';
import type { EventPublisher, Notifier, TaskCallbacks, WorkflowStarter } from '../ports/notifier';
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
  /** Reads member accounts (targets, snapshots, cluster status, verify), as the scanner role. */
  readonly estate: EstateReader;
  /** Starts one remediation execution per plan, named so a plan is never started twice. */
  readonly remediations: WorkflowStarter;
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
  const readers =
    overrides.readers ?? new AwsClientFactory({ ...common, roleName: env.scannerRoleName, access: 'read' });
  const tlsCheck = overrides.tlsCheck ?? true;
  return {
    env,
    store: new DynamoStateStore(new DynamoDBClient(hub), env.stateTable, env.auditTable, now),
    snapshots: new S3SnapshotStore(new S3Client({ ...hub, forcePathStyle: Boolean(env.endpoint) }), env.snapshotBucket),
    notifier: new SnsNotifier(new SNSClient(hub), env.topicArn),
    events: new EventBridgePublisher(new EventBridgeClient(hub), env.eventBusName),
    readers,
    writers: new AwsClientFactory({ ...common, roleName: env.remediatorRoleName, access: 'write' }),
    callbacks: new SfnTaskCallbacks(new SFNClient(hub)),
    estate: new AwsEstateReader(readers, { env, tlsCheck }),
    remediations: new SfnWorkflowStarter(new SFNClient(hub), env.remediationStateMachineArn ?? ''),
    tlsCheck,
    ...overrides,
    now,
  };
}
