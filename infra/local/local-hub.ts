/**
 * The hub, locally: the resources the hub stack creates (state and audit tables, snapshot bucket, topic, event bus),
 * made in the emulator; the hub stack synthesized in-process (bundling skipped) for its state machines, which
 * createLocalHub creates in the emulator (emulator-workflow.ts) when given the template; and the workflow's
 * dependencies pointed at the emulator, approvals resuming through the real SendTaskSuccess/SendTaskFailure and
 * remediations started on the emulator's remediation machine. Used by the demo, the bench and the tests.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { EnableSecurityHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { App } from 'aws-cdk-lib';
import type { AwsClientFactory } from '../../lambdas/adapters/aws-clients';
import { createHubTables } from '../../lambdas/adapters/dynamo-table-setup';
import { buildDeps, workflowClients } from '../../lambdas/adapters/workflow-deps';
import type { AppliedAction } from '../../lambdas/domain/fix-action-iam';
import type { WideningClass } from '../../lambdas/domain/plan/prove';
import { type RemediationMode, remediationScopeFrom } from '../../lambdas/domain/remediation-scope';
import type { WorkflowEnv } from '../../lambdas/shared/env';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import { type IrsaDoctorConfigInput, resolveConfig } from '../config';
import { HubStack } from '../stacks/hub-stack';
import { EmulatorWorkflow } from './emulator-workflow';
import { stepHandlers } from './step-handlers';
import { LOCAL_ACCOUNT, LOCAL_REGION, type SynthesizedTemplate, synthesizedWorkflow } from './synthesized-definition';

/** Synthesizes the hub stack with this configuration (bundling skipped) and returns its template. */
export function synthesizeHubTemplate(config: IrsaDoctorConfigInput): SynthesizedTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new HubStack(app, 'IrsaDoctorHub', {
    config: resolveConfig({ hubAccountId: LOCAL_ACCOUNT, ...config }),
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  return app.synth().getStackArtifact(stack.artifactId).template as SynthesizedTemplate;
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
  /** The synthesized hub template (synthesizeHubTemplate): its state machines and functions are created too. */
  readonly template?: SynthesizedTemplate;
  /** Import findings into the emulator's Security Hub (enabled here in the hub's account and region). */
  readonly securityHub?: boolean;
}

export interface LocalHub {
  readonly env: WorkflowEnv;
  readonly deps: WorkflowDeps;
  /** The member-account credentials the deps' estate reader (scanner) and fix writer (remediator) use. */
  readonly readers: AwsClientFactory;
  readonly writers: AwsClientFactory;
  /** The state machines in the emulator, when the hub was given a template. */
  readonly workflow?: EmulatorWorkflow;
}

/** A local hub with its state machines. */
export type WorkflowHub = LocalHub & { readonly workflow: EmulatorWorkflow };

/** createLocalHub with a template: the hub's resources, its state machines and functions in the emulator. */
export async function createWorkflowHub(
  options: LocalHubOptions & { readonly template: SynthesizedTemplate },
): Promise<WorkflowHub> {
  const hub = await createLocalHub(options);
  if (!hub.workflow) throw new Error('createLocalHub: no workflow from the template');
  return hub as WorkflowHub;
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
    partition: 'aws',
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
    ...(options.securityHub ? { securityHubRegion: LOCAL_REGION } : {}),
  };
  if (options.securityHub) await enableSecurityHub(new SecurityHubClient(client));
  // The hub stack's tables and indexes, from the same declaration (lambdas/adapters/dynamo-tables.ts).
  await createHubTables(dynamo, env);
  await new S3Client({ ...client, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: env.snapshotBucket }));
  const topic = await new SNSClient(client).send(new CreateTopicCommand({ Name: `${options.prefix}-notifications` }));
  await new EventBridgeClient(client).send(new CreateEventBusCommand({ Name: env.eventBusName }));
  return withWorkflow(options, { ...env, topicArn: topic.TopicArn ?? '' });
}

/** Security Hub on in the hub's account (an account where it is already on answers ResourceConflictException). */
async function enableSecurityHub(client: SecurityHubClient): Promise<void> {
  try {
    await client.send(new EnableSecurityHubCommand({ EnableDefaultStandards: false }));
  } catch (err) {
    if ((err as Error).name !== 'ResourceConflictException') throw err;
  }
}

/**
 * The workflow's dependencies on the hub's resources and, given a template, its state machines and functions in the
 * emulator. Callbacks and remediations are the real adapters (SendTaskSuccess/Failure, StartExecution) on the
 * emulator; the emulator's issuers do not resolve: no TLS checks locally (the thumbprint tests use a real issuer).
 */
async function withWorkflow(options: LocalHubOptions, env: WorkflowEnv): Promise<LocalHub> {
  const workflow = options.template
    ? synthesizedWorkflow(options.template, {
        prefix: options.prefix,
        refs: {
          'AWS::S3::Bucket': env.snapshotBucket,
          'AWS::SNS::Topic': env.topicArn,
          'AWS::Events::EventBus': env.eventBusName,
        },
        attributes: { 'AWS::S3::Bucket.Arn': `arn:aws:s3:::${env.snapshotBucket}` },
      })
    : undefined;
  const remediation = workflow?.remediationStateMachineArn;
  const hubEnv: WorkflowEnv = { ...env, ...(remediation ? { remediationStateMachineArn: remediation } : {}) };
  const clients = workflowClients(hubEnv);
  const deps = buildDeps(hubEnv, { tlsCheck: false, ...clients });
  if (!workflow) return { env: hubEnv, deps, ...clients };
  const deployed = await EmulatorWorkflow.deploy({
    endpoint: options.endpoint,
    workflow,
    hubId: options.prefix,
    handlers: stepHandlers(() => deps),
  });
  return { env: hubEnv, deps, ...clients, workflow: deployed };
}
