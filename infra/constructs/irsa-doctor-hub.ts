/**
 * The IRSA Doctor hub as a construct, for the repository's HubStack and for a user's own CDK app
 * (`import { IrsaDoctorHub } from 'irsa-doctor/cdk'`): storage (state and audit tables, snapshot bucket), notifications
 * and events, the two roles member accounts trust (HubRoles), one function per workflow step (WorkflowFunctions, from
 * the step registry), the sweep and remediation state machines, what starts them (HubTriggers), with `console` the
 * approval console and the functions behind it (ConsoleFunctions, ApprovalConsole), alarms and the dashboard
 * (HubAlarms), and with `memberStackSet` the member stacks as service-managed StackSets (MemberStackSets).
 */
import { Aws, CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env';
import { WORKFLOW_STEP_NAMES, type WorkflowStepName } from '../../lambdas/workflow/steps';
import { ConfigError, type IrsaDoctorConfig, type IrsaDoctorConfigInput, resolveConfig } from '../config';
import { ApprovalConsole, approverGroupsOf, type ConsoleSignInProps } from './approval-console';
import { ConsoleFunctions } from './console-functions';
import { HubAlarms } from './hub-alarms';
import { HubEventBus } from './hub-event-bus';
import { HUB_EVENT_BUS_NAME } from './hub-names';
import { HubRoles } from './hub-roles';
import { createHubTables } from './hub-tables';
import { HubTriggers } from './hub-triggers';
import type { IrsaFunction } from './irsa-function';
import { concreteEnvironment, MemberStackSets } from './member-stack-sets';
import { RemediationStateMachine } from './remediation-state-machine';
import { SweepStateMachine } from './sweep-state-machine';
import { WorkflowFunctions } from './workflow-functions';

/** The console's functions (decisions and rollbacks come only through it): made only with `console`. */
export const CONSOLE_HANDLERS = ['deliver-decisions', 'approval-api', 'run-rollback'] as const;
export type ConsoleHandler = (typeof CONSOLE_HANDLERS)[number];
/** The functions outside the state machines that are always made: the new-cluster trigger, the audit reconciler. */
export const TRIGGER_HANDLERS = ['start-cluster-check', 'reconcile-audit'] as const;
/** Every Lambda of the hub, by the name in its IRSA_DOCTOR_HANDLER: the registry's steps, then the others. */
export const HUB_HANDLERS = [...WORKFLOW_STEP_NAMES, ...TRIGGER_HANDLERS, ...CONSOLE_HANDLERS] as const;
export type HubHandler = WorkflowStepName | (typeof TRIGGER_HANDLERS)[number] | ConsoleHandler;

/**
 * The hub's configuration, every field optional with its default (infra/config.ts documents each one; the README's
 * "Use the constructs in your CDK app" lists them). Validated when the construct is made: a bad value throws a
 * `ConfigError` whose message names the field, e.g. `irsa-doctor config: accounts[0] must be a 12-digit account id`.
 * Durations may be a CDK `Duration`, a number of seconds or an ISO 8601 string. `hubAccountId` and `hubRegion`, when
 * given, must match the enclosing stack's account and region.
 */
export interface IrsaDoctorHubProps extends IrsaDoctorConfigInput {}

/** The hub: one per organization (or estate), in the account and region of its stack. */
export class IrsaDoctorHub extends Construct {
  /** The configuration as resolved (defaults applied, validated). */
  readonly config: IrsaDoctorConfig;
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly snapshotBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly eventBus: HubEventBus;
  readonly readerRole: iam.Role;
  readonly writerRole: iam.Role;
  /** Every function; the console's (deliver-decisions, approval-api, run-rollback) only with `console`. */
  readonly functions: Readonly<Record<Exclude<HubHandler, ConsoleHandler>, IrsaFunction>> & {
    readonly [H in ConsoleHandler]?: IrsaFunction;
  };
  readonly workflowFunctions: WorkflowFunctions;
  readonly sweep: SweepStateMachine;
  readonly remediation: RemediationStateMachine;
  readonly triggers: HubTriggers;
  /** The approval console (user pool, API, page); only with `console`. */
  readonly approvalConsole?: ApprovalConsole;
  /** Alarms routed to the topic, and the dashboard. */
  readonly alarms: HubAlarms;
  /** The member stacks as service-managed StackSets; only with `memberStackSet`. */
  readonly memberStackSets?: MemberStackSets;

  constructor(scope: Construct, id: string, props: IrsaDoctorHubProps = {}) {
    super(scope, id);
    // Validated here, so that props built by hand fail as early as a configuration read from the context.
    const config = resolveConfig(props);
    this.config = config;
    checkEnvironment(Stack.of(this), config);
    // Server access logs are delivered under a bucket policy (logging.s3.amazonaws.com), not the legacy ACL, so the
    // log bucket can keep ACLs disabled. Set here, not only in cdk.json, so that tests synthesize the same template.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // ---- storage ------------------------------------------------------------------------------------------------
    const tables = createHubTables(this, (table) =>
      Stack.of(this).getLogicalId(table.node.defaultChild as CfnResource),
    );
    this.stateTable = tables.stateTable;
    this.auditTable = tables.auditTable;

    // The snapshot bucket's server access logs. Not logged itself: cdk-nag (S1) accepts a bucket that is the
    // logging destination of another one.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.snapshotBucket = new s3.Bucket(this, 'SnapshotBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-snapshots', expiration: Duration.days(30) }],
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'snapshot-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- notification and events --------------------------------------------------------------------------------
    // A key of the hub's own, not alias/aws/sns: CloudWatch alarms cannot publish to a topic under an AWS managed key
    // (its policy cannot grant them); HubAlarms grants them this one.
    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'IRSA Doctor: the notification topic (run digests, alarms)',
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'IRSA Doctor',
      enforceSSL: true,
      masterKey: this.topicKey,
    });
    if (config.notificationEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(config.notificationEmail));
    }

    // Accepts only the EKS events member accounts forward, and irsa-doctor events only from the roles granted
    // PutEvents below (infra/constructs/hub-event-bus.ts).
    this.eventBus = new HubEventBus(this, 'EventBus', {
      eventBusName: HUB_EVENT_BUS_NAME,
      ...(config.organizationId ? { organizationId: config.organizationId } : { accounts: config.accounts }),
    });

    // ---- the two roles member accounts trust by ARN -------------------------------------------------------------
    const roles = new HubRoles(this, 'Roles', {
      scannerRoleName: config.scannerRoleName,
      remediatorRoleName: config.remediatorRoleName,
    });
    this.readerRole = roles.reader;
    this.writerRole = roles.writer;

    // ---- one function per workflow step (lambdas/workflow/steps.ts) ---------------------------------------------
    const workflowEnv: Record<string, string> = {
      [ENV.stateTable]: this.stateTable.tableName,
      [ENV.auditTable]: this.auditTable.tableName,
      [ENV.snapshotBucket]: this.snapshotBucket.bucketName,
      [ENV.topicArn]: this.topic.topicArn,
      [ENV.eventBusName]: this.eventBus.eventBusName,
      [ENV.hubAccountId]: Stack.of(this).account,
      // The sweep's partition is the hub's: IAM, STS and Organizations are called in its global regions.
      [ENV.partition]: Aws.PARTITION,
      [ENV.scannerRoleName]: config.scannerRoleName,
      [ENV.remediatorRoleName]: config.remediatorRoleName,
      ...(config.externalId ? { [ENV.externalId]: config.externalId } : {}),
      [ENV.accounts]: config.accounts.join(','),
      [ENV.organization]: String(config.organization),
      [ENV.readClusters]: String(config.readClusters),
      [ENV.organizationalUnits]: config.organizationalUnits.join(','),
      [ENV.excludeAccounts]: config.excludeAccounts.join(','),
      [ENV.regions]: config.regions.join(','),
      [ENV.autoApplyActions]: config.autoApplyActions.join(','),
      [ENV.allowWidening]: config.allowWidening.join(','),
      [ENV.remediableRoles]: config.remediableRoles,
      [ENV.remediablePaths]: config.remediablePaths.join(','),
      [ENV.approvalTimeoutSeconds]: String(config.approvalTimeout.toSeconds()),
      [ENV.clusterWaitAttempts]: String(config.clusterWaitAttempts),
      ...(config.consoleUrl ? { [ENV.consoleUrl]: config.consoleUrl } : {}),
    };
    // The remediation state machine's ARN comes from its fixed name: Release Dependents, one of its own steps, starts
    // executions of it, so a reference would be circular.
    const remediationArn = RemediationStateMachine.arnIn(this);
    this.workflowFunctions = new WorkflowFunctions(this, 'Workflow', {
      roles,
      stateTable: this.stateTable,
      auditTable: this.auditTable,
      snapshotBucket: this.snapshotBucket,
      topic: this.topic,
      eventBus: this.eventBus,
      environment: workflowEnv,
      remediationStateMachineArn: remediationArn,
      securityHub: config.securityHub,
    });
    const steps = this.workflowFunctions.byStep;

    // ---- the state machines -------------------------------------------------------------------------------------
    this.sweep = new SweepStateMachine(this, 'SweepStateMachine', {
      functions: steps,
      manifestBucket: this.snapshotBucket,
      accountConcurrency: config.accountConcurrency,
      analysisConcurrency: config.analysisConcurrency,
      clusterPollInterval: config.clusterPollInterval,
      logGroup: new logs.LogGroup(this, 'SweepLogGroup', { retention: logs.RetentionDays.ONE_YEAR }),
    });
    this.remediation = new RemediationStateMachine(this, 'RemediationStateMachine', {
      functions: steps,
      approvalTimeout: config.approvalTimeout,
      logGroup: new logs.LogGroup(this, 'RemediationLogGroup', { retention: logs.RetentionDays.ONE_YEAR }),
    });

    // ---- triggers: the sweep's schedule, new clusters, the audit reconciler ------------------------------------
    this.triggers = new HubTriggers(this, 'Triggers', {
      sweep: this.sweep.stateMachine,
      schedule: config.schedule,
      eventBus: this.eventBus,
      reconcilerRole: this.writerRole,
      reconcilerEnvironment: workflowEnv,
    });
    this.functions = {
      ...steps,
      'start-cluster-check': this.triggers.startClusterCheck,
      'reconcile-audit': this.triggers.reconcileAudit,
    };

    // ---- the approval console -----------------------------------------------------------------------------------
    if (config.console) {
      const backend = new ConsoleFunctions(this, 'ConsoleFunctions', {
        stateTable: this.stateTable,
        auditTable: this.auditTable,
        writerRole: this.writerRole,
        workflowEnvironment: workflowEnv,
        remediation: this.remediation.stateMachine,
        approversGroup: config.approversGroup,
        approvers: config.approvers,
        secondApproval: config.secondApproval,
      });
      const approvalConsole = new ApprovalConsole(this, 'ApprovalConsole', {
        apiFunction: backend.approvalApi,
        approversGroup: config.approversGroup,
        scopedApprovers: approverGroupsOf(config.approvers ?? []),
        accessLogBucket: this.accessLogBucket,
        ...(config.consoleUrl ? { consoleUrl: config.consoleUrl } : {}),
        signIn: consoleSignIn(config),
      });
      backend.approvalApi.addEnvironment(ENV.consoleOrigins, approvalConsole.allowedOrigins.join(','));
      if (!config.consoleUrl) {
        // Digests and approval requests link to the deployed console (the distribution does not depend on any
        // function).
        for (const f of [...this.workflowFunctions.all, backend.rollbackStep]) {
          f.addEnvironment(ENV.consoleUrl, approvalConsole.url);
        }
      }
      this.approvalConsole = approvalConsole;
      this.functions = {
        ...this.functions,
        'deliver-decisions': backend.deliverer,
        'approval-api': backend.approvalApi,
        'run-rollback': backend.rollbackStep,
      };
    }

    // ---- alarms and the dashboard ---------------------------------------------------------------------------------
    const stepNames = new Set<string>(WORKFLOW_STEP_NAMES);
    const allFunctions = Object.fromEntries(
      Object.entries(this.functions).filter((entry): entry is [string, IrsaFunction] => entry[1] !== undefined),
    );
    this.alarms = new HubAlarms(this, 'Alarms', {
      topic: this.topic,
      topicKey: this.topicKey,
      stateMachines: { sweep: this.sweep.stateMachine, remediation: this.remediation.stateMachine },
      functions: Object.fromEntries(Object.entries(allFunctions).filter(([name]) => !stepNames.has(name))),
      allFunctions,
    });

    // ---- the member stacks as service-managed StackSets (optional) ---------------------------------------------
    if (config.memberStackSet) {
      const env = concreteEnvironment(Stack.of(this));
      this.memberStackSets = new MemberStackSets(this, 'MemberStackSets', {
        config,
        stackSet: config.memberStackSet,
        hubAccountId: env.account,
        hubRegion: env.region,
        dependsOn: [this.readerRole, this.writerRole],
      });
    }

    // ---- outputs ------------------------------------------------------------------------------------------------
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('StateMachineArn', this.sweep.stateMachine.stateMachineArn, 'The sweep state machine');
    output(
      'RemediationStateMachineArn',
      this.remediation.stateMachine.stateMachineArn,
      'The remediation state machine (one execution per plan)',
    );
    output('StateTableName', this.stateTable.tableName, 'Runs, findings, plans and approvals (TTL)');
    output('AuditTableName', this.auditTable.tableName, 'Applied changes (kept)');
    output('SnapshotBucketName', this.snapshotBucket.bucketName, 'Collected account snapshots (30 days)');
    output('TopicArn', this.topic.topicArn, 'Run summaries and approval requests');
    output('DashboardName', this.alarms.dashboard.dashboardName, 'The CloudWatch dashboard of the metrics and alarms');
    output('EventBusArn', this.eventBus.eventBusArn, 'Finding and change events; member accounts forward here');
    output('HubReaderRoleArn', this.readerRole.roleArn, 'Trusted by every ScannerRole');
    output('HubWriterRoleArn', this.writerRole.roleArn, 'Trusted by every RemediatorRole');
    if (this.approvalConsole) {
      const c = this.approvalConsole;
      output('ConsoleUrl', c.url, 'The approval console');
      output('ApiUrl', c.apiUrl, 'The approval API (Cognito ID token required)');
      output('UserPoolId', c.userPool.userPoolId, 'Approval console users');
      output('UserPoolClientId', c.userPoolClient.userPoolClientId, 'The console app client (no secret)');
      output('SignInDomain', c.signInDomain, 'Cognito managed login (single sign-on)');
      output(
        'AddApproverCommand',
        c.addApproverCommand,
        `Makes a user of the pool an approver (${config.approversGroup})`,
      );
    }
  }
}

/** `hubAccountId` and `hubRegion` name the hub's own environment: a value that contradicts the stack's is a mistake. */
function checkEnvironment(stack: Stack, config: IrsaDoctorConfig): void {
  const checks = [
    ['hubAccountId', config.hubAccountId, stack.account],
    ['hubRegion', config.hubRegion, stack.region],
  ] as const;
  for (const [field, given, actual] of checks) {
    if (given !== undefined && !Token.isUnresolved(actual) && given !== actual) {
      throw new ConfigError(field, `is ${given}, but the hub's stack ${stack.stackName} is in ${actual}`);
    }
  }
}

/** The console's sign-in settings from the configuration (managed login domain, federation, CLI ports). */
function consoleSignIn(config: IrsaDoctorConfig): ConsoleSignInProps {
  return {
    ...(config.consoleDomainPrefix ? { domainPrefix: config.consoleDomainPrefix } : {}),
    ...(config.consoleIdentityProvider ? { identityProvider: config.consoleIdentityProvider } : {}),
    cliPorts: config.consoleCliPorts,
    passwordSignIn: config.consolePasswordSignIn,
  };
}
