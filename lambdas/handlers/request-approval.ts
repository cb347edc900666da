import type { RequestApprovalInput } from '../shared/contracts';
import { requestApproval } from '../workflow/plan-steps';
import { makeHandler } from './make-handler';

export const handler = makeHandler<RequestApprovalInput, Awaited<ReturnType<typeof requestApproval>>>(
  'request-approval',
  requestApproval,
);
