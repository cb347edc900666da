import {
  Aws,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { API_WRITTEN_KEY_PREFIXES, DECISION_ATTRIBUTES } from '../../lambdas/adapters/dynamo-state-store';
import { ENV } from '../../lambdas/shared/env';
import { type IrsaDoctorConfig, resolveConfig } from '../config';
import { ApprovalConsole } from '../constructs/approval-console';
import { HubEventBus } from '../constructs/hub-event-bus';
import { createHubTables } from '../constructs/hub-tables';
import { IrsaFunction } from '../constructs/irsa-function';
import { SweepStateMachine } from '../constructs/sweep-state-machine';

/** Hub role the scanning functions run as; every ScannerRole trusts exactly this role (by ARN). */
export const HUB_READER_ROLE_NAME = 'IrsaDoctorHubReader';
/** Hub role the apply function runs as; every RemediatorRole trusts exactly this role (by ARN). */
export const HUB_WRITER_ROLE_NAME = 'IrsaDoctorHubWriter';
/** The hub's event bus: per-finding and per-change events, and CreateCluster events forwarded by member accounts. */
export const HUB_EVENT_BUS_NAME = 'irsa-doctor';
/** Not in lambdas/shared/env.ts: only start-cluster-check reads it. */
export const STATE_MACHINE_ARN_ENV = ENV.stateMachineArn;
/** Plans that wait for approval in one run, at most. */
export const MAX_PLANS_PER_RUN = 500;

/** A new EKS cluster (CloudTrail management event), which triggers a single-cluster run once the cluster is active. */
export const CREATE_CLUSTER_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.eks'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['eks.amazonaws.com'], eventName: ['CreateCluster'] },
};

/** Every Lambda of the hub, by handler file name (lambdas/handlers/<name>.ts). */
export const HUB_HANDLERS = [
  'start-run',
  'check-cluster',
  'collect-account',
  'analyze-plan',
  'report',
  'prepare-plan',
  'request-approval',
  'apply-plan',
  'verify-plan',
  'record-outcome',
  'start-cluster-check',
  'deliver-decisions',
  'approval-api',
  'run-rollback',
  'reconcile-audit',
] as const;
export type HubHandler = (typeof HUB_HANDLERS)[number];
/** The console's functions (decisions and rollbacks come only through it): made only with `console`. */
export type ConsoleHandler = 'deliver-decisions' | 'approval-api' | 'run-rollback';
/** The functions the sweep state machine invokes (all but the trigger, the console's and the audit reconciler). */
export type WorkflowHandler = Exclude<HubHandler, 'start-cluster-check' | ConsoleHandler | 'reconcile-audit'>;
/** How often the reconciler delivers decisions still pending (the stream-started deliverer failed or was late). */
export const RECONCILE_SCHEDULE = 'rate(5 minutes)';
/**
 * How often the rollback step's reconciler performs again the rollback requests still pending or running after
 * ROLLBACK_RECONCILE_AFTER_MS (15 minutes, beyond the stream-started attempts): a request waits at most ~20 minutes.
 */
export const ROLLBACK_RECONCILE_SCHEDULE = 'rate(5 minutes)';
/** How often the audit reconciler completes the records of interrupted writes. */
export const AUDIT_RECONCILE_SCHEDULE = 'rate(1 hour)';
/**
 * What a function may do on the audit table: append (PutItem; the code makes every put conditional on
 * attribute_not_exists, which IAM cannot see) and read. Never DeleteItem, UpdateItem or BatchWriteItem.
 */
export const AUDIT_TABLE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:DescribeTable',
] as const;

export interface HubStackProps extends StackProps {
  /** The configuration (infra/config.ts: loadConfig or resolveConfig); validated again by the stack. */
  readonly config: IrsaDoctorConfig;
}

/**
 * The hub: the sweep state machine and its functions, state and audit tables, snapshot bucket, notification topic,
 * event bus, schedule and new-cluster triggers, the two fixed-name roles member accounts trust, and (with `console`)
 * the approval console.
 */
