import type { ApplyPlanInput } from '../shared/contracts';
import { applyPlanStep } from '../workflow/plan-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<ApplyPlanInput, Awaited<ReturnType<typeof applyPlanStep>>>(
  'apply-plan',
  applyPlanStep,
);
