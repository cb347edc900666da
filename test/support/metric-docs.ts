/**
 * The README's metric and alarm tables, rendered from the one declaration (lambdas/shared/metric-catalog.ts);
 * test/unit/shared/metric-catalog.test.ts holds the README to them.
 */
import { alarmIdOf } from '../../infra/constructs/hub-alarms';
import {
  EXPIRING_SOON_HOURS,
  METRIC_NAMES,
  METRICS,
  type MetricDeclaration,
} from '../../lambdas/shared/metric-catalog';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function metricsTable(): string {
  const rows = METRIC_NAMES.map((name) => {
    const m: MetricDeclaration = METRICS[name];
    const dimensions = ['service', ...m.dimensions].join(', ');
    const values = m.dimensionValues ? ` (${m.dimensionValues.join(', ')})` : '';
    return `| \`${name}\` | ${m.unit} | ${dimensions}${values} | ${cell(m.description)} |`;
  });
  return ['| metric | unit | dimensions | what it counts |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function alarmsTable(): string {
  const metricRows = METRIC_NAMES.flatMap((name) => {
    const m: MetricDeclaration = METRICS[name];
    if (!m.alarm) return [];
    const when = `${m.alarm.statistic} of \`${name}\` over ${m.alarm.periodMinutes} minutes >= ${m.alarm.threshold}`;
    return [`| \`${alarmIdOf.metric(name)}\` | ${when} | ${cell(m.alarm.action)} |`];
  });
  return [
    '| alarm | when | what to do |',
    '| --- | --- | --- |',
    `| \`${alarmIdOf.executionsFailed('sweep')}\` | AWS/States \`ExecutionsFailed\` of the sweep state machine >= 1 in 5 minutes | Open the execution's history (Step Functions console). |`,
    `| \`${alarmIdOf.executionsFailed('remediation')}\` | AWS/States \`ExecutionsFailed\` of the remediation state machine >= 1 in 5 minutes | Open the plan's execution history; the plan's record says what ended it. |`,
    ...metricRows,
    "| `<Handler>FunctionErrors` (one per function outside the state machines: `start-cluster-check`, `reconcile-audit`, and with the console `deliver-decisions`, `approval-api`, `run-rollback`) | AWS/Lambda `Errors` + `Throttles` >= 1 in 15 minutes | Read the function's logs; their failures reach no execution history. |",
    '',
    `An approval counts as expiring soon within ${EXPIRING_SOON_HOURS} hours of its expiry (or a quarter of the approval timeout, if shorter).`,
  ].join('\n');
}
