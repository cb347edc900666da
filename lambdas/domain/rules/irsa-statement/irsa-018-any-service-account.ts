import { isOverBroadSubject } from '../../trust-policy/classify';
import type { Either, StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import { isLike, positive, type StatementScope } from './statement-scope';

/** No :sub condition at all. */
export interface NoSubjectEvidence extends StatementEvidence {
  /** The statement's Condition element as written, null when it has none. */
  readonly conditions: unknown;
}

/** :sub patterns that span namespaces. */
export interface BroadSubjectEvidence extends StatementEvidence {
  readonly patterns: readonly string[];
}

/**
 * IRSA-018: no :sub condition, or a :sub pattern spanning namespaces. A statement whose subjects sit under :aud
 * with no :sub key matches no token at all: that is IRSA-014 (nobody can assume the role), not this.
 */
function checkAnyServiceAccount(s: StatementScope): void {
  if (s.subConditions.length === 0) {
    if (s.subjectsOnlyUnderAud.length > 0) return;
    s.emit(
      'IRSA-018',
      `${s.at()} has no :sub condition: every service account of ${s.target ? `cluster ${s.target.cluster.name}` : 'the cluster'} can assume this role.`,
      { conditions: s.view.statement.raw.Condition ?? null },
    );
    return;
  }
  const broad = overBroadPatterns(s);
  if (broad === undefined) return;
  s.emit(
    'IRSA-018',
    `${s.at()}: :sub pattern ${broad.map((b) => JSON.stringify(b)).join(', ')} lets service accounts of any namespace assume this role.`,
    { patterns: broad },
  );
}

/** The :sub patterns under StringLike that span namespaces; undefined when there are none (the healthy case). */
function overBroadPatterns(s: StatementScope): string[] | undefined {
  let broad: string[] | undefined;
  for (const c of s.subConditions) {
    if (!positive(c) || !isLike(c)) continue;
    for (const v of c.entry.values) {
      if (!isOverBroadSubject(v)) continue;
      broad ??= [];
      broad.push(v);
    }
  }
  return broad;
}

export const IRSA_018 = defineRule<Either<NoSubjectEvidence, BroadSubjectEvidence>>()({
  id: 'IRSA-018',
  severity: 'critical',
  title: 'Over-broad trust: any service account can assume the role',
  explanation:
    'Without a :sub condition, or with a subject wildcard that spans namespaces, every pod in the cluster (and every cluster trusting the provider) can assume the role.',
  remediation:
    'Restrict :sub to the service accounts that need the role. When the snapshot shows workloads using the role on this cluster, the plan narrows :sub to exactly those: it only removes access (its proof checks that), but a workload the snapshot does not show loses access, so check the list before approving. When no workload is known, the list cannot be derived and the plan is left for a person to say which service accounts need the role.',
  references: [DOC.associate, DOC.webhook],
  checkStatement: checkAnyServiceAccount,
});
