import { DEFAULT_AUDIENCE } from '../../snapshot';
import { KNOWN_CLAIMS } from '../../trust-policy/classify';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import { holdsSubject, type StatementScope, subjectsIn } from './statement-scope';

/** A condition key names a claim no token carries. */
export interface ClaimTypoEvidence extends StatementEvidence {
  readonly kind: 'claim-typo';
  readonly conditionKey: string;
  /** The claim as written (after the last colon). */
  readonly claim: string;
  /** The claim it was probably meant to be. */
  readonly suggestion?: 'sub' | 'aud';
}

/** A service-account subject is written under the :aud key, and the statement has a :sub key too. */
export interface AudHoldsSubjectEvidence extends StatementEvidence {
  readonly kind: 'aud-holds-subject';
  readonly conditionKey: string;
  readonly values: readonly string[];
}

/** The audience sts.amazonaws.com is written under the :sub key. */
export interface SubHoldsAudienceEvidence extends StatementEvidence {
  readonly kind: 'sub-holds-audience';
  readonly conditionKey: string;
  readonly values: readonly string[];
}

/**
 * Service-account subjects are written under :aud and the statement has no :sub key. IAM compares :aud with the
 * token's audience, so no token matches and nobody can assume the role. The fix moves `subjects` to `subKey`.
 */
export interface SubjectUnderAudNoSubEvidence extends StatementEvidence {
  readonly kind: 'subject-under-aud-no-sub';
  /** The :aud key holding the subjects, as written. */
  readonly conditionKey: string;
  /** That condition's operator as written (e.g. StringEquals). */
  readonly operator: string;
  /** Every value of the :aud key. */
  readonly values: readonly string[];
  /** The values that are service-account subjects. */
  readonly subjects: readonly string[];
  /** `<the same prefix>:sub`: the key the subjects belong under (the statement has none). */
  readonly subKey: string;
}

export type ClaimEvidence =
  | ClaimTypoEvidence
  | AudHoldsSubjectEvidence
  | SubHoldsAudienceEvidence
  | SubjectUnderAudNoSubEvidence;

/** IRSA-014: a claim no token carries, or :sub and :aud values in each other's key. */
function checkClaims(s: StatementScope): void {
  checkClaimSpelling(s);
  for (const c of s.audConditions) {
    if (!holdsSubject(c)) continue;
    const subjects = subjectsIn(c);
    if (s.subjectsOnlyUnderAud.includes(c)) {
      const subKey = `${c.entry.key.slice(0, c.entry.key.lastIndexOf(':'))}:sub`;
      s.emit(
        'IRSA-014',
        `${s.at()}: the subject ${JSON.stringify(subjects[0])} is written under "${c.entry.key}" and the statement has no :sub key. IAM compares :aud with the token's audience (${DEFAULT_AUDIENCE}), so no token matches and nobody can assume this role (pods get AccessDenied); move the subject to "${subKey}".`,
        {
          kind: 'subject-under-aud-no-sub',
          conditionKey: c.entry.key,
          operator: c.entry.operatorText,
          values: c.entry.values,
          subjects,
          subKey,
        },
        { discriminator: `swap:${c.entry.key}` },
      );
    } else {
      s.emit(
        'IRSA-014',
        `${s.at()}: the :aud condition holds the subject ${JSON.stringify(subjects[0])}; subjects belong under :sub.`,
        { kind: 'aud-holds-subject', conditionKey: c.entry.key, values: c.entry.values },
        { discriminator: `swap:${c.entry.key}` },
      );
    }
  }
  for (const c of s.subConditions) {
    if (!c.entry.values.includes(DEFAULT_AUDIENCE)) continue;
    s.emit(
      'IRSA-014',
      `${s.at()}: the :sub condition holds the audience "${DEFAULT_AUDIENCE}"; it belongs under :aud.`,
      { kind: 'sub-holds-audience', conditionKey: c.entry.key, values: c.entry.values },
      { discriminator: `swap:${c.entry.key}` },
    );
  }
}

function checkClaimSpelling(s: StatementScope): void {
  for (const c of s.view.issuerConditions) {
    if (c.claim === c.claimNormal && KNOWN_CLAIMS.has(c.claimNormal)) continue;
    const suggestion = c.claimNormal.startsWith('sub') ? 'sub' : c.claimNormal.startsWith('aud') ? 'aud' : undefined;
    s.emit(
      'IRSA-014',
      `${s.at()}: condition key "${c.entry.key}" names claim "${c.claim}", which no token carries${suggestion ? `; did you mean :${suggestion}?` : ''}.`,
      { kind: 'claim-typo', conditionKey: c.entry.key, claim: c.claim, ...(suggestion ? { suggestion } : {}) },
      { discriminator: c.entry.key },
    );
  }
}

export const IRSA_014 = defineRule<ClaimEvidence>()({
  id: 'IRSA-014',
  severity: 'high',
  title: 'Condition claim is misspelled or swapped',
  explanation:
    'The web-identity claims IAM knows are :sub, :aud, :amr and :azp. A misspelled claim is absent from every request, and a service-account subject under :aud (or the audience under :sub) can never match.',
  podError: ACCESS_DENIED,
  remediation: 'Use exactly <issuer>:sub for the service account and <issuer>:aud for sts.amazonaws.com.',
  references: [DOC.wifKeys, DOC.associate],
  checkStatement: checkClaims,
});
