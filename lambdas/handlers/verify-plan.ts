import type { PlanStepInput } from '../shared/contracts';
import { verifyPlan } from '../workflow/plan-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<PlanStepInput, Awaited<ReturnType<typeof verifyPlan>>>('verify-plan', verifyPlan);
