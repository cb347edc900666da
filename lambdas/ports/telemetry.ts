/** Metrics (CloudWatch embedded metric format in AWS): the workflow counts what happened, by the declared names. */
import type { MetricName } from '../shared/metric-catalog';

export interface Telemetry {
  /**
   * One datum of a declared metric (lambdas/shared/metric-catalog.ts), with exactly its declared dimensions.
   * Never throws: metrics must not fail a step.
   */
  count(metric: MetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Emits nothing: the default outside Lambda (the CLI, the local runtime) and where no metric is wanted. */
export const NO_TELEMETRY: Telemetry = { count: () => undefined };
