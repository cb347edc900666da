import { parseEksIssuer } from '../../arn';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { StatementScope } from './statement-scope';

export interface KeyPrefixEvidence extends StatementEvidence {
  readonly conditionKey: string;
  readonly expectedKey: string;
}

/** IRSA-013: a condition key's prefix is not the statement's issuer (keys of a merged cluster are IRSA-021's). */
function checkKeyPrefix(s: StatementScope): void {
  const expected = s.expectedPrefix;
  if (expected === undefined) return;
  for (const c of s.view.issuerConditions) {
    if (c.prefixLower === s.expectedPrefixLower || (s.merged && s.knownPrefixKeys.has(c.prefixKey))) continue;
    const other = s.ctx.index.clustersByKey.get(c.prefixKey)?.[0];
    s.emit(
      'IRSA-013',
      `${s.at()}: condition key "${c.entry.key}" ${prefixProblem(c.prefix, expected)}${other ? ` (cluster ${other.cluster.name}'s issuer)` : ''}; the request carries "${expected}:${c.claimNormal}".`,
      { conditionKey: c.entry.key, expectedKey: `${expected}:${c.claimNormal}` },
      { discriminator: c.entry.key },
    );
  }
}

function prefixProblem(prefix: string, expected: string): string {
  if (prefix.startsWith('arn:')) return 'uses the full provider ARN as its prefix';
  if (/^https?:\/\//i.test(prefix)) return 'includes the https:// scheme';
  if (!prefix.includes('/id/')) return 'is missing the /id/ path';
  const a = parseEksIssuer(prefix);
  const b = parseEksIssuer(expected);
  if (a && b && a.region !== b.region) return `names region ${a.region} instead of ${b.region}`;
  if (a && b && a.id.toUpperCase() !== b.id.toUpperCase()) return `names provider id ${a.id} instead of ${b.id}`;
  return `does not start with the provider's issuer ${expected}`;
}

export const IRSA_013 = defineRule<KeyPrefixEvidence>()({
  id: 'IRSA-013',
  severity: 'high',
  title: "Condition key prefix does not match the statement's provider",
  explanation:
    "Condition keys must start with the provider's issuer host and path (oidc.eks.<region>.amazonaws.com/id/<ID>). A key the request does not carry makes its condition false, so a wrong prefix (another id, the full ARN, an https:// scheme, a missing /id/) always denies.",
  podError: ACCESS_DENIED,
  remediation: "Rewrite the condition keys to the provider's host and path.",
  references: [DOC.conditionOps, DOC.lbcWebIdentity],
  checkStatement: checkKeyPrefix,
});
