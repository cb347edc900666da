/**
 * Powertools Tracer and Metrics, made once per cold start: the only place they are loaded (the Lambda handlers
 * import this; the CLI and the domain never do). Every SDK client of the workflow's dependencies is captured by the
 * tracer (an X-Ray subsegment per call; active tracing is on in every function), and the steps' metrics go out in
 * the embedded metric format (lambdas/shared/metric-catalog.ts).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { ClientInstrument } from '../adapters/aws-clients';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import type { Telemetry } from '../ports/telemetry';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../shared/metric-catalog';

export const tracer = new Tracer({ serviceName: METRIC_SERVICE });

/** Captures an SDK v3 client (tracing off outside Lambda: the client is returned as it is). */
export const traceClient: ClientInstrument = (client) => tracer.captureAWSv3Client(client);

export function lambdaTelemetry(onError: (err: unknown) => void): Telemetry {
  return new PowertoolsTelemetry(new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE }), onError);
}