export class HubStack extends Stack {
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly snapshotBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly eventBus: events.EventBus;
  readonly readerRole: iam.Role;
  readonly writerRole: iam.Role;
  /** Every function; the console's (deliver-decisions, approval-api, run-rollback) only with `console`. */
  readonly functions: Readonly<Record<Exclude<HubHandler, ConsoleHandler>, IrsaFunction>> & {
    readonly [H in ConsoleHandler]?: IrsaFunction;
  };
  readonly sweep: SweepStateMachine;
  /** The approval console (user pool, API, page); only with `console`. */
  readonly approvalConsole?: ApprovalConsole;

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
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'IRSA Doctor',
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
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
    this.readerRole = new iam.Role(this, 'HubReaderRole', {
      roleName: HUB_READER_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `IRSA Doctor scanning functions: assume ${config.scannerRoleName} in member accounts`,
    });
    this.readerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeScannerRole',
        actions: ['sts:AssumeRole'],
        resources: [memberRoleArnPattern(config.scannerRoleName)],
      }),
    );
    this.readerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOrganization',
        actions: [
          'organizations:ListAccounts',
          'organizations:ListAccountsForParent',
          'organizations:ListOrganizationalUnitsForParent',
          'organizations:DescribeOrganization',
        ],
        resources: ['*'],
      }),
    );
    this.grantSnapshots(this.readerRole, 'read-write');
    this.stateTable.grants.readWriteData(this.readerRole);
    Validations.of(this.readerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for organizations:ListAccounts and DescribeOrganization (no resource-level permissions), ' +
          'ListAccountsForParent and ListOrganizationalUnitsForParent (parents are OU/root ids only known at run ' +
          'time), and xray:PutTraceSegments/PutTelemetryRecords (no resource-level permissions).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.scannerRoleName}]`,
        reason:
          'The swept accounts are found at run time (AWS Organizations); the role name is fixed, so the reader can ' +
          `assume only ${config.scannerRoleName}, and each of those trusts only this role.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.snapshotBucket)}.Arn>/*]`,
        reason: 'Snapshot object keys are made per run and account at run time; access is limited to this one bucket.',
      },
    );

    this.writerRole = new iam.Role(this, 'HubWriterRole', {
      roleName: HUB_WRITER_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `IRSA Doctor apply and rollback steps: assume ${config.remediatorRoleName} in member accounts`,
    });
    this.writerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeRemediatorRole',
        actions: ['sts:AssumeRole'],
        resources: [memberRoleArnPattern(config.remediatorRoleName)],
      }),
    );
    this.stateTable.grants.readWriteData(this.writerRole);
    this.grantAuditAppend(this.writerRole);
    this.eventBus.grantPutEventsTo(this.writerRole);
    Validations.of(this.writerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing): X-Ray trace APIs ' +
          'have no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.remediatorRoleName}]`,
        reason:
          'The swept accounts are found at run time (AWS Organizations); the role name is fixed, so the writer can ' +
          `assume only ${config.remediatorRoleName}, and each of those trusts only this role.`,
      },
    );

    // ---- functions ----------------------------------------------------------------------------------------------
    const workflowEnv: Record<string, string> = {
      [ENV.stateTable]: this.stateTable.tableName,
      [ENV.auditTable]: this.auditTable.tableName,
      [ENV.snapshotBucket]: this.snapshotBucket.bucketName,
      [ENV.topicArn]: this.topic.topicArn,
      [ENV.eventBusName]: this.eventBus.eventBusName,
      [ENV.hubAccountId]: this.account,
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
      [ENV.maxPlansPerRun]: String(MAX_PLANS_PER_RUN),
      [ENV.clusterWaitAttempts]: String(config.clusterWaitAttempts),
      ...(config.consoleUrl ? { [ENV.consoleUrl]: config.consoleUrl } : {}),
    };
    const fn = (handler: HubHandler, options: FunctionOptions = {}) =>
      new IrsaFunction(this, `${pascal(handler)}Function`, {
        handler,
        environment: options.environment ?? workflowEnv,
        ...(options.role ? { role: options.role } : {}),
        ...(options.timeout ? { timeout: options.timeout } : {}),
        ...(options.memorySize ? { memorySize: options.memorySize } : {}),
        description: DESCRIPTIONS[handler],
      });
    const fifteenMinutes = Duration.minutes(15);
    const functions: Record<WorkflowHandler, IrsaFunction> = {
      'start-run': fn('start-run', { role: this.readerRole }),
      'check-cluster': fn('check-cluster', { role: this.readerRole }),
      'collect-account': fn('collect-account', { role: this.readerRole, timeout: fifteenMinutes }),
      'analyze-plan': fn('analyze-plan', { timeout: fifteenMinutes, memorySize: 3008 }),
      report: fn('report'),
      'prepare-plan': fn('prepare-plan'),
      'request-approval': fn('request-approval'),
      'apply-plan': fn('apply-plan', { role: this.writerRole }),
      'verify-plan': fn('verify-plan', { role: this.readerRole }),
      'record-outcome': fn('record-outcome'),
    };

    // Least privilege for the functions with roles of their own.
    this.grantSnapshots(functions['analyze-plan'], 'read');
    this.stateTable.grants.readWriteData(functions['analyze-plan']);
    this.eventBus.grantPutEventsTo(functions['analyze-plan']);
    Validations.of(functions['analyze-plan'].role as iam.Role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(this.snapshotBucket)}.Arn>/*]`,
      reason: 'Snapshot object keys are made per run and account at run time; read access to this one bucket only.',
    });
    // report records the run's final summary and status (updateRun).
    this.stateTable.grants.readWriteData(functions.report);
    this.topic.grants.publish(functions.report);
    this.eventBus.grantPutEventsTo(functions.report);
    this.stateTable.grants.readWriteData(functions['prepare-plan']);
    this.stateTable.grants.readWriteData(functions['request-approval']);
    this.topic.grants.publish(functions['request-approval']);
    // record-outcome updates plan records and reads approvals; it writes nothing to the audit table.
    this.stateTable.grants.readWriteData(functions['record-outcome']);
    this.eventBus.grantPutEventsTo(functions['record-outcome']);

    // ---- the workflow -------------------------------------------------------------------------------------------
    const sweepLogGroup = new logs.LogGroup(this, 'SweepLogGroup', { retention: logs.RetentionDays.ONE_YEAR });
    this.sweep = new SweepStateMachine(this, 'SweepStateMachine', {
      functions: {
        startRun: functions['start-run'],
        checkCluster: functions['check-cluster'],
        collectAccount: functions['collect-account'],
        analyzePlan: functions['analyze-plan'],
        report: functions.report,
        preparePlan: functions['prepare-plan'],
        requestApproval: functions['request-approval'],
        applyPlan: functions['apply-plan'],
        verifyPlan: functions['verify-plan'],
        recordOutcome: functions['record-outcome'],
      },
      approvalTimeout: config.approvalTimeout,
      accountConcurrency: config.accountConcurrency,
      planConcurrency: config.planConcurrency,
      clusterPollInterval: config.clusterPollInterval,
      logGroup: sweepLogGroup,
    });
    const stateMachine = this.sweep.stateMachine;
    Validations.of(stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for the CloudWatch Logs delivery actions (logs:CreateLogDelivery and the like) and X-Ray ' +
          'tracing, which Step Functions requires and which have no resource-level permissions.',
      },
      ...uniqueFunctions(functions).map((f) => ({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(f)}.Arn>:*]`,
        reason: `lambda:InvokeFunction on the versions and aliases of ${f.handlerName} only (ARN suffix ":*"), as the LambdaInvoke task grants.`,
      })),
    );

    const startClusterCheck = fn('start-cluster-check', {
      // It only starts executions: the state machine ARN is all it reads.
      environment: { [STATE_MACHINE_ARN_ENV]: stateMachine.stateMachineArn },
    });
    stateMachine.grants.startExecution(startClusterCheck);
    // The audit reconciler: completes the records of writes a crash interrupted, from what each resource holds. It
    // runs as the writer (audit append, plan status) but only reads member accounts (code-enforced: no IAM write).
    const reconcileAuditFn = fn('reconcile-audit', { role: this.writerRole });
    const reconcileScheduleRole = new iam.Role(this, 'AuditReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'IRSA Doctor: the schedule that invokes the audit reconciler',
    });
    new scheduler.Schedule(this, 'AuditReconcileSchedule', {
      description: 'IRSA Doctor: complete the audit records of interrupted writes',
      schedule: scheduler.ScheduleExpression.expression(AUDIT_RECONCILE_SCHEDULE),
      target: new schedulerTargets.LambdaInvoke(reconcileAuditFn, {
        role: reconcileScheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
      }),
    });
    Validations.of(reconcileScheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(reconcileAuditFn)}.Arn>:*]`,
      reason: `lambda:InvokeFunction on the versions and aliases of ${reconcileAuditFn.handlerName} only (ARN suffix ":*"), as the scheduler target grants.`,
    });
    this.functions = { ...functions, 'start-cluster-check': startClusterCheck, 'reconcile-audit': reconcileAuditFn };

    // ---- the approval console -----------------------------------------------------------------------------------
    if (config.console) {
      // Decisions on their way to the workflow.
      // The deliverer alone may complete the sweep's approval tasks. The state table's stream starts it when a
      // decision is recorded (delivery pending, no attempt yet); a schedule runs it as the reconciler.
      const deliverer = fn('deliver-decisions', {
        environment: { [ENV.stateTable]: this.stateTable.tableName },
        timeout: Duration.minutes(5),
      });
      this.stateTable.grants.actions(deliverer, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan');
      deliverer.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'CompleteApprovalTasks',
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [stateMachine.stateMachineArn],
        }),
      );
      deliverer.addEventSource(
        new lambdaEventSources.DynamoEventSource(this.stateTable, {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 10,
          retryAttempts: 3,
          bisectBatchOnError: true,
          filters: [DECISION_RECORDED_FILTER],
        }),
      );
      const reconcileRole = new iam.Role(this, 'ReconcileScheduleRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        description: 'IRSA Doctor: the reconcile schedule invokes the deliverer',
      });
      new scheduler.Schedule(this, 'ReconcileSchedule', {
        description: 'IRSA Doctor: deliver approval decisions still pending',
        schedule: scheduler.ScheduleExpression.expression(RECONCILE_SCHEDULE),
        target: new schedulerTargets.LambdaInvoke(deliverer, {
          role: reconcileRole,
          input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
        }),
      });
      Validations.of(reconcileRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(deliverer)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the versions and aliases of the deliverer only (ARN suffix ":*"), as the scheduler target grants.',
      });
      // The API runs as a role of its own: it reads plans, approvals and changes, and records decisions and rollback
      // requests in the state table. It cannot send task tokens (the deliverer does), assume any member role, or
      // write the audit table: a compromised API can ask, never act.
      const approvalApi = fn('approval-api', {
        environment: {
          [ENV.stateTable]: this.stateTable.tableName,
          [ENV.auditTable]: this.auditTable.tableName,
          [ENV.approversGroup]: config.approversGroup,
        },
        timeout: Duration.seconds(30),
      });
      // Reads by key and by index only (no Scan: every listing of the API is a paged Query).
      this.stateTable.grants.actions(approvalApi, 'dynamodb:GetItem', 'dynamodb:Query');
      // Writes, narrowed by IAM to what the API records: a decision on an approval item (UpdateItem of the decision
      // attributes only: it cannot rewrite a plan, its hash or its status), and rollback requests (items whose key
      // starts ROLLBACK#). The conditions the code puts on each write (no decision yet) come on top.
      approvalApi.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RecordDecisions',
          actions: ['dynamodb:UpdateItem'],
          resources: [this.stateTable.tableArn],
          // (ForAllValues holds vacuously for a request without the key: Null false insists on it)
          conditions: {
            'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...DECISION_ATTRIBUTES] },
            Null: { 'dynamodb:Attributes': 'false' },
          },
        }),
      );
      approvalApi.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RecordRollbackRequests',
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [this.stateTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_WRITTEN_KEY_PREFIXES.rollbackRequest}*`] },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          },
        }),
      );
      // The mutelist: approvers add and remove suppressions (items whose key starts SUPPRESSION#), nothing else.
      approvalApi.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RecordSuppressions',
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [this.stateTable.tableArn],
          conditions: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_WRITTEN_KEY_PREFIXES.suppression}*`] },
            Null: { 'dynamodb:LeadingKeys': 'false' },
          },
        }),
      );
      this.auditTable.grants.actions(approvalApi, 'dynamodb:GetItem', 'dynamodb:Query');

      // The rollback step: the writer role (the only one RemediatorRoles trust), started by the stream when a
      // rollback is requested; the same guards as before, audited as the person who asked.
      const rollbackStep = fn('run-rollback', {
        role: this.writerRole,
        environment: { ...workflowEnv, [ENV.approversGroup]: config.approversGroup },
        timeout: Duration.minutes(2),
      });
      rollbackStep.addEventSource(
        new lambdaEventSources.DynamoEventSource(this.stateTable, {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 1,
          retryAttempts: 2,
          filters: [ROLLBACK_REQUESTED_FILTER],
        }),
      );
      // The rollback reconciler: the same function on a schedule, with a schedule role of its own that may invoke
      // it only (the deliverer's schedule role and the deliverer's role gain nothing).
      const rollbackReconcileRole = new iam.Role(this, 'RollbackReconcileScheduleRole', {
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
        description: 'IRSA Doctor: the rollback reconcile schedule invokes the rollback step',
      });
      new scheduler.Schedule(this, 'RollbackReconcileSchedule', {
        description: 'IRSA Doctor: perform rollback requests still pending or running (the step never ran, or crashed)',
        schedule: scheduler.ScheduleExpression.expression(ROLLBACK_RECONCILE_SCHEDULE),
        target: new schedulerTargets.LambdaInvoke(rollbackStep, {
          role: rollbackReconcileRole,
          input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
        }),
      });
      Validations.of(rollbackReconcileRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(rollbackStep)}.Arn>:*]`,
        reason:
          'lambda:InvokeFunction on the versions and aliases of the rollback step only (ARN suffix ":*"), as the scheduler target grants.',
      });

      const approvalConsole = new ApprovalConsole(this, 'ApprovalConsole', {
        apiFunction: approvalApi,
        approversGroup: config.approversGroup,
        accessLogBucket: this.accessLogBucket,
        ...(config.consoleUrl ? { consoleUrl: config.consoleUrl } : {}),
      });
      approvalApi.addEnvironment(ENV.consoleOrigins, approvalConsole.allowedOrigins.join(','));
      if (!config.consoleUrl) {
        // Approval e-mails link to the deployed console (the distribution does not depend on any function).
        for (const f of [...uniqueFunctions(functions), rollbackStep])
          f.addEnvironment(ENV.consoleUrl, approvalConsole.url);
      }
      this.approvalConsole = approvalConsole;
      this.functions = {
        ...this.functions,
        'deliver-decisions': deliverer,
        'approval-api': approvalApi,
        'run-rollback': rollbackStep,
      };
    }

    // ---- triggers -----------------------------------------------------------------------------------------------
    new scheduler.Schedule(this, 'SweepSchedule', {
      description: 'IRSA Doctor: periodic sweep of every configured account',
      schedule: scheduler.ScheduleExpression.expression(config.schedule),
      target: new schedulerTargets.StepFunctionsStartExecution(stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ mode: 'sweep', trigger: 'schedule' }),
      }),
    });
    new events.Rule(this, 'CreateClusterRule', {
      description: 'IRSA Doctor: a new EKS cluster in the hub account starts a single-cluster run',
      eventPattern: CREATE_CLUSTER_EVENT_PATTERN,
      targets: [new eventTargets.LambdaFunction(startClusterCheck)],
    });
    new events.Rule(this, 'ForwardedCreateClusterRule', {
      description: 'IRSA Doctor: a new EKS cluster in a member account (forwarded to the hub bus) starts a run',
      eventBus: this.eventBus,
      eventPattern: CREATE_CLUSTER_EVENT_PATTERN,
      targets: [new eventTargets.LambdaFunction(startClusterCheck)],
    });

    // ---- outputs ------------------------------------------------------------------------------------------------
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('StateMachineArn', stateMachine.stateMachineArn, 'The sweep state machine');
    output('StateTableName', this.stateTable.tableName, 'Runs, findings, plans and approvals (TTL)');
    output('AuditTableName', this.auditTable.tableName, 'Applied changes (kept)');
    output('SnapshotBucketName', this.snapshotBucket.bucketName, 'Collected account snapshots (30 days)');
    output('TopicArn', this.topic.topicArn, 'Run summaries and approval requests');
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

  /**
   * Append-only access to the audit table (AUDIT_TABLE_ACTIONS): no delete, no update, no batch write, no scan (its
   * listings are Queries of its indexes, which cannot be written).
   */
  private grantAuditAppend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AuditTableAppendOnly',
        actions: [...AUDIT_TABLE_ACTIONS],
        resources: [this.auditTable.tableArn, `${this.auditTable.tableArn}/index/*`],
      }),
    );
  }

  /** Snapshot objects: read (and write) on this bucket's objects, and listing the bucket. */
  private grantSnapshots(grantee: iam.IGrantable, access: 'read' | 'read-write'): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
        resources: [this.snapshotBucket.arnForObjects('*')],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.snapshotBucket.bucketArn] }),
    );
  }

  /** The logical id of a construct's CloudFormation resource, as cdk-nag names it in findings. */
  private logicalIdOf(construct: Construct): string {
    return this.getLogicalId(construct.node.defaultChild as CfnResource);
  }
}

