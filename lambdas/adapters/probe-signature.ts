/**
 * Checks a service account token's signature against the API server's own keys (GET /openid/v1/jwks), with
 * aws-jwt-verify and no network call of its own. Informational: the probe's verdict does not rest on it (STS checks
 * the signature against the issuer's published keys, which on EKS are these keys).
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { clip } from '../shared/text';

export type SignatureCheck =
  | { readonly verified: true; readonly detail: string }
  | { readonly verified: false; readonly detail: string };

/** Verifies `token` (whose issuer is `issuer`, signed with key `kid`) with the keys of `jwks`; never throws. */
export function verifyWithJwks(token: string, issuer: string, jwks: unknown, kid?: string): SignatureCheck {
  try {
    const verifier = JwtVerifier.create({ issuer, audience: null });
    verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
    verifier.verifySync(token);
    return { verified: true, detail: `verified with the API server's key${kid ? ` ${kid}` : ''} (/openid/v1/jwks)` };
  } catch (err) {
    const e = err as Error;
    return {
      verified: false,
      detail: `did not verify with the API server's keys: ${clip(`${e.name}: ${e.message}`, 300)}`,
    };
  }
}
