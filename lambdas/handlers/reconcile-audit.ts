import { type ReconcileAuditInput, reconcileAudit } from '../workflow/write-ahead';
import { makeHandler } from './make-handler';

/** On a schedule: completes the audit records of writes a crash interrupted (lambdas/workflow/write-ahead.ts). */
export const handler = makeHandler<ReconcileAuditInput, Awaited<ReturnType<typeof reconcileAudit>>>(
  'reconcile-audit',
  reconcileAudit,
);
