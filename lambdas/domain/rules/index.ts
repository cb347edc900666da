import { checkAccounts } from './account/account-pass';
import type { AnalysisContext, RoleAnalysis } from './context';
import { checkRole, readRole } from './document/role-pass';
import { fastPathEligible, isCanonicalStatement } from './irsa-statement/canonical-statement';
import { checkIrsaStatement } from './irsa-statement/statement-pass';
import { checkScannerAccess } from './kubernetes/kube-001-scanner-cannot-read';
import { checkTrustedServiceAccounts } from './kubernetes/kube-003-trusted-service-account-not-annotated';
import { checkKubernetes } from './kubernetes/kube-pass';
import { checkAssociations, checkPodIdentityTrust } from './pod-identity-rules';
import { checkClusterProviders } from './provider/irsa-001-no-provider';
import { checkProviders } from './provider/provider-scope';
import { checkIntendedRequests } from './workload/irsa-024-denied-by-something-else';
import { checkServiceAccounts } from './workload/workload-pass';

/**
 * The order rules run in. Roles stream through one pass each (read, classify, check, then let go) so that a
 * hundred thousand parsed documents are never held at once; only roles a workload or Pod Identity association
 * names are kept for the workload pass. Later passes read what earlier ones recorded: which clusters and
 * providers the roles use (for IRSA-001 and IRSA-005), and per-statement finding counts (so the intended-request
 * check reports only denials no other rule explained).
 */
export function runRules(ctx: AnalysisContext): void {
  checkAccounts(ctx);
  checkScannerAccess(ctx);
  const neededLater = rolesNeededLater(ctx);
  for (const ref of ctx.index.roles) {
    const role = readRole(ref, ctx);
    if (role.irsa) ctx.irsaRoles++;
    checkRole(role, ctx);
    // A canonical role (irsa-statement/canonical-document.ts) has only canonical IRSA statements: nothing to check.
    if (!role.canonical) {
      checkPodIdentityTrust(role, ctx);
      if (role.irsa) checkIrsaStatements(role, ctx);
    }
    // Per-role checks that a healthy (canonical) role can fail go here, outside the guard.
    if (role.irsa) checkTrustedServiceAccounts(role, ctx);
    if (neededLater.has(ref.role.arn)) ctx.roleAnalyses.set(ref.role.arn, role);
  }
  checkServiceAccounts(ctx);
  checkKubernetes(ctx);
  checkAssociations(ctx);
  checkClusterProviders(ctx);
  checkProviders(ctx);
}

/** The roles a workload or a Pod Identity association names: their analyses are kept for the workload pass. */
function rolesNeededLater(ctx: AnalysisContext): Set<string> {
  const neededLater = new Set<string>();
  for (const roleArn of ctx.index.serviceAccountsByRole.keys()) neededLater.add(roleArn);
  for (const { association } of ctx.index.associations) {
    neededLater.add(association.roleArn);
    if (association.targetRoleArn) neededLater.add(association.targetRoleArn);
  }
  return neededLater;
}

/**
 * The statement rules on each IRSA Allow statement, then the denials they did not explain. A canonical healthy
 * statement (isCanonicalStatement) takes the fast path: no rule can report on it, so none runs; when every IRSA
 * Allow statement of the role is canonical, the intended-request check has nothing to report either.
 */
function checkIrsaStatements(role: RoleAnalysis, ctx: AnalysisContext): void {
  const eligible = ctx.fastPath && fastPathEligible(role);
  let allCanonical = eligible;
  for (const view of role.views) {
    if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
    if (eligible && isCanonicalStatement(view, role, ctx)) continue;
    allCanonical = false;
    checkIrsaStatement(view, role, ctx);
  }
  if (!allCanonical) checkIntendedRequests(role, ctx);
}
