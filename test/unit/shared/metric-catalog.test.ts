/** The metric declaration and the README: the README lists every metric and alarm, as declared. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemas } from '../../../lambdas/shared/contracts';
import { METRIC_NAMES, METRICS, type MetricDeclaration, PLAN_OUTCOMES } from '../../../lambdas/shared/metric-catalog';
import { alarmsTable, metricsTable } from '../../support/metric-docs';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

function between(begin: string, end: string): string {
  const start = README.indexOf(begin);
  const stop = README.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`README has no ${begin} ... ${end}`);
  return README.slice(start + begin.length, stop).trim();
}

describe('the metric catalog', () => {
  it('the README table of metrics is the declaration', () => {
    expect(between('<!-- metrics:begin -->', '<!-- metrics:end -->')).toBe(metricsTable());
  });

  it('the README table of alarms is the declaration', () => {
    expect(between('<!-- alarms:begin -->', '<!-- alarms:end -->')).toBe(alarmsTable());
  });

  it('each metric with dimension values names them, and has at most one dimension', () => {
    for (const name of METRIC_NAMES) {
      const m: MetricDeclaration = METRICS[name];
      expect(m.dimensions.length).toBeLessThanOrEqual(1);
      expect(Boolean(m.dimensionValues)).toBe(m.dimensions.length === 1);
    }
  });

  it('counts every outcome record-outcome accepts', () => {
    const recorded: readonly string[] = schemas['record-outcome'].properties.outcome.enum;
    expect(PLAN_OUTCOMES).toEqual(expect.arrayContaining(recorded));
  });
});
