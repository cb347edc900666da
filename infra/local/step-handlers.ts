import { stepHandler } from '../../lambdas/handlers/registry-handler';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import { WORKFLOW_STEP_NAMES } from '../../lambdas/workflow/steps';

/**
 * The same handlers the Lambda functions run (contract validation, logging), one per step of the registry
 * (lambdas/workflow/steps.ts), keyed by step name, over given deps.
 */
export function stepHandlers(deps: () => WorkflowDeps): Record<string, (event: unknown) => Promise<unknown>> {
  return Object.fromEntries(WORKFLOW_STEP_NAMES.map((name) => [name, stepHandler(name, deps)]));
}
