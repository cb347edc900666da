import { providerUrlFromArn } from '../../arn';
import type { TrustPolicyPatch } from '../patch-trust-policy';

/**
 * The issuer prefix a statement's condition keys must use as the fixes so far leave it: the URL of its one
 * Federated provider in the patched document (IRSA-011, IRSA-012 or IRSA-002 may have rewritten it earlier in the
 * same plan). Undefined when the statement does not name exactly one provider.
 */
export function currentIssuerPrefix(patch: TrustPolicyPatch, index: number): string | undefined {
  const principal = patch.statement(index)?.Principal;
  if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) return undefined;
  const federated = (principal as Record<string, unknown>).Federated;
  const arns = (Array.isArray(federated) ? federated : [federated]).filter((f) => typeof f === 'string');
  const urls = [...new Set(arns.map((arn) => providerUrlFromArn(arn)).filter((u) => u !== undefined))];
  return urls.length === 1 ? urls[0] : undefined;
}

/**
 * The key `claim` of a statement for a key the analysis suggested: the suggestion, unless an earlier fix of this
 * plan rewrote the statement's provider, then the same claim under the new provider's prefix.
 */
export function keyUnderCurrentProvider(
  patch: TrustPolicyPatch,
  index: number,
  originalPrefix: string | undefined,
  suggested: string | undefined,
  claim: 'aud' | 'sub',
): string | undefined {
  const now = currentIssuerPrefix(patch, index);
  if (now !== undefined && originalPrefix !== undefined && now.toLowerCase() !== originalPrefix.toLowerCase())
    return `${now}:${claim}`;
  return suggested ?? (now !== undefined ? `${now}:${claim}` : undefined);
}
