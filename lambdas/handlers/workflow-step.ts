/**
 * The one handler of every workflow step's function: the step is the one named by IRSA_DOCTOR_HANDLER (set by the
 * hub stack from the step registry, lambdas/workflow/steps.ts), checked at cold start, so a function deployed with a
 * wrong name fails its init with the list of steps instead of failing each invocation later.
 */
import { HANDLER_ENV_VAR } from '../workflow/steps';
import { stepHandler } from './registry-handler';

export const handler = stepHandler(process.env[HANDLER_ENV_VAR]);
