import type { PlanStepInput } from '../shared/contracts';
import { preparePlan } from '../workflow/plan-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<PlanStepInput, Awaited<ReturnType<typeof preparePlan>>>('prepare-plan', preparePlan);
