import type { ReportInput } from '../shared/contracts';
import { report } from '../workflow/run-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<ReportInput, Awaited<ReturnType<typeof report>>>('report', report);
