/**
 * Pending plans grouped by account, then cluster (plans without a cluster under "(account-wide)"): the API's order
 * (accounts and clusters by name, plans oldest request first), or the console's chosen order (plans sorted, each group
 * where its first plan falls). Pure, no runtime imports beyond the types: shared by the API and the browser console.
 */
import type { PendingGroup, PlanSummary } from './views';

export const ACCOUNT_WIDE = '(account-wide)';

export function groupPending(
  summaries: readonly PlanSummary[],
  planOrder?: (a: PlanSummary, b: PlanSummary) => number,
): PendingGroup[] {
  const groups = new Map<string, { accountId: string; cluster: string; plans: PlanSummary[] }>();
  for (const s of planOrder ? [...summaries].sort(planOrder) : summaries) {
    const cluster = s.cluster ? `${s.cluster}${s.region ? ` (${s.region})` : ''}` : ACCOUNT_WIDE;
    const key = `${s.accountId}\u0000${cluster}`;
    const group = groups.get(key) ?? { accountId: s.accountId, cluster, plans: [] };
    group.plans.push(s);
    groups.set(key, group);
  }
  if (planOrder) return [...groups.values()];
  return [...groups.values()]
    .sort((a, b) => a.accountId.localeCompare(b.accountId) || a.cluster.localeCompare(b.cluster))
    .map((g) => ({ ...g, plans: g.plans.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt)) }));
}
