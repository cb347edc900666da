import { admitWorkload, appendClusterStatement } from './admit-workload';
import { FIX_ORDER, type Fixer, open } from './fixer';

/**
 * IRSA-031: a workload names a role that does not trust its cluster; append a statement for the cluster. It runs
 * after the principal fixes of the plan: a stale statement repointed to the workload's cluster (IRSA-012) already
 * lets it in, and then nothing is appended beside the dead statement.
 */
export const irsa031AddClusterStatement: Fixer<'IRSA-031'> = {
  rule: 'IRSA-031',
  order: FIX_ORDER.additions,
  role: (finding, ctx) => {
    if (!ctx.lookups.clusterOf(finding)) return open('the cluster is not in the snapshot');
    if (finding.evidence.roleExists !== true)
      return open('the role does not exist: create it, or point the service account at the right role');
    return admitWorkload(finding, ctx, (w) => appendClusterStatement(ctx, w));
  },
};
