/** The Telemetry port in memory: records every datum (Powertools Metrics in AWS). */
import type { Telemetry } from '../../../lambdas/ports/telemetry';
import { METRICS, type MetricName } from '../../../lambdas/shared/metric-catalog';

export interface Datum {
  readonly metric: MetricName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

export class RecordingTelemetry implements Telemetry {
  readonly data: Datum[] = [];

  count(metric: MetricName, value: number, dimensions: Readonly<Record<string, string>> = {}) {
    const declared: readonly string[] = METRICS[metric].dimensions;
    const given = Object.keys(dimensions).sort();
    if (given.join() !== [...declared].sort().join()) {
      throw new Error(`metric ${metric}: dimensions ${given.join()} are not the declared ${declared.join()}`);
    }
    this.data.push({ metric, value, dimensions });
  }

  /** The sum of a metric's data (with these dimension values, if given). */
  total(metric: MetricName, dimensions: Readonly<Record<string, string>> = {}): number {
    return this.data
      .filter((d) => d.metric === metric && Object.entries(dimensions).every(([k, v]) => d.dimensions[k] === v))
      .reduce((n, d) => n + d.value, 0);
  }

  /** The last datum of a gauge. */
  last(metric: MetricName): number | undefined {
    return this.data.filter((d) => d.metric === metric).at(-1)?.value;
  }
}
