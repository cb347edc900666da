import { Aws, CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env';
import { WORKFLOW_STEP_NAMES, type WorkflowStepName } from '../../lambdas/workflow/steps';
import { type IrsaDoctorConfig, resolveConfig } from '../config';
import { ApprovalConsole } from '../constructs/approval-console';
import { ConsoleFunctions } from '../constructs/console-functions';
import { HubAlarms } from '../constructs/hub-alarms';
import { HubEventBus } from '../constructs/hub-event-bus';
import { HubRoles } from '../constructs/hub-roles';
import { createHubTables } from '../constructs/hub-tables';
import { HubTriggers } from '../constructs/hub-triggers';
import type { IrsaFunction } from '../constructs/irsa-function';
import { RemediationStateMachine } from '../constructs/remediation-state-machine';
import { SweepStateMachine } from '../constructs/sweep-state-machine';
import { WorkflowFunctions } from '../constructs/workflow-functions';

export {
  DECISION_ATTRIBUTES,
  DECISION_RECORDED_FILTER,
  RECONCILE_SCHEDULE,
  ROLLBACK_RECONCILE_SCHEDULE,
  ROLLBACK_REQUESTED_FILTER,
} from '../constructs/console-functions';
export { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from '../constructs/hub-roles';
export {
  AUDIT_RECONCILE_SCHEDULE,
  CREATE_CLUSTER_EVENT_PATTERN,
  STATE_MACHINE_ARN_ENV,
} from '../constructs/hub-triggers';
export { AUDIT_TABLE_ACTIONS } from '../constructs/workflow-functions';

/** The hub's event bus: per-finding and per-change events, and CreateCluster events forwarded by member accounts. */
export const HUB_EVENT_BUS_NAME = 'irsa-doctor';

/** The console's functions (decisions and rollbacks come only through it): made only with `console`. */
export const CONSOLE_HANDLERS = ['deliver-decisions', 'approval-api', 'run-rollback'] as const;
export type ConsoleHandler = (typeof CONSOLE_HANDLERS)[number];
/** The functions outside the state machines that are always made: the new-cluster trigger, the audit reconciler. */
export const TRIGGER_HANDLERS = ['start-cluster-check', 'reconcile-audit'] as const;
/** Every Lambda of the hub, by the name in its IRSA_DOCTOR_HANDLER: the registry's steps, then the others. */
export const HUB_HANDLERS = [...WORKFLOW_STEP_NAMES, ...TRIGGER_HANDLERS, ...CONSOLE_HANDLERS] as const;
export type HubHandler = WorkflowStepName | (typeof TRIGGER_HANDLERS)[number] | ConsoleHandler;

export interface HubStackProps extends StackProps {
  /** The configuration (infra/config.ts: loadConfig or resolveConfig); validated again by the stack. */
  readonly config: IrsaDoctorConfig;
}

/**
 * The hub, section by section: storage (state and audit tables, snapshot bucket), notifications and events, the two
 * roles member accounts trust (HubRoles), one function per workflow step (WorkflowFunctions, from the step
 * registry), the sweep and remediation state machines, what starts them (HubTriggers), and with `console` the
 * approval console and the functions behind it (ConsoleFunctions, ApprovalConsole).
 */
export class HubStack extends Stack {
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

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    // Validated again here, so that a configuration built by hand fails as early as one read from the context.
    const config = resolveConfig(props.config);
    // Server access logs are delivered under a bucket policy (logging.s3.amazonaws.com), not the legacy ACL, so the
    // log bucket can keep ACLs disabled. Set here, not only in cdk.json, so that tests synthesize the same template.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // ---- storage ------------------------------------------------------------------------------------------------
    const tables = createHubTables(this, (table) => this.logicalIdOf(table));
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
      [ENV.hubAccountId]: this.account,
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
      });
      const approvalConsole = new ApprovalConsole(this, 'ApprovalConsole', {
        apiFunction: backend.approvalApi,
        approversGroup: config.approversGroup,
        accessLogBucket: this.accessLogBucket,
        ...(config.consoleUrl ? { consoleUrl: config.consoleUrl } : {}),
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
      output(
        'AddApproverCommand',
        c.addApproverCommand,
        `Makes a user of the pool an approver (${config.approversGroup})`,
      );
    }
  }

  /** The logical id of a construct's CloudFormation resource, as cdk-nag names it in findings. */
  private logicalIdOf(construct: Construct): string {
    return this.getLogicalId(construct.node.defaultChild as CfnResource);
  }
}
