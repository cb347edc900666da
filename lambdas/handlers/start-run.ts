import type { StartRunInput } from '../shared/contracts';
import { startRun } from '../workflow/run-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<StartRunInput, Awaited<ReturnType<typeof startRun>>>('start-run', startRun);
