import type { AnalyzePlanInput } from '../shared/contracts';
import { analyzeAndPlan } from '../workflow/run-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<AnalyzePlanInput, Awaited<ReturnType<typeof analyzeAndPlan>>>(
  'analyze-plan',
  analyzeAndPlan,
);