interface FunctionOptions {
  readonly role?: iam.IRole;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
}

const DESCRIPTIONS: Record<HubHandler, string> = {
  'start-run': 'IRSA Doctor: start a run, resolve its target accounts, drop duplicate triggers',
  'check-cluster': 'IRSA Doctor: is the new cluster active yet',
  'collect-account': 'IRSA Doctor: collect one account (IAM roles, OIDC providers, EKS clusters) into a snapshot',
  'analyze-plan': 'IRSA Doctor: analyze the snapshots and plan the fixes, in waves',
  report: 'IRSA Doctor: report findings and the run summary',
  'prepare-plan': 'IRSA Doctor: route a plan to approval, auto-apply or skip',
  'request-approval': 'IRSA Doctor: ask a person to approve a plan (task token)',
  'apply-plan': 'IRSA Doctor: apply an approved plan with the remediator role',
  'verify-plan': 'IRSA Doctor: re-read the resource and verify the applied plan',
  'record-outcome': 'IRSA Doctor: record the outcome of a plan in the audit table',
  'start-cluster-check': 'IRSA Doctor: start a single-cluster run for a new EKS cluster',
  'deliver-decisions': 'IRSA Doctor: deliver recorded approval decisions to the workflow (task tokens), reconcile',
  'approval-api': 'IRSA Doctor: approval console API (list, show, record decisions and rollback requests)',
  'run-rollback': 'IRSA Doctor: perform a requested rollback with the remediator role, reconcile stuck requests',
  'reconcile-audit': 'IRSA Doctor: complete the audit records of writes a crash interrupted',
};

