import { DEFAULT_AUDIENCE } from '../../snapshot';
import { wildcardMatch } from '../../trust-policy/wildcard';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import { holdsSubject, isLike, positive, type StatementScope } from './statement-scope';

export interface AudienceValueEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly values: readonly string[];
  readonly expected: string;
}

/** IRSA-020: :aud allows neither sts.amazonaws.com nor a custom audience a known workload asks for. */
function checkAudienceValue(s: StatementScope): void {
  for (const c of s.audConditions) {
    // A subject under :aud is IRSA-014's.
    if (!positive(c) || c.claimNormal !== 'aud' || holdsSubject(c)) continue;
    const like = isLike(c);
    if (c.entry.values.some((v) => (like ? wildcardMatch(v, DEFAULT_AUDIENCE) : v === DEFAULT_AUDIENCE))) continue;
    const customAudiences = s.knownAudiences().filter((a) => a !== DEFAULT_AUDIENCE);
    if (c.entry.values.some((v) => customAudiences.includes(v))) continue;
    s.emit(
      'IRSA-020',
      `${s.at()}: :aud allows ${JSON.stringify(c.entry.values)}, but pod tokens carry aud "${DEFAULT_AUDIENCE}".`,
      { conditionKey: c.entry.key, values: c.entry.values, expected: DEFAULT_AUDIENCE },
      { discriminator: c.entry.key },
    );
  }
}

export const IRSA_020 = defineRule<AudienceValueEvidence>()({
  id: 'IRSA-020',
  severity: 'high',
  title: ':aud condition does not match the token audience',
  explanation:
    'Pod tokens carry aud=sts.amazonaws.com in every partition unless the service account sets eks.amazonaws.com/audience. Values like sts.amazonaws.com.cn or a regional STS hostname never match.',
  podError: ACCESS_DENIED,
  remediation: 'Set the :aud value to sts.amazonaws.com (or the audience the service account annotates).',
  references: [DOC.associate, DOC.webhook],
  checkStatement: checkAudienceValue,
});
