/**
 * Every handler is this: validate the payload against the step's contract, build the dependencies once per cold
 * start, append the run's keys to the logger, delegate to the workflow step, return its small result.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { buildDeps } from '../adapters/workflow-deps';
import { type StepName, validateInput } from '../shared/contracts';
import { loadEnv } from '../shared/env';
import type { WorkflowDeps } from '../workflow/deps';
import { lambdaTelemetry, traceClient } from './instrumentation';

export const logger = new Logger({ serviceName: 'irsa-doctor' });

let cached: WorkflowDeps | undefined;
/**
 * The dependencies from the environment, built on first use (tests and the local runner pass their own): every SDK
 * client traced, metrics in the embedded metric format.
 */
export function defaultDeps(): WorkflowDeps {
  cached ??= buildDeps(loadEnv(process.env), {
    instrument: traceClient,
    telemetry: lambdaTelemetry((err) => logger.warn('metric not emitted', err as Error)),
  });
  return cached;
}

export function makeHandler<I, O>(
  step: StepName,
  run: (deps: WorkflowDeps, input: I) => Promise<O>,
  deps: () => WorkflowDeps = defaultDeps,
): (event: unknown) => Promise<O> {
  return async (event: unknown) => {
    const input = validateInput<I>(step, event);
    const keys = input as { runId?: string; planId?: string; target?: { accountId?: string } };
    logger.resetKeys();
    logger.appendKeys({
      step,
      ...(keys.runId ? { runId: keys.runId } : {}),
      ...(keys.planId ? { planId: keys.planId } : {}),
      ...(keys.target?.accountId ? { accountId: keys.target.accountId } : {}),
    });
    try {
      const output = await run(deps(), input);
      logger.info('step done');
      return output;
    } catch (err) {
      logger.error('step failed', err as Error);
      throw err;
    }
  };
}
