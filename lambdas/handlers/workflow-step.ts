/**
 * The one handler of every workflow step's function: the step is the one named by IRSA_DOCTOR_HANDLER (set by the
 * hub stack from the step registry, lambdas/workflow/steps.ts), checked at cold start, so a function deployed with a
 * wrong name fails its init with the list of steps instead of failing each invocation later.
 */
import type { WorkflowDeps } from '../workflow/deps';
import { HANDLER_ENV_VAR, stepNamed } from '../workflow/steps';
import { defaultDeps, makeHandler } from './make-handler';

/** The handler of the step `name` (contract validation, logging) over `deps`; throws UnknownStepError for others. */
export function stepHandler(
  name: unknown,
  deps: () => WorkflowDeps = defaultDeps,
): (event: unknown) => Promise<unknown> {
  const step = stepNamed(name);
  return makeHandler(step.name, step.run as (deps: WorkflowDeps, input: unknown) => Promise<unknown>, deps);
}

export const handler = stepHandler(process.env[HANDLER_ENV_VAR]);
