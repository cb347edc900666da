/**
 * The approval gauges: how many approval requests wait for a decision, and how many of them expire soon (a person
 * must decide them, or their plans time out). Emitted by each sweep's report and by the hourly audit reconciler.
 */
import { EXPIRING_SOON_HOURS } from '../shared/metric-catalog';
import type { WorkflowDeps } from './deps';

export async function recordApprovalGauges(
  deps: Pick<WorkflowDeps, 'store' | 'telemetry' | 'now' | 'env'>,
): Promise<{ pending: number; expiringSoon: number }> {
  const pending = await deps.store.listPendingApprovals();
  const window = Math.min(EXPIRING_SOON_HOURS * 3_600_000, (deps.env.approvalTimeoutSeconds * 1000) / 4);
  const soon = deps.now().getTime() + window;
  const expiringSoon = pending.filter((a) => Date.parse(a.expiresAt) <= soon).length;
  deps.telemetry.count('ApprovalsPending', pending.length);
  deps.telemetry.count('ApprovalsExpiringSoon', expiringSoon);
  return { pending: pending.length, expiringSoon };
}
