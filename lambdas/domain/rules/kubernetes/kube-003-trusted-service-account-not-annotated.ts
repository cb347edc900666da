import type { ClusterRef } from '../../estate-index';
import { normalizeSubject } from '../../trust-policy/classify';
import { hasWildcard } from '../../trust-policy/wildcard';
import type { AnalysisContext, RoleAnalysis } from '../context';
import type { StatementEvidence } from '../evidence';
import { statementEvidence, statementLabel } from '../irsa-statement/statement-scope';
import { defineRule } from '../rule';
import { DOC, NODE_ROLE_FALLBACK } from '../rule-docs';
import { kubeScopes } from './kube-pass';
import { annotatedRole, type KubeClusterScope, serviceAccountRef } from './kube-scope';

export interface TrustedNotAnnotatedEvidence extends StatementEvidence {
  readonly subject: string;
  /** The service account as read; `roleArn` is its annotation, absent when it has none. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string; readonly roleArn?: string };
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

/**
 * KUBE-003: a statement of the role names a service account of a cluster that was read (a literal :sub value under
 * this cluster's issuer), the service account exists, and it does not carry this role's ARN: its pods do not use the
 * role. Runs in the role pass, so roles are not kept for it.
 */
export function checkTrustedServiceAccounts(role: RoleAnalysis, ctx: AnalysisContext): void {
  const scopes = kubeScopes(ctx);
  if (scopes.size === 0) return;
  for (const view of role.views) {
    if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
    const target = role.targets[view.statement.index];
    const scope = target ? scopes.get(target) : undefined;
    if (!target || !scope) continue;
    for (const subject of literalSubjects(view, target)) checkSubject(scope, target, role, view, subject);
  }
}

/** The literal :sub values a statement allows under the cluster's issuer (StringEquals or StringLike). */
function literalSubjects(view: RoleAnalysis['views'][number], target: ClusterRef): string[] {
  const out: string[] = [];
  for (const c of view.issuerConditions) {
    const base = c.entry.operator?.base;
    if (c.claimNormal !== 'sub' || c.prefixKey !== target.key) continue;
    if (base !== 'StringEquals' && base !== 'StringLike') continue;
    for (const value of c.entry.values) if (!hasWildcard(value)) out.push(normalizeSubject(value));
  }
  return out;
}

function checkSubject(
  scope: KubeClusterScope,
  target: ClusterRef,
  role: RoleAnalysis,
  view: RoleAnalysis['views'][number],
  subject: string,
): void {
  const m = SUBJECT.exec(subject);
  if (!m) return;
  const [, namespace = '', name = ''] = m;
  const sa = scope.serviceAccount(namespace, name);
  const roleArn = role.ref.role.arn;
  const annotation = annotatedRole(sa);
  if (!sa || annotation === roleArn || scope.podIdentityRole(namespace, name)) return;
  const where = `service account ${namespace}/${name} on cluster ${target.cluster.name} (${target.cluster.region})`;
  scope.ctx.emit({
    ruleId: 'KUBE-003',
    ...scope.onRole(roleArn, serviceAccountRef(sa), namespace, name),
    accountId: role.ref.accountId,
    message:
      annotation === undefined
        ? `Role ${role.ref.role.name} (statement ${statementLabel(view)}) trusts ${where}, but the service account has no eks.amazonaws.com/role-arn annotation: its pods get no IRSA credentials and fall back to the node role.`
        : `Role ${role.ref.role.name} (statement ${statementLabel(view)}) trusts ${where}, but the service account is annotated with ${annotation}: its pods use that role, not this one.`,
    evidence: {
      ...statementEvidence(view, role),
      subject,
      serviceAccount: { namespace, name, ...(annotation !== undefined ? { roleArn: annotation } : {}) },
    },
    // Another role on the annotation may be meant (this trust left over): said, but not as a fault.
    ...(annotation === undefined ? {} : { severity: 'low' as const }),
  });
}

export const KUBE_003 = defineRule<TrustedNotAnnotatedEvidence>()({
  id: 'KUBE-003',
  severity: 'high',
  title: 'Service account trusted by a role but not annotated with it',
  explanation:
    "The role's trust policy lets this service account in, but the service account does not carry the role's ARN in eks.amazonaws.com/role-arn (no annotation, or another role's), so the webhook does not give its pods this role.",
  podError: NODE_ROLE_FALLBACK,
  remediation:
    'kubectl annotate serviceaccount -n <namespace> <name> eks.amazonaws.com/role-arn=<role ARN> --overwrite, then restart its pods; or remove the subject from the trust policy if the role is not meant for it.',
  references: [DOC.associate, DOC.irsaErrors],
});
