/**
 * A workflow step's handler from the step registry (lambdas/workflow/steps.ts): the step's contract validated, its
 * run function called with the deps. The generic Lambda handler (workflow-step.ts) and the local runtime use it.
 */
import type { WorkflowDeps } from '../workflow/deps';
import { stepNamed } from '../workflow/steps';
import { defaultDeps, makeHandler } from './make-handler';

/** The handler of the step `name` over `deps`; throws UnknownStepError (listing the steps) for any other name. */
export function stepHandler(
  name: unknown,
  deps: () => WorkflowDeps = defaultDeps,
): (event: unknown) => Promise<unknown> {
  const step = stepNamed(name);
  return makeHandler(step.name, step.run as (d: WorkflowDeps, input: unknown) => Promise<unknown>, deps);
}
