/**
 * The hub, locally: the resources the hub stack creates (state and audit tables, snapshot bucket, topic, event bus),
 * made in the emulator; the hub stack synthesized in-process (bundling skipped) for its state machine; and the
 * workflow's dependencies pointed at the emulator. Used by the demo and the state machine tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { App } from 'aws-cdk-lib';
import type { AwsClientFactory } from '../../lambdas/adapters/aws-clients';
import { createHubTables } from '../../lambdas/adapters/dynamo-tables';
import { buildDeps, workflowClients } from '../../lambdas/adapters/workflow-deps';
import type { AppliedAction } from '../../lambdas/domain/fix-action-iam';
import type { WideningClass } from '../../lambdas/domain/plan/prove';
import { type RemediationMode, remediationScopeFrom } from '../../lambdas/domain/remediation-scope';
import type { WorkflowEnv } from '../../lambdas/shared/env';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import { type IrsaDoctorConfigInput, resolveConfig } from '../config';
import { HubStack } from '../stacks/hub-stack';
import { LocalTaskCallbacks } from './local-workflow';
import { LOCAL_ACCOUNT, LOCAL_REGION, type SynthesizedWorkflow, synthesizedWorkflow } from './synthesized-definition';

/** Synthesizes the hub stack with this configuration and returns its state machine, ready to run locally. */
export function synthesizeLocalWorkflow(config: IrsaDoctorConfigInput): SynthesizedWorkflow {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new HubStack(app, 'IrsaDoctorHub', {
    config: resolveConfig({ hubAccountId: LOCAL_ACCOUNT, ...config }),
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  const template = app.synth().getStackArtifact(stack.artifactId).template as Parameters<typeof synthesizedWorkflow>[0];
  return synthesizedWorkflow(template);
}

export interface LocalHubOptions {
  readonly endpoint: string;
  /** Resource names are prefixed, so several local hubs can share one emulator. */
  readonly prefix: string;
  readonly accounts: readonly string[];
  /** Read the accounts from Organizations instead of `accounts`. */
  readonly organization?: boolean;
  readonly excludeAccounts?: readonly string[];
  readonly regions: readonly string[];
  readonly autoApplyActions?: readonly AppliedAction[];
  /** Classes of declared widening plans may carry and stay applicable (default none, as in the hub). */
  readonly allowWidening?: readonly WideningClass[];
  readonly approvalTimeoutSeconds?: number;
  /** What the member remediator roles may write (default `tagged`, as in the hub config): see remediation-scope.ts. */
  readonly remediableRoles?: RemediationMode;
  readonly remediablePaths?: readonly string[];
  readonly scannerRoleName?: string;
  readonly remediatorRoleName?: string;
}

export interface LocalHub {
  readonly env: WorkflowEnv;
  readonly deps: WorkflowDeps;
  readonly callbacks: LocalTaskCallbacks;
  /** The member-account credentials the deps' estate reader (scanner) and fix writer (remediator) use. */
  readonly readers: AwsClientFactory;
  readonly writers: AwsClientFactory;
}

/** Creates the hub's resources in the emulator (as the hub stack would) and the workflow's dependencies on them. */
export async function createLocalHub(options: LocalHubOptions): Promise<LocalHub> {
  const client = { endpoint: options.endpoint, region: LOCAL_REGION };
  const dynamo = new DynamoDBClient(client);
  const scannerRoleName = options.scannerRoleName ?? 'IrsaDoctorScanner';
  const remediatorRoleName = options.remediatorRoleName ?? 'IrsaDoctorRemediator';
  const env: WorkflowEnv = {
    stateTable: `${options.prefix}-state`,
    auditTable: `${options.prefix}-audit`,
    snapshotBucket: `${options.prefix}-snapshots`.toLowerCase(),
    topicArn: '',
    eventBusName: `${options.prefix}-events`,
    hubAccountId: LOCAL_ACCOUNT,
    scannerRoleName,
    remediatorRoleName,
    accounts: options.accounts,
    organization: options.organization ?? false,
    organizationalUnits: [],
    excludeAccounts: options.excludeAccounts ?? [],
    regions: options.regions,
    autoApplyActions: options.autoApplyActions ?? [],
    allowWidening: options.allowWidening ?? [],
    remediationScope: remediationScopeFrom({
      mode: options.remediableRoles,
      paths: options.remediablePaths,
      ownRoleNames: [scannerRoleName, remediatorRoleName],
    }),
    approvalTimeoutSeconds: options.approvalTimeoutSeconds ?? 86400,
    clusterWaitAttempts: 30,
    endpoint: options.endpoint,
    readClusters: false,
    rejectionMemoryDays: 30,
  };
  // The hub stack's tables and indexes, from the same declaration (lambdas/adapters/dynamo-tables.ts).
  await createHubTables(dynamo, env);
  await new S3Client({ ...client, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: env.snapshotBucket }));
  const topic = await new SNSClient(client).send(new CreateTopicCommand({ Name: `${options.prefix}-notifications` }));
  await new EventBridgeClient(client).send(new CreateEventBusCommand({ Name: env.eventBusName }));
  const withTopic = { ...env, topicArn: topic.TopicArn ?? '' };
  const callbacks = new LocalTaskCallbacks();
  // The emulator's issuers do not resolve: no TLS checks locally (the thumbprint tests use a real local issuer).
  const clients = workflowClients(withTopic);
  const deps = buildDeps(withTopic, { callbacks, tlsCheck: false, ...clients });
  return { env: withTopic, deps, callbacks, ...clients };
}
