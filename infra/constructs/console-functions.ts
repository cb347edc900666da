import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_WRITTEN_KEY_PREFIXES, DECISION_ATTRIBUTES } from '../../lambdas/adapters/dynamo-tables';
import type { ApproverRule, SecondApprovalRule } from '../../lambdas/domain/approver-scope';
import { ENV } from '../../lambdas/shared/env';
import { IrsaFunction } from './irsa-function';

/** How often the reconciler delivers decisions still pending (the stream-started deliverer failed or was late). */
export const RECONCILE_SCHEDULE = 'rate(5 minutes)';
/**
 * How often the rollback step's reconciler performs again the rollback requests still pending or running after
 * ROLLBACK_RECONCILE_AFTER_MS (15 minutes, beyond the stream-started attempts): a request waits at most ~20 minutes.
 */
export const ROLLBACK_RECONCILE_SCHEDULE = 'rate(5 minutes)';

export interface ConsoleFunctionsProps {
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  /** The hub writer: the rollback step runs as it (the only role RemediatorRoles trust). */
  readonly writerRole: iam.IRole;
  /** The variables of the workflow functions, which the rollback step reads too. */
  readonly workflowEnvironment: Readonly<Record<string, string>>;
  /** The remediation state machine, whose approval tasks the deliverer completes. */
  readonly remediation: sfn.IStateMachine;
  /** The Cognito group whose members may decide and roll back. */
  readonly approversGroup: string;
  /** Approver rules scoped to accounts and OUs (config `approvers`); unset: `approversGroup` for every account. */
  readonly approvers?: readonly ApproverRule[] | undefined;
  /** Which plans need a second approver (config `secondApproval`). */
  readonly secondApproval?: SecondApprovalRule;
}

/**
 * The functions behind the approval console (made only with `console`): the approval API (asks, never acts), the
 * deliverer (sends the task tokens of recorded decisions), the rollback step (the writer), each with what starts it
 * (the state table's stream, and a reconcile schedule).
 */
export class ConsoleFunctions extends Construct {
  readonly deliverer: IrsaFunction;
  readonly approvalApi: IrsaFunction;
  readonly rollbackStep: IrsaFunction;

