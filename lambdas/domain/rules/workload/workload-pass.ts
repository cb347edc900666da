import { parseArn } from '../../arn';
import type { ServiceAccountRef } from '../../estate-index';
import type { AnalysisContext } from '../context';
import { reportRoleArnPartition } from '../irsa-statement/irsa-044-other-partition';
import { reportSubjectNotAllowed } from './irsa-016-subject-not-allowed';
import { reportExplicitDenial, reportUnexplainedDenial } from './irsa-024-denied-by-something-else';
import { reportMalformedRoleArn } from './irsa-030-malformed-role-arn';
import { reportMissingRole, reportUntrustedCluster } from './irsa-031-role-missing-or-untrusting';
import { reportProviderAudience, reportRoleAudience } from './irsa-036-custom-audience';
import { EvaluatedWorkload, WorkloadScope } from './workload-scope';

/** Rules that need to know which workload uses a role: EKS add-ons, Kubernetes service accounts. */
export function checkServiceAccounts(ctx: AnalysisContext): void {
  // Which service accounts Pod Identity covers, as one set: looking each one up in the association list would cost
  // service accounts x associations.
  const podIdentity = new Set(
    ctx.index.associations.map(({ accountId, association: a }) =>
      podIdentityKey(accountId, a.cluster, a.region, a.namespace, a.serviceAccount),
    ),
  );
  for (const ref of ctx.index.serviceAccounts) checkServiceAccount(ref, ctx, podIdentity);
}

function podIdentityKey(accountId: string, cluster: string, region: string, namespace: string, name: string): string {
  return JSON.stringify([accountId, cluster, region, namespace, name]);
}

/**
 * One workload against the role it names, each rule in the order of the failure a pod meets first: the first one
 * that explains the failure is reported, and the rest are not (they would say the same thing again).
 */
function checkServiceAccount(ref: ServiceAccountRef, ctx: AnalysisContext, podIdentity: ReadonlySet<string>): void {
  const sa = ref.serviceAccount;
  // An empty eks.amazonaws.com/role-arn annotation is no annotation: the webhook injects nothing for it.
  if (sa.roleArn === undefined || sa.roleArn === '') return;
  const w = new WorkloadScope(ref, sa.roleArn, ctx);
  if (reportMalformedRoleArn(w) || reportRoleArnPartition(w, parseArn(w.roleArn)?.partition)) return;
  const cluster = w.cluster;
  if (!cluster) return;
  // Pod Identity takes precedence over IRSA for this service account (PI-056): IRSA checks would mislead.
  if (podIdentity.has(podIdentityKey(ref.accountId, sa.cluster, sa.region, sa.namespace, sa.name))) return;
  const analysis = ctx.roleAnalyses.get(w.roleArn);
  if (!analysis) {
    reportMissingRole(w);
    return;
  }
  if (!analysis.read.ok) return; // DOC-001 already says the document cannot be read
  const e = new EvaluatedWorkload(w, cluster, analysis, analysis.read.policy);
  if (!analysis.targets.includes(cluster)) ctx.markClusterUse(cluster, e.roleAccount, w.roleArn);
  reportProviderAudience(e);
  if (e.result.decision === 'Allow') return;
  if (e.result.decision === 'ExplicitDeny') {
    reportExplicitDenial(e);
    return;
  }
  if (reportUntrustedCluster(e) || reportSubjectNotAllowed(e) || reportRoleAudience(e)) return;
  reportUnexplainedDenial(e);
}
