/**
 * What a person must act on, as CloudWatch alarms routed to the hub's topic, and one dashboard of every metric:
 * - each state machine's failed executions (AWS/States ExecutionsFailed: a sweep, or a plan's remediation, failed),
 * - each metric of lambdas/shared/metric-catalog.ts that declares an alarm (unreachable accounts, failed analyses,
 *   apply failures, approvals about to expire),
 * - errors and throttles of the functions no state machine invokes (schedules, the stream, the API): their failures
 *   reach no execution history.
 * The topic's key must let CloudWatch use it (an AWS managed key cannot: CloudWatch alarms cannot publish to a topic
 * encrypted with alias/aws/sns), so the hub encrypts the topic with its own key and this construct grants
 * cloudwatch.amazonaws.com, for this account's alarms only, the key and sns:Publish.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRIC_NAMES,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  METRICS,
  type MetricDeclaration,
  type MetricName,
} from '../../lambdas/shared/metric-catalog';

export interface HubAlarmsProps {
  readonly topic: sns.ITopic;
  /** The topic's customer managed key (CloudWatch is granted its use). */
  readonly topicKey: kms.IKey;
  /** The state machines whose failed executions alarm, by a short name (sweep, remediation). */
  readonly stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
  /** The functions whose errors and throttles alarm (those outside the state machines), by handler name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Every function, for the dashboard's errors and duration widgets. */
  readonly allFunctions: Readonly<Record<string, lambda.IFunction>>;
  /** Dashboard names are unique in an account. @default the stack's name */
  readonly dashboardName?: string;
}

/** A declared metric as CloudWatch names it (with the `service` dimension Powertools adds). */
export function declaredMetric(
  name: MetricName,
  options: { dimensions?: Record<string, string>; statistic?: string; period?: Duration } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRIC_SERVICE, ...options.dimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.hours(1),
  });
}

/** The alarm id of a declared metric's alarm, and of the other alarms (the README names them so). */
export const alarmIdOf = {
  metric: (name: MetricName) => `${name}Alarm`,
  executionsFailed: (machine: string) => `${machine[0]?.toUpperCase()}${machine.slice(1)}ExecutionsFailed`,
  functionErrors: (handler: string) =>
    `${handler.replace(/(^|-)([a-z])/g, (_m, _dash, c: string) => c.toUpperCase())}FunctionErrors`,
};

export class HubAlarms extends Construct {
  /** Every alarm, by its construct id. */
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.grantCloudWatch(props.topic, props.topicKey, stack);
    const action = new actions.SnsAction(props.topic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    const add = (alarmId: string, alarm: cloudwatch.Alarm) => {
      alarm.addAlarmAction(action);
      alarms[alarmId] = alarm;
    };

    for (const [machine, stateMachine] of Object.entries(props.stateMachines)) {
      const alarmId = alarmIdOf.executionsFailed(machine);
      add(
        alarmId,
        new cloudwatch.Alarm(this, alarmId, {
          alarmDescription: `IRSA Doctor: a ${machine} execution failed. Open its execution history in the Step Functions console.`,
          metric: stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    for (const name of METRIC_NAMES) {
      const declared: MetricDeclaration = METRICS[name];
      if (!declared.alarm) continue;
      const alarmId = alarmIdOf.metric(name);
      add(
        alarmId,
        new cloudwatch.Alarm(this, alarmId, {
          alarmDescription: `IRSA Doctor: ${declared.description} ${declared.alarm.action}`,
          metric: declaredMetric(name, {
            statistic: declared.alarm.statistic,
            period: Duration.minutes(declared.alarm.periodMinutes),
          }),
          threshold: declared.alarm.threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    for (const [handler, fn] of Object.entries(props.functions)) {
      const alarmId = alarmIdOf.functionErrors(handler);
      add(
        alarmId,
        new cloudwatch.Alarm(this, alarmId, {
          alarmDescription: `IRSA Doctor: the ${handler} function failed or was throttled. Read its logs.`,
          metric: new cloudwatch.MathExpression({
            expression: 'errors + throttles',
            usingMetrics: {
              errors: fn.metricErrors({ statistic: 'Sum' }),
              throttles: fn.metricThrottles({ statistic: 'Sum' }),
            },
            period: Duration.minutes(15),
            label: `${handler} errors and throttles`,
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.alarms = alarms;
    this.dashboard = this.buildDashboard(props, Object.values(alarms));
  }

  /** CloudWatch (this account's alarms only) may use the topic's key and publish to the topic. */
  private grantCloudWatch(topic: sns.ITopic, key: kms.IKey, stack: Stack): void {
    const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const conditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
    };
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheTopic',
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions,
      }),
    );
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [principal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions,
      }),
    );
  }

  private buildDashboard(props: HubAlarmsProps, alarms: readonly cloudwatch.Alarm[]): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? Stack.of(this).stackName,
      defaultInterval: Duration.days(7),
    });
    const byValues = (name: MetricName) => {
      const declared: MetricDeclaration = METRICS[name];
      const dimension = declared.dimensions[0];
      if (!dimension || !declared.dimensionValues) return [declaredMetric(name, { statistic: 'Sum' })];
      return declared.dimensionValues.map((value) =>
        declaredMetric(name, { dimensions: { [dimension]: value } }).with({ label: value }),
      );
    };
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24 }));
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Accounts per sweep',
        left: (['AccountsSwept', 'AccountsUnreachable', 'AccountsFailed'] as const).map((n) =>
          declaredMetric(n).with({ label: n }),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Open findings by severity',
        left: byValues('Findings'),
        stacked: true,
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Plans by outcome',
        left: byValues('PlanOutcomes'),
        stacked: true,
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Approvals and apply failures',
        left: (['ApprovalsPending', 'ApprovalsExpiringSoon'] as const).map((n) =>
          declaredMetric(n, { statistic: 'Maximum' }).with({ label: n }),
        ),
        right: [declaredMetric('ApplyFailures').with({ label: 'ApplyFailures' })],
        width: 12,
      }),
    );
    const machines = Object.entries(props.stateMachines);
    const functions = Object.entries(props.allFunctions);
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Executions',
        left: machines.flatMap(([name, m]) => [
          m.metricSucceeded({ label: `${name} succeeded` }),
          m.metricFailed({ label: `${name} failed` }),
        ]),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: functions.map(([name, fn]) => fn.metricErrors({ label: name, statistic: 'Sum' })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration (p99)',
        left: functions.map(([name, fn]) => fn.metricDuration({ label: name, statistic: 'p99' })),
        width: 8,
      }),
    );
    return dashboard;
  }
}
