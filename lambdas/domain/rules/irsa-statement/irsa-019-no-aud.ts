import { DEFAULT_AUDIENCE } from '../../snapshot';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { StatementScope } from './statement-scope';

export interface NoAudienceEvidence extends StatementEvidence {
  /** `<issuer>:aud` under the statement's provider prefix, when it is known. */
  readonly suggestedKey?: string;
}

/** IRSA-019: the statement does not pin <issuer>:aud. */
function checkNoAudience(s: StatementScope): void {
  if (s.audConditions.length > 0) return;
  s.emit('IRSA-019', `${s.at()} does not pin <issuer>:aud to ${DEFAULT_AUDIENCE}.`, {
    ...(s.expectedPrefix ? { suggestedKey: `${s.expectedPrefix}:aud` } : {}),
  });
}

export const IRSA_019 = defineRule<NoAudienceEvidence>()({
  id: 'IRSA-019',
  severity: 'low',
  title: 'No :aud condition',
  explanation:
    "STS checks the audience against the provider's ClientIDList anyway, so this is not a failure, but every reference policy pins <issuer>:aud to sts.amazonaws.com.",
  remediation: 'Add StringEquals <issuer>:aud = sts.amazonaws.com to the statement.',
  references: [DOC.associate],
  checkStatement: checkNoAudience,
});
