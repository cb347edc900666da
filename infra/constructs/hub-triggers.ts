import { Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env';
import { CREATE_CLUSTER_EVENT_PATTERN } from './hub-names';
import { IrsaFunction } from './irsa-function';

export { CREATE_CLUSTER_EVENT_PATTERN } from './hub-names';
/** How often the audit reconciler completes the records of interrupted writes. */
export const AUDIT_RECONCILE_SCHEDULE = 'rate(1 hour)';
/** Not in lambdas/shared/env.ts' WorkflowEnv: only start-cluster-check reads it. */
export const STATE_MACHINE_ARN_ENV = ENV.stateMachineArn;

export interface HubTriggersProps {
  /** The sweep, started by the schedule and by each new cluster. */
  readonly sweep: sfn.IStateMachine;
  /** The sweep's schedule (EventBridge Scheduler expression). */
  readonly schedule: string;
  /** The hub bus, on which member accounts forward their CreateCluster events. */
  readonly eventBus: events.IEventBus;
  /** The audit reconciler's role (the hub writer: audit append and plan status) and its variables. */
  readonly reconcilerRole: iam.IRole;
  readonly reconcilerEnvironment: Readonly<Record<string, string>>;
}

/**
 * What starts work without a person: the sweep's schedule; CreateCluster (in the hub account, or forwarded by a
 * member account) starting a single-cluster run through start-cluster-check; the hourly audit reconciler.
 */
export class HubTriggers extends Construct {
  readonly startClusterCheck: IrsaFunction;
  readonly reconcileAudit: IrsaFunction;

  constructor(scope: Construct, id: string, props: HubTriggersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.startClusterCheck = new IrsaFunction(this, 'StartClusterCheckFunction', {
      handler: 'start-cluster-check',
      // It only starts executions: the state machine ARN is all it reads.
      environment: { [STATE_MACHINE_ARN_ENV]: props.sweep.stateMachineArn },
      description: 'IRSA Doctor: start a single-cluster run for a new EKS cluster',
    });
    props.sweep.grantStartExecution(this.startClusterCheck);
    new events.Rule(this, 'CreateClusterRule', {
      description: 'IRSA Doctor: a new EKS cluster in the hub account starts a single-cluster run',
      eventPattern: CREATE_CLUSTER_EVENT_PATTERN,
      targets: [new eventTargets.LambdaFunction(this.startClusterCheck)],
    });
    new events.Rule(this, 'ForwardedCreateClusterRule', {
      description: 'IRSA Doctor: a new EKS cluster in a member account (forwarded to the hub bus) starts a run',
      eventBus: props.eventBus,
      eventPattern: CREATE_CLUSTER_EVENT_PATTERN,
      targets: [new eventTargets.LambdaFunction(this.startClusterCheck)],
    });
    new scheduler.Schedule(this, 'SweepSchedule', {
      description: 'IRSA Doctor: periodic sweep of every configured account',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new schedulerTargets.StepFunctionsStartExecution(props.sweep, {
        input: scheduler.ScheduleTargetInput.fromObject({ mode: 'sweep', trigger: 'schedule' }),
      }),
    });

    // The audit reconciler: completes the records of writes a crash interrupted, from what each resource holds. It
    // runs as the writer (audit append, plan status) but only reads member accounts (code-enforced: no IAM write).
    this.reconcileAudit = new IrsaFunction(this, 'ReconcileAuditFunction', {
      handler: 'reconcile-audit',
      role: props.reconcilerRole,
      environment: props.reconcilerEnvironment,
      description: 'IRSA Doctor: complete the audit records of writes a crash interrupted',
    });
    const reconcileScheduleRole = new iam.Role(this, 'AuditReconcileScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'IRSA Doctor: the schedule that invokes the audit reconciler',
    });
    new scheduler.Schedule(this, 'AuditReconcileSchedule', {
      description: 'IRSA Doctor: complete the audit records of interrupted writes',
      schedule: scheduler.ScheduleExpression.expression(AUDIT_RECONCILE_SCHEDULE),
      target: new schedulerTargets.LambdaInvoke(this.reconcileAudit, {
        role: reconcileScheduleRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
      }),
    });
    Validations.of(reconcileScheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.reconcileAudit.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: `lambda:InvokeFunction on the versions and aliases of ${this.reconcileAudit.handlerName} only (ARN suffix ":*"), as the scheduler target grants.`,
    });
  }
}
