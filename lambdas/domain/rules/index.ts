import type { AnalysisContext } from './context';
import { checkAssociations, checkPodIdentityTrust } from './pod-identity-rules';
import { checkAccounts, checkClusterProviders, checkProviders } from './provider-rules';
import { checkIntendedRequests, checkIrsaStatement, checkRole, readRoles } from './trust-rules';
import { checkServiceAccounts } from './workload-rules';

/**
 * The order rules run in. Later passes read what earlier ones recorded: roles are read first (which clusters and
 * providers they use), workloads before providers (so a cluster used only by a known workload counts as used),
 * and the intended-request pass last (it only reports denials no other rule explained).
 */
export function runRules(ctx: AnalysisContext): void {
  readRoles(ctx);
  checkAccounts(ctx);
  for (const role of ctx.roleAnalyses.values()) {
    checkRole(role, ctx);
    checkPodIdentityTrust(role, ctx);
    if (!role.irsa) continue;
    for (const view of role.views) {
      if (view.kind === 'irsa' && view.statement.effect === 'Allow') checkIrsaStatement(view, role, ctx);
    }
  }
  checkServiceAccounts(ctx);
  checkAssociations(ctx);
  checkClusterProviders(ctx);
  checkProviders(ctx);
  for (const role of ctx.roleAnalyses.values()) if (role.irsa) checkIntendedRequests(role, ctx);
}
