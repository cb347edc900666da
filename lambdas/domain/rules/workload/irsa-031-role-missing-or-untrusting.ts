import { roleAccountId } from '../../arn';
import { firstOf } from '../../brief';
import type { ClusterRef } from '../../estate-index';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import type { EvaluationEvidence, ServiceAccountEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { EvaluatedWorkload, WorkloadScope } from './workload-scope';

export interface MissingRoleEvidence extends ServiceAccountEvidence {
  readonly roleExists: false;
  /** For a service account read from the cluster: the statement the role must hold to let it in. */
  readonly allowingStatement?: AllowingStatement;
}

/** The one trust statement that lets a service account in: its cluster's provider, its subject, its audience. */
export interface AllowingStatement {
  readonly Effect: 'Allow';
  readonly Principal: { readonly Federated: string };
  readonly Action: 'sts:AssumeRoleWithWebIdentity';
  readonly Condition: { readonly StringEquals: Readonly<Record<string, string>> };
}

/** The statement that allows `subject` with `audience` from the cluster's provider `federated`. */
export function allowingStatement(
  federated: string,
  cluster: ClusterRef,
  subject: string,
  audience: string,
): AllowingStatement {
  return {
    Effect: 'Allow',
    Principal: { Federated: federated },
    Action: WEB_IDENTITY_ACTION,
    Condition: { StringEquals: { [`${cluster.hostPath}:sub`]: subject, [`${cluster.hostPath}:aud`]: audience } },
  };
}

export interface UntrustedClusterEvidence extends ServiceAccountEvidence {
  readonly roleExists: true;
  readonly expectedFederated: string;
  /** The first providers the role trusts, and how many when more. */
  readonly trusts: readonly string[];
  readonly trustsCount?: number;
  readonly evaluation: EvaluationEvidence;
  /** For a service account read from the cluster: the statement to add that lets it in. */
  readonly allowingStatement?: AllowingStatement;
}

/** IRSA-031: the role the workload names does not exist (only said of a completely read account). */
export function reportMissingRole(w: WorkloadScope): void {
  const roleAccount = roleAccountId(w.roleArn) ?? '';
  if (!w.ctx.index.accounts.has(roleAccount) || !w.ctx.index.isComplete(roleAccount)) return;
  const statement =
    w.ref.kube && w.cluster
      ? allowingStatement(
          w.ctx.expectedProviderArn(roleAccount, w.cluster),
          w.cluster,
          w.subject,
          w.sa.audience ?? DEFAULT_AUDIENCE,
        )
      : undefined;
  w.ctx.emit({
    ruleId: 'IRSA-031',
    accountId: roleAccount,
    resourceArn: w.roleArn,
    resourceType: 'role',
    cluster: w.cluster,
    ...w.objectRef,
    discriminator: w.discriminator,
    message: `${w.who()} uses role ${w.roleArn}, which does not exist.${
      statement
        ? ` Create it with a trust statement that lets the service account in: ${JSON.stringify(statement)}.`
        : ''
    }`,
    evidence: { ...w.subjectEvidence, roleExists: false, ...(statement ? { allowingStatement: statement } : {}) },
  });
}

/** IRSA-031: no statement of the role names the workload's cluster. Reported: true. */
export function reportUntrustedCluster(e: EvaluatedWorkload): boolean {
  if (e.targeting().length > 0) return false;
  const trusts = firstOf([...new Set(e.analysis.views.flatMap((v) => v.providers.map((p) => p.arn)))]);
  const more = trusts.total - trusts.items.length;
  const statement = e.w.ref.kube ? allowingStatement(e.providerArn, e.cluster, e.w.subject, e.audience) : undefined;
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: 'IRSA-031',
    message: `${e.w.who()} uses role ${e.analysis.ref.role.name}, but no statement of it trusts cluster ${e.cluster.cluster.name}'s provider${
      trusts.total > 0 ? ` (it trusts ${trusts.items.join(', ')}${more > 0 ? `, and ${more} more` : ''})` : ''
    }.${statement ? ` The statement that would allow it: ${JSON.stringify(statement)}.` : ''}`,
    evidence: {
      ...e.w.subjectEvidence,
      roleExists: true,
      expectedFederated: e.providerArn,
      trusts: trusts.items,
      ...(more > 0 ? { trustsCount: trusts.total } : {}),
      evaluation: e.evaluation,
      ...(statement ? { allowingStatement: statement } : {}),
    },
  });
  return true;
}

export const IRSA_031 = defineRule<MissingRoleEvidence | UntrustedClusterEvidence>()({
  id: 'IRSA-031',
  severity: 'high',
  title: 'Service account points at a role that is missing or does not trust its cluster',
  explanation:
    "The role named by the workload does not exist, or none of its statements trusts this cluster's provider.",
  podError: ACCESS_DENIED,
  remediation:
    'Add a statement for this cluster to the role (one statement per cluster), or point the service account at the right role.',
  references: [DOC.associate, DOC.irsaErrors],
});
