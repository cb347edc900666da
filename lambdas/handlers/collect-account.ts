import type { CollectAccountInput } from '../shared/contracts';
import { collectAccountStep } from '../workflow/run-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<CollectAccountInput, Awaited<ReturnType<typeof collectAccountStep>>>(
  'collect-account',
  collectAccountStep,
);
