import { DEFAULT_AUDIENCE } from '../../snapshot';
import { hasWildcard } from '../../trust-policy/wildcard';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import { isEquals, positive, type StatementScope } from './statement-scope';

export interface LiteralWildcardEvidence extends StatementEvidence {
  readonly conditionKey: string;
  /** The operator as written (e.g. StringEquals). */
  readonly operator: string;
  readonly value: string;
}

/** IRSA-017: a :sub value with * or ? under StringEquals, where it is a literal character. */
function checkLiteralWildcard(s: StatementScope): void {
  for (const c of s.subConditions) {
    if (!positive(c) || !isEquals(c)) continue;
    for (const value of c.entry.values) {
      if (value === DEFAULT_AUDIENCE || !hasWildcard(value)) continue;
      s.emit(
        'IRSA-017',
        `${s.at()}: ${c.entry.operatorText} compares ${JSON.stringify(value)} literally; the wildcard matches nothing. Use StringLike for this key.`,
        { conditionKey: c.entry.key, operator: c.entry.operatorText, value },
        { discriminator: `${c.entry.key}=${value}` },
      );
    }
  }
}

export const IRSA_017 = defineRule<LiteralWildcardEvidence>()({
  id: 'IRSA-017',
  severity: 'high',
  title: 'Wildcard under StringEquals',
  explanation:
    'StringEquals compares literally: a * or ? in its value is a character, not a wildcard, so nothing matches.',
  podError: ACCESS_DENIED,
  remediation: 'Move that key to StringLike, keeping :aud under StringEquals.',
  references: [DOC.conditionOps],
  checkStatement: checkLiteralWildcard,
});
