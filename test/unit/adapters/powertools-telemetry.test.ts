/**
 * The Telemetry adapter over Powertools Metrics: each datum is one embedded-metric-format line with the declared
 * namespace, unit and dimensions (what CloudWatch turns into the metric the alarms watch).
 */
import { PowertoolsTelemetry } from '../../../lambdas/adapters/powertools-telemetry';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../../../lambdas/shared/metric-catalog';

interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly [key: string]: unknown;
}

function emitted(run: () => void): Emf[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    run();
  } finally {
    write.mockRestore();
    log.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('CloudWatchMetrics'))
    .map((l) => JSON.parse(l) as Emf);
}

describe('PowertoolsTelemetry', () => {
  it('writes one EMF line per datum, with the namespace, the service and the declared dimension', () => {
    const telemetry = new PowertoolsTelemetry();
    const [line, ...rest] = emitted(() => telemetry.count('Findings', 3, { Severity: 'high' }));
    expect(rest).toEqual([]);
    expect(line?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRIC_NAMESPACE,
        Dimensions: [expect.arrayContaining(['service', 'Severity'])],
        Metrics: [{ Name: 'Findings', Unit: 'Count' }],
      },
    ]);
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toHaveLength(2);
    expect(line).toMatchObject({ Findings: 3, Severity: 'high', service: METRIC_SERVICE });
  });

  it('keeps data of different dimension values apart (two lines, never one mixed set)', () => {
    const telemetry = new PowertoolsTelemetry();
    const lines = emitted(() => {
      telemetry.count('PlanOutcomes', 1, { Outcome: 'applied' });
      telemetry.count('PlanOutcomes', 1, { Outcome: 'failed' });
      telemetry.count('ApplyFailures', 1);
    });
    expect(lines.map((l) => [l.Outcome, l.PlanOutcomes ?? l.ApplyFailures])).toEqual([
      ['applied', 1],
      ['failed', 1],
      [undefined, 1],
    ]);
    expect(lines[2]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
  });

  it('reports a datum without its declared dimension, writes nothing and does not throw', () => {
    const errors: unknown[] = [];
    const telemetry = new PowertoolsTelemetry(undefined, (err) => errors.push(err));
    expect(emitted(() => telemetry.count('Findings', 1))).toEqual([]);
    expect(String(errors[0])).toContain('metric Findings: dimension Severity missing');
  });
});
