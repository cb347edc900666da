import { QUOTED_VALUES, quote } from '../../brief';
import { normalizeSubject } from '../../trust-policy/classify';
import { isNegatedOperator } from '../../trust-policy/conditions';
import { valueSetOf } from '../../trust-policy/wildcard';
import type { EvaluationEvidence, ServiceAccountEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { EvaluatedWorkload } from './workload-scope';

export interface SubjectNotAllowedEvidence extends ServiceAccountEvidence {
  /** The first subjects the role allows for the cluster, and how many when more. */
  readonly allowedSubjects: readonly string[];
  readonly allowedSubjectCount?: number;
  /** The first statement that names the cluster. */
  readonly statementIndex: number | undefined;
  readonly evaluation: EvaluationEvidence;
}

/**
 * IRSA-016 (IRSA-038 for an EKS add-on): the statements naming the workload's cluster do not allow its subject.
 * Reported: true.
 */
export function reportSubjectNotAllowed(e: EvaluatedWorkload): boolean {
  const targeting = e.targeting();
  const subject = e.w.subject;
  const allowed = targeting.some((v) =>
    v.issuerConditions.some(
      (c) =>
        c.claimNormal === 'sub' &&
        c.entry.operator !== undefined &&
        !isNegatedOperator(c.entry.operator.base) &&
        valueSetOf(normalizedValues(c.entry.values), c.entry.operator?.base === 'StringLike').has(subject),
    ),
  );
  if (allowed) return false;
  // The first subjects and how many there are, without copying every value per workload.
  const subLists = targeting.flatMap((v) =>
    v.issuerConditions.filter((c) => c.claimNormal === 'sub').map((c) => c.entry.values),
  );
  const total = subLists.reduce((n, values) => n + values.length, 0);
  const quoted: string[] = [];
  for (const values of subLists) {
    if (quoted.length >= QUOTED_VALUES) break;
    quoted.push(...values.slice(0, QUOTED_VALUES - quoted.length));
  }
  const list =
    total > 0
      ? `${quoted.map((a) => quote(a)).join(', ')}${total > QUOTED_VALUES ? ` and ${total - QUOTED_VALUES} more` : ''}`
      : 'no subject';
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: e.w.sa.source === 'addon' ? 'IRSA-038' : 'IRSA-016',
    message: `${e.w.who()} presents ${subject}, but role ${e.analysis.ref.role.name} allows ${list} for this cluster.`,
    evidence: {
      ...e.w.subjectEvidence,
      allowedSubjects: quoted,
      ...(total > quoted.length ? { allowedSubjectCount: total } : {}),
      statementIndex: targeting[0]?.statement.index,
      evaluation: e.evaluation,
    },
  });
  return true;
}

// A role's subject values, normalized once rather than once per workload that names the role.
const normalized = new WeakMap<readonly string[], readonly string[]>();
function normalizedValues(values: readonly string[]): readonly string[] {
  let out = normalized.get(values);
  if (!out) {
    // The same array when nothing changes, so the evaluation's ValueSet (and its last answer) is reused.
    out = values.some((v) => normalizeSubject(v) !== v) ? values.map(normalizeSubject) : values;
    normalized.set(values, out);
  }
  return out;
}

export const IRSA_016 = defineRule<SubjectNotAllowedEvidence>()({
  id: 'IRSA-016',
  severity: 'high',
  title: 'Trust policy does not allow the service account that uses the role',
  explanation:
    'A known workload (Kubernetes service account) uses this role, but the :sub condition names another namespace or service account, so its requests are denied.',
  podError: ACCESS_DENIED,
  remediation:
    "Add the workload's subject to the :sub values (values in one key are ORed); remove the old subject only once it is confirmed unused.",
  references: [DOC.lbcWebIdentity, DOC.associate],
});
