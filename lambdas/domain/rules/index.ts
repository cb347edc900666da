import type { AnalysisContext } from './context';
import { checkAssociations, checkPodIdentityTrust } from './pod-identity-rules';
import { checkAccounts, checkClusterProviders, checkProviders } from './provider-rules';
import { checkIntendedRequests, checkIrsaStatement, checkRole, readRole } from './trust-rules';
import { checkServiceAccounts } from './workload-rules';

/**
 * The order rules run in. Roles stream through one pass each (read, classify, check, then let go) so that a
 * hundred thousand parsed documents are never held at once; only roles a workload or Pod Identity association
 * names are kept for the workload pass. Later passes read what earlier ones recorded: which clusters and
 * providers the roles use (for IRSA-001 and IRSA-005), and per-statement finding counts (so the intended-request
 * check reports only denials no other rule explained).
 */
export function runRules(ctx: AnalysisContext): void {
  checkAccounts(ctx);
  const neededLater = new Set<string>();
  for (const roleArn of ctx.index.serviceAccountsByRole.keys()) neededLater.add(roleArn);
  for (const { association } of ctx.index.associations) {
    neededLater.add(association.roleArn);
    if (association.targetRoleArn) neededLater.add(association.targetRoleArn);
  }
  for (const ref of ctx.index.roles) {
    const role = readRole(ref, ctx);
    if (role.irsa) ctx.irsaRoles++;
    checkRole(role, ctx);
    checkPodIdentityTrust(role, ctx);
    if (role.irsa) {
      for (const view of role.views) {
        if (view.kind === 'irsa' && view.statement.effect === 'Allow') checkIrsaStatement(view, role, ctx);
      }
      checkIntendedRequests(role, ctx);
    }
    if (neededLater.has(ref.role.arn)) ctx.roleAnalyses.set(ref.role.arn, role);
  }
  checkServiceAccounts(ctx);
  checkAssociations(ctx);
  checkClusterProviders(ctx);
  checkProviders(ctx);
}
