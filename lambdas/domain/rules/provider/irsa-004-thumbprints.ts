import { MAX_THUMBPRINTS, type TlsObservation } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { ProviderScope } from './provider-scope';

export interface ThumbprintEvidence {
  readonly thumbprints: readonly string[];
  readonly tls: TlsObservation | null;
}

const HEX40 = /^[0-9a-fA-F]{40}$/;

/** IRSA-004: thumbprints malformed, too many, or not the top CA's; informational where IAM does not use them. */
export function checkThumbprints(p: ProviderScope): void {
  const { provider } = p.ref;
  const problems: string[] = [];
  const malformed = provider.thumbprints.filter((t) => !HEX40.test(t));
  if (malformed.length > 0)
    problems.push(
      `malformed thumbprint(s) ${malformed.map((t) => JSON.stringify(t)).join(', ')} (must be 40 hex digits)`,
    );
  if (provider.thumbprints.length > MAX_THUMBPRINTS)
    problems.push(`${provider.thumbprints.length} thumbprints (IAM allows at most ${MAX_THUMBPRINTS})`);
  const chain = chainProblem(provider.thumbprints, provider.tls);
  if (chain) problems.push(chain);
  if (problems.length === 0) return;
  const tls = provider.tls;
  const fallbackMatters = chain !== undefined && tls?.publiclyTrusted === false;
  const onlyCosmetic =
    tls?.publiclyTrusted !== false && malformed.length === 0 && provider.thumbprints.length <= MAX_THUMBPRINTS;
  p.emit(
    'IRSA-004',
    `Provider ${provider.url}: ${problems.join('; ')}.${
      onlyCosmetic
        ? ' The issuer chains to a publicly trusted CA, so IAM does not use the thumbprint: informational.'
        : ''
    }${fallbackMatters ? ' The chain is not publicly trusted, so IAM falls back to the thumbprint and tokens are refused.' : ''}`,
    { thumbprints: provider.thumbprints, tls: tls ?? null },
    fallbackMatters ? 'high' : onlyCosmetic ? 'info' : 'medium',
  );
}

/** What is wrong with the thumbprints against the chain the issuer serves, when a TLS check saw it. */
function chainProblem(thumbprints: readonly string[], tls: TlsObservation | undefined): string | undefined {
  const lower = thumbprints.map((t) => t.toLowerCase());
  if (!tls?.topCaThumbprint || thumbprints.length === 0 || lower.includes(tls.topCaThumbprint.toLowerCase()))
    return undefined;
  const leaf = tls.leafThumbprint && lower.includes(tls.leafThumbprint.toLowerCase());
  return leaf
    ? `the thumbprint is the leaf certificate's (${tls.leafThumbprint}); it must be the top CA's (${tls.topCaThumbprint}) and breaks at the next certificate rotation`
    : `none matches the top CA certificate ${tls.host} serves (${tls.topCaThumbprint})`;
}

export const IRSA_004 = defineRule<ThumbprintEvidence>()({
  id: 'IRSA-004',
  severity: 'medium',
  title: 'OIDC provider thumbprints are stale, malformed or taken from the wrong certificate',
  explanation:
    "IAM verifies the issuer's TLS chain against its own trusted CAs and uses thumbprints only as a fallback (a chain it does not trust, or a TLS certificate it cannot retrieve). On EKS issuers, which use public certificates, a mismatch is normally harmless; where the fallback applies, a wrong thumbprint breaks every token.",
  podError:
    "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
  remediation:
    'UpdateOpenIDConnectProviderThumbprint with the complete list (it replaces, never merges): the SHA-1 of the top CA certificate the jwks_uri host serves, keeping current entries during a rotation, at most 5.',
  references: [DOC.thumbprint, DOC.invalidToken],
});
