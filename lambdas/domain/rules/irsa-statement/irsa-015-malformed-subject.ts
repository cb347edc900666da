import { DEFAULT_AUDIENCE } from '../../snapshot';
import {
  type IssuerCondition,
  isOverBroadSubject,
  isWellFormedSubject,
  normalizeSubject,
} from '../../trust-policy/classify';
import { hasWildcard } from '../../trust-policy/wildcard';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import { isEquals, isLike, positive, type StatementScope } from './statement-scope';

export interface SubjectFormEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly value: string;
  /** The value with its stray whitespace removed, when it has some. */
  readonly withoutWhitespace?: string;
}

/**
 * IRSA-015: a :sub value that is not system:serviceaccount:<namespace>:<name>. The audience (IRSA-014), a wildcard
 * under StringEquals (IRSA-017) and a pattern spanning namespaces (IRSA-018) are reported by their own rules.
 */
function checkSubjectForm(s: StatementScope): void {
  for (const c of s.subConditions) if (positive(c)) checkSubjectValues(s, c);
}

function checkSubjectValues(s: StatementScope, c: IssuerCondition): void {
  const like = isLike(c);
  for (const value of c.entry.values) {
    if (value === DEFAULT_AUDIENCE || (isEquals(c) && hasWildcard(value))) continue;
    if ((like && isOverBroadSubject(value)) || isWellFormedSubject(value, like)) continue;
    const normalized = normalizeSubject(value);
    const strayWhitespace = normalized !== value && isWellFormedSubject(normalized, like);
    s.emit(
      'IRSA-015',
      `${s.at()}: :sub value ${JSON.stringify(value)} is not of the form system:serviceaccount:<namespace>:<name>${strayWhitespace ? ` (stray whitespace: a pod presents ${JSON.stringify(normalized)})` : ''}.`,
      { conditionKey: c.entry.key, value, ...(normalized !== value ? { withoutWhitespace: normalized } : {}) },
      { discriminator: `${c.entry.key}=${value}` },
    );
  }
}

export const IRSA_015 = defineRule<SubjectFormEvidence>()({
  id: 'IRSA-015',
  severity: 'high',
  title: 'Malformed :sub value',
  explanation:
    'The subject of a pod token is exactly system:serviceaccount:<namespace>:<name>, lower case, no spaces. A stray space (system:serviceaccount: kube-system:x), a missing prefix or upper case never matches under StringEquals.',
  podError: ACCESS_DENIED,
  remediation:
    'Write the subject as system:serviceaccount:<namespace>:<name>. When the intended service account is unclear, confirm it before changing the policy.',
  references: [DOC.associate, DOC.lbcWebIdentity],
  checkStatement: checkSubjectForm,
});
