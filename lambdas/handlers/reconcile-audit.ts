import { recordApprovalGauges } from '../workflow/approval-gauges';
import { type ReconcileAuditInput, reconcileAudit } from '../workflow/write-ahead';
import { makeHandler } from './make-handler';

/**
 * On a schedule (hourly): completes the audit records of writes a crash interrupted (lambdas/workflow/write-ahead.ts),
 * then the approval gauges (pending, expiring soon), so that the expiring-approvals alarm sees them between sweeps.
 */
export const handler = makeHandler<ReconcileAuditInput, Awaited<ReturnType<typeof reconcileAudit>>>(
  'reconcile-audit',
  async (deps, input) => {
    const out = await reconcileAudit(deps, input);
    await recordApprovalGauges(deps);
    return out;
  },
);