  constructor(scope: Construct, id: string, props: ConsoleFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logicalIdOf = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnResource);
    // Decisions on their way to the workflow.
    // The deliverer alone may complete the remediation executions' approval tasks. The state table's stream starts it when a
    // decision is recorded (delivery pending, no attempt yet); a schedule runs it as the reconciler.
    this.deliverer = new IrsaFunction(this, 'DeliverDecisionsFunction', {
      handler: 'deliver-decisions',
      description: 'IRSA Doctor: deliver recorded approval decisions to the workflow (task tokens), reconcile',
      environment: { [ENV.stateTable]: props.stateTable.tableName },
      timeout: Duration.minutes(5),
    });
    props.stateTable.grants.actions(this.deliverer, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan');
    this.deliverer.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CompleteApprovalTasks',
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        resources: [props.remediation.stateMachineArn],
      }),
    );
    this.deliverer.addEventSource(
      new lambdaEventSources.DynamoEventSource(props.stateTable, {
        startingPosition: lambda.StartingPosition.LATEST,
        batchSize: 10,
        retryAttempts: 3,
        bisectBatchOnError: true,
        filters: [DECISION_RECORDED_FILTER],
      }),
    );
    const reconcileRole = new iam.Role(this, 'ReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'IRSA Doctor: the reconcile schedule invokes the deliverer',
    });
    new scheduler.Schedule(this, 'ReconcileSchedule', {
      description: 'IRSA Doctor: deliver approval decisions still pending',
      schedule: scheduler.ScheduleExpression.expression(RECONCILE_SCHEDULE),
      target: new schedulerTargets.LambdaInvoke(this.deliverer, {
        role: reconcileRole,
        input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
      }),
    });
    Validations.of(reconcileRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.deliverer)}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the versions and aliases of the deliverer only (ARN suffix ":*"), as the scheduler target grants.',
    });
    // The API runs as a role of its own: it reads plans, approvals and changes, and records decisions and rollback
    // requests in the state table. It cannot send task tokens (the deliverer does), assume any member role, or
    // write the audit table: a compromised API can ask, never act.
    this.approvalApi = new IrsaFunction(this, 'ApprovalApiFunction', {
      handler: 'approval-api',
      description: 'IRSA Doctor: approval console API (list, show, record decisions and rollback requests)',
      environment: {
        [ENV.stateTable]: props.stateTable.tableName,
        [ENV.auditTable]: props.auditTable.tableName,
        [ENV.approversGroup]: props.approversGroup,
        ...(props.approvers ? { [ENV.approvers]: JSON.stringify(props.approvers) } : {}),
        ...(props.secondApproval ? { [ENV.secondApproval]: JSON.stringify(props.secondApproval) } : {}),
      },
      timeout: Duration.seconds(30),
    });
    // Reads by key and by index only (no Scan: every listing of the API is a paged Query).
    props.stateTable.grants.actions(this.approvalApi, 'dynamodb:GetItem', 'dynamodb:Query');
    // Writes, narrowed by IAM to what the API records: a decision on an approval item (UpdateItem of the decision
    // attributes only: it cannot rewrite a plan, its hash or its status), and rollback requests (items whose key
    // starts ROLLBACK#). The conditions the code puts on each write (no decision yet) come on top.
    this.approvalApi.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RecordDecisions',
        actions: ['dynamodb:UpdateItem'],
        resources: [props.stateTable.tableArn],
        // (ForAllValues holds vacuously for a request without the key: Null false insists on it)
        conditions: {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...DECISION_ATTRIBUTES] },
          Null: { 'dynamodb:Attributes': 'false' },
        },
      }),
    );
    this.approvalApi.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RecordRollbackRequests',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.stateTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_WRITTEN_KEY_PREFIXES.rollbackRequest}*`] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    // The mutelist: approvers add and remove suppressions (items whose key starts SUPPRESSION#), nothing else.
    this.approvalApi.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RecordSuppressions',
        actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
        resources: [props.stateTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_WRITTEN_KEY_PREFIXES.suppression}*`] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    // Who opened which content of a plan (items whose key starts OPENED#): a decision needs an opening of its hash.
    this.approvalApi.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RecordPlanOpenings',
        actions: ['dynamodb:PutItem'],
        resources: [props.stateTable.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${API_WRITTEN_KEY_PREFIXES.planOpening}*`] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    props.auditTable.grants.actions(this.approvalApi, 'dynamodb:GetItem', 'dynamodb:Query');

    // The rollback step: the writer role (the only one RemediatorRoles trust), started by the stream when a
    // rollback is requested; the same guards as before, audited as the person who asked.
    this.rollbackStep = new IrsaFunction(this, 'RunRollbackFunction', {
      handler: 'run-rollback',
      description: 'IRSA Doctor: perform a requested rollback with the remediator role, reconcile stuck requests',
      role: props.writerRole,
      environment: { ...props.workflowEnvironment, [ENV.approversGroup]: props.approversGroup },
      timeout: Duration.minutes(2),
    });
    this.rollbackStep.addEventSource(
      new lambdaEventSources.DynamoEventSource(props.stateTable, {
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
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'IRSA Doctor: the rollback reconcile schedule invokes the rollback step',
    });
    new scheduler.Schedule(this, 'RollbackReconcileSchedule', {
      description: 'IRSA Doctor: perform rollback requests still pending or running (the step never ran, or crashed)',
      schedule: scheduler.ScheduleExpression.expression(ROLLBACK_RECONCILE_SCHEDULE),
      target: new schedulerTargets.LambdaInvoke(this.rollbackStep, {
        role: rollbackReconcileRole,
        input: scheduler.ScheduleTargetInput.fromObject({ reconcile: true }),
      }),
    });
    Validations.of(rollbackReconcileRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.rollbackStep)}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the versions and aliases of the rollback step only (ARN suffix ":*"), as the scheduler target grants.',
    });
  }
}

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
