/**
 * The hub's alarms and dashboard (infra/constructs/hub-alarms.ts): an alarm for each failed-execution metric of both
 * state machines, for each metric the catalog declares an alarm for, and for the errors of each function outside the
 * state machines; every alarm routed to the topic, which CloudWatch may use (key and topic policy); a dashboard of
 * every declared metric.
 */
import { type CfnResource, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { alarmIdOf } from '../../infra/constructs/hub-alarms';
import { HubStack } from '../../infra/stacks/hub-stack';
import {
  METRIC_NAMES,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  METRICS,
  type MetricDeclaration,
} from '../../lambdas/shared/metric-catalog';
import { WORKFLOW_STEP_NAMES } from '../../lambdas/workflow/steps';
import { HUB_ENV, nagViolations, testApp } from './helpers';

type AlarmProps = {
  AlarmActions: unknown[];
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Array<{ Name: string; Value: unknown }>;
  Statistic?: string;
  Period?: number;
  Threshold: number;
  ComparisonOperator: string;
  TreatMissingData: string;
  Metrics?: Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string } } }>;
};

function synth() {
  const stack = new HubStack(testApp(), 'Hub', {
    env: HUB_ENV,
    config: resolveConfig({ accounts: ['111122223333'], notificationEmail: 'ops@example.com', console: true }),
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('HubAlarms', () => {
  const { stack, template } = synth();
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (r) => (r as { Properties: AlarmProps }).Properties,
  );
  const topicRef = { Ref: stack.getLogicalId(stack.topic.node.defaultChild as CfnResource) };

  it('routes every alarm to the topic, and alarms once something happened (missing data is not breaching)', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topicRef]);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect(alarm.TreatMissingData).toBe('notBreaching');
      expect(alarm.Threshold).toBe(1);
    }
  });

  it('alarms on failed executions of both state machines', () => {
    const failed = alarms.filter((a) => a.Namespace === 'AWS/States' && a.MetricName === 'ExecutionsFailed');
    const machines = [stack.sweep.stateMachine, stack.remediation.stateMachine].map((m) => ({
      Ref: stack.getLogicalId(m.node.defaultChild as CfnResource),
    }));
    expect(failed.map((a) => a.Dimensions?.[0]?.Value)).toEqual(expect.arrayContaining(machines));
    expect(failed).toHaveLength(2);
    for (const a of failed) expect(a.Statistic).toBe('Sum');
  });

  it.each(METRIC_NAMES.filter((n) => 'alarm' in METRICS[n]))('alarms on %s as the catalog declares', (name) => {
    const declared = METRICS[name] as (typeof METRICS)[typeof name] & {
      alarm: { statistic: string; periodMinutes: number };
    };
    const found = alarms.filter((a) => a.Namespace === METRIC_NAMESPACE && a.MetricName === name);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Dimensions: [{ Name: 'service', Value: METRIC_SERVICE }],
      Statistic: declared.alarm.statistic,
      Period: declared.alarm.periodMinutes * 60,
    });
  });

  it('names the alarms as the README does', () => {
    const ids = Object.keys(stack.alarms.alarms);
    expect(ids).toEqual(
      expect.arrayContaining([
        alarmIdOf.executionsFailed('sweep'),
        alarmIdOf.executionsFailed('remediation'),
        ...METRIC_NAMES.filter((n) => 'alarm' in METRICS[n]).map(alarmIdOf.metric),
        'ReconcileAuditFunctionErrors',
        'StartClusterCheckFunctionErrors',
        'DeliverDecisionsFunctionErrors',
      ]),
    );
    expect(ids).toEqual(['SweepExecutionsFailed', 'RemediationExecutionsFailed', ...ids.slice(2)]);
  });

  it('the alarmed metrics are the ones a person must act on', () => {
    expect(METRIC_NAMES.filter((n) => 'alarm' in METRICS[n]).sort()).toEqual([
      'AccountsFailed',
      'AccountsUnreachable',
      'ApplyFailures',
      'ApprovalsExpiringSoon',
    ]);
  });

  it('alarms on errors and throttles of each function no state machine invokes, and of no step function', () => {
    const steps = new Set<string>(WORKFLOW_STEP_NAMES);
    const outside = Object.keys(stack.functions).filter((h) => !steps.has(h));
    expect(outside).toEqual(expect.arrayContaining(['reconcile-audit', 'start-cluster-check', 'deliver-decisions']));
    const math = alarms.filter((a) => a.Metrics !== undefined);
    expect(math).toHaveLength(outside.length);
    for (const a of math) {
      expect(a.Metrics?.find((m) => m.Expression)?.Expression).toBe('errors + throttles');
      expect(
        a.Metrics?.map((m) => m.MetricStat?.Metric.MetricName)
          .filter(Boolean)
          .sort(),
      ).toEqual(['Errors', 'Throttles']);
    }
  });

  it('lets CloudWatch alarms of this account, and only those, use the topic key and publish', () => {
    const conditions = {
      StringEquals: { 'aws:SourceAccount': HUB_ENV.account },
      ArnLike: { 'aws:SourceArn': Match.anyValue() },
    };
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: conditions,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: conditions,
          }),
        ]),
      },
    });
  });

  it('limits the grants to alarms of this account and region', () => {
    const policies = JSON.stringify(
      stack.resolve([
        ...Object.values(template.findResources('AWS::KMS::Key')),
        ...Object.values(template.findResources('AWS::SNS::TopicPolicy')),
      ]),
    );
    expect(policies.split(`:cloudwatch:${HUB_ENV.region}:${HUB_ENV.account}:alarm:*`)).toHaveLength(3);
  });

  it('has a dashboard with every declared metric and every dimension value', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(Stack.of(stack).resolve((dashboards[0] as { Properties: object }).Properties));
    for (const name of METRIC_NAMES) {
      expect(body).toContain(`\\"${METRIC_NAMESPACE}\\",\\"${name}\\"`);
      const declared: MetricDeclaration = METRICS[name];
      for (const value of declared.dimensionValues ?? []) expect(body).toContain(`\\"${value}\\"`);
    }
    expect(body).toContain('ExecutionsFailed');
  });

  it('keeps the stack clean under cdk-nag', () => {
    expect(nagViolations(stack)).toEqual([]);
  });
});
