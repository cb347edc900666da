/**
 * The Telemetry port over Powertools Metrics (CloudWatch embedded metric format: one structured log line per datum,
 * which CloudWatch turns into metrics; no PutMetricData call, no extra permission). Loaded by the Lambda handler
 * wiring only (lambdas/handlers/instrumentation.ts), never by the CLI.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from '../ports/telemetry';
import { METRIC_NAMESPACE, METRIC_SERVICE, METRICS, type MetricName } from '../shared/metric-catalog';

export class PowertoolsTelemetry implements Telemetry {
  constructor(
    private readonly metrics: Metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }),
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /**
   * Each datum is a single metric (its own EMF line, flushed now), so that data with different dimensions never
   * share a dimension set and nothing waits for a flush at the end of the invocation.
   */
  count(metric: MetricName, value: number, dimensions: Readonly<Record<string, string>> = {}) {
    try {
      const declared: readonly string[] = METRICS[metric].dimensions;
      const single = this.metrics.singleMetric();
      for (const name of declared) {
        const given = dimensions[name];
        if (given === undefined) throw new Error(`metric ${metric}: dimension ${name} missing`);
        single.addDimension(name, given);
      }
      single.addMetric(metric, MetricUnit.Count, value);
    } catch (err) {
      this.onError(err);
    }
  }
}
