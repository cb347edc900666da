/**
 * The workflow's dependencies over AWS (the composition root of every workflow Lambda, and of the local hub against
 * the emulator): each port of lambdas/workflow/deps.ts with its AWS adapter.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { NO_TELEMETRY } from '../ports/telemetry';
import type { WorkflowEnv } from '../shared/env';
import type { WorkflowDeps } from '../workflow/deps';
import { AwsClientFactory, type ClientInstrument } from './aws-clients';
import { AwsEstateReader } from './aws-estate-reader';
import { DynamoStateStore } from './dynamo-state-store';
import { EventBridgePublisher, SfnTaskCallbacks, SfnWorkflowStarter, SnsNotifier } from './notifications';
import { RegistryFixWriter } from './registry-fix-writer';
import { S3SnapshotStore } from './s3-snapshot-store';
import { SecurityHubImport } from './security-hub-import';

/** The member-account credentials: the scanner role (read-only) and the remediator role (write) in every account. */
export interface WorkflowClients {
  /** Read-only: assumes the scanner role in every account, the hub included. */
  readonly readers: AwsClientFactory;
  /** Write: assumes the remediator role in every account, the hub included. */
  readonly writers: AwsClientFactory;
}

/** How the AWS adapters are wired (not a port: what buildDeps needs beside the environment). */
export interface AwsWiring extends Partial<WorkflowClients> {
  /** TLS checks of issuers during collection (default on; off for the local emulator, whose issuers do not resolve). */
  readonly tlsCheck?: boolean;
  /** Wraps every SDK client (the Lambda wiring's tracer); none by default. */
  readonly instrument?: ClientInstrument;
}

export function workflowClients(env: WorkflowEnv, instrument?: ClientInstrument): WorkflowClients {
  const common = {
    ...(instrument ? { instrument } : {}),
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
    ...(env.externalId ? { externalId: env.externalId } : {}),
    partition: env.partition,
    sessionName: 'irsa-doctor-workflow',
  };
  return {
    readers: new AwsClientFactory({ ...common, roleName: env.scannerRoleName, access: 'read' }),
    writers: new AwsClientFactory({ ...common, roleName: env.remediatorRoleName, access: 'write' }),
  };
}

export function buildDeps(env: WorkflowEnv, overrides: Partial<WorkflowDeps> & AwsWiring = {}): WorkflowDeps {
  const { tlsCheck = true, readers: givenReaders, writers: givenWriters, instrument, ...ports } = overrides;
  const wrap: ClientInstrument = instrument ?? ((client) => client);
  const hub = {
    maxAttempts: 8,
    retryMode: 'adaptive' as const,
    ...(env.endpoint ? { endpoint: env.endpoint } : {}),
  };
  const now = ports.now ?? (() => new Date());
  const defaults = workflowClients(env, instrument);
  const readers = givenReaders ?? defaults.readers;
  const writers = givenWriters ?? defaults.writers;
  return {
    env,
    store: new DynamoStateStore(wrap(new DynamoDBClient(hub)), env.stateTable, env.auditTable, now),
    snapshots: new S3SnapshotStore(
      wrap(new S3Client({ ...hub, forcePathStyle: Boolean(env.endpoint) })),
      env.snapshotBucket,
    ),
    notifier: new SnsNotifier(wrap(new SNSClient(hub)), env.topicArn),
    events: new EventBridgePublisher(wrap(new EventBridgeClient(hub)), env.eventBusName),
    callbacks: new SfnTaskCallbacks(wrap(new SFNClient(hub))),
    estate: new AwsEstateReader(readers, { env, tlsCheck }),
    fixes: new RegistryFixWriter(writers),
    telemetry: NO_TELEMETRY,
    remediations: new SfnWorkflowStarter(wrap(new SFNClient(hub)), env.remediationStateMachineArn ?? ''),
    ...(env.securityHubRegion
      ? { findingsHub: new SecurityHubImport(wrap(new SecurityHubClient({ ...hub, region: env.securityHubRegion }))) }
      : {}),
    ...ports,
    now,
  };
}
