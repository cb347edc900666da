import type { RecordOutcomeInput } from '../shared/contracts';
import { recordOutcome } from '../workflow/plan-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<RecordOutcomeInput, Awaited<ReturnType<typeof recordOutcome>>>(
  'record-outcome',
  recordOutcome,
);