/** The attributes a decision sets or removes on an approval item (DynamoStateStore.decideApproval), with its key. */
export { DECISION_ATTRIBUTES };

/** Stream records of a decision just recorded: pending delivery, no attempt yet (a failed attempt does not loop). */
export const DECISION_RECORDED_FILTER = lambda.FilterCriteria.filter({
  eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
  dynamodb: {
    NewImage: {
      kind: { S: lambda.FilterRule.isEqual('approval') },
      delivery: { S: lambda.FilterRule.isEqual('pending') },
      deliveryAttempts: { N: lambda.FilterRule.isEqual('0') },
    },
  },
});

/** Stream records of a rollback request that is pending (new, or asked for again). */
export const ROLLBACK_REQUESTED_FILTER = lambda.FilterCriteria.filter({
  eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
  dynamodb: {
    NewImage: {
      kind: { S: lambda.FilterRule.isEqual('rollback-request') },
      status: { S: lambda.FilterRule.isEqual('pending') },
    },
  },
});

/** arn:<partition>:iam::*:role/<name>, the role of that name in any account. */
function memberRoleArnPattern(roleName: string): string {
  return `arn:${Aws.PARTITION}:iam::*:role/${roleName}`;
}

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function uniqueFunctions(functions: Readonly<Record<string, IrsaFunction>>): IrsaFunction[] {
  return [...new Set(Object.values(functions))];
}
