import { roleAccountId } from '../../arn';
import { firstOf } from '../../brief';
import type { EvaluationEvidence, ServiceAccountEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { EvaluatedWorkload, WorkloadScope } from './workload-scope';

export interface MissingRoleEvidence extends ServiceAccountEvidence {
  readonly roleExists: false;
}

export interface UntrustedClusterEvidence extends ServiceAccountEvidence {
  readonly roleExists: true;
  readonly expectedFederated: string;
  /** The first providers the role trusts, and how many when more. */
  readonly trusts: readonly string[];
  readonly trustsCount?: number;
  readonly evaluation: EvaluationEvidence;
}

/** IRSA-031: the role the workload names does not exist (only said of a completely read account). */
export function reportMissingRole(w: WorkloadScope): void {
  const roleAccount = roleAccountId(w.roleArn) ?? '';
  if (!w.ctx.index.accounts.has(roleAccount) || !w.ctx.index.isComplete(roleAccount)) return;
  w.ctx.emit({
    ruleId: 'IRSA-031',
    accountId: roleAccount,
    resourceArn: w.roleArn,
    resourceType: 'role',
    cluster: w.cluster,
    discriminator: w.subject,
    message: `${w.who()} uses role ${w.roleArn}, which does not exist.`,
    evidence: { ...w.subjectEvidence, roleExists: false },
  });
}

/** IRSA-031: no statement of the role names the workload's cluster. Reported: true. */
export function reportUntrustedCluster(e: EvaluatedWorkload): boolean {
  if (e.targeting().length > 0) return false;
  const trusts = firstOf([...new Set(e.analysis.views.flatMap((v) => v.providers.map((p) => p.arn)))]);
  const more = trusts.total - trusts.items.length;
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: 'IRSA-031',
    message: `${e.w.who()} uses role ${e.analysis.ref.role.name}, but no statement of it trusts cluster ${e.cluster.cluster.name}'s provider${
      trusts.total > 0 ? ` (it trusts ${trusts.items.join(', ')}${more > 0 ? `, and ${more} more` : ''})` : ''
    }.`,
    evidence: {
      ...e.w.subjectEvidence,
      roleExists: true,
      expectedFederated: e.providerArn,
      trusts: trusts.items,
      ...(more > 0 ? { trustsCount: trusts.total } : {}),
      evaluation: e.evaluation,
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
