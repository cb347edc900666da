import { makeHandler } from '../../lambdas/handlers/make-handler';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import { WORKFLOW_STEPS } from '../../lambdas/workflow/steps';

/**
 * The same handlers the Lambda functions run (makeHandler: contract validation, logging), one per step of the
 * registry (lambdas/workflow/steps.ts), keyed by step name, over given deps.
 */
export function stepHandlers(deps: () => WorkflowDeps): Record<string, (event: unknown) => Promise<unknown>> {
  return Object.fromEntries(
    WORKFLOW_STEPS.map((step) => [
      step.name,
      makeHandler(step.name, step.run as (d: WorkflowDeps, input: unknown) => Promise<unknown>, deps),
    ]),
  );
}
