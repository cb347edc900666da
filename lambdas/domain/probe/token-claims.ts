/**
 * The claims of a Kubernetes service account token (a JWS in compact form), decoded WITHOUT checking its signature:
 * the probe's verdict rests on what STS would compare (issuer, subject, audience, expiry) against IAM's provider and
 * the role's trust policy, and the token comes straight from the cluster's TokenRequest API over its authenticated
 * connection. Pure and total: every malformed token gives a typed problem, never an exception.
 *
 * Hand-written rather than aws-jwt-verify's `decomposeUnverifiedJwt`: that one imports Node's crypto and https
 * through its compatibility layer (the domain stays pure), has no size bound, and decodes invalid UTF-8 silently.
 */

/** Kubernetes service account tokens are about 1 KB; anything beyond this is not one (and is not decoded). */
export const MAX_TOKEN_CHARS = 16_384;

export interface TokenClaims {
  readonly header: { readonly alg?: string; readonly kid?: string };
  readonly iss?: string;
  readonly sub?: string;
  /** `aud` as a list (a JWT may carry one string or an array). Empty when absent. */
  readonly aud: readonly string[];
  /** Seconds since the epoch. */
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  /** The `kubernetes.io` claim: what the API server says the token is for. */
  readonly kubernetes?: { readonly namespace?: string; readonly serviceAccount?: string };
}

export type TokenProblem =
  | 'not-a-string'
  | 'empty'
  | 'too-large'
  | 'not-three-parts'
  | 'bad-base64'
  | 'bad-utf8'
  | 'not-json'
  | 'not-an-object'
  | 'bad-claim';

export type TokenDecoding =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly problem: TokenProblem; readonly message: string };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Decodes a token's header and payload. The token itself is never part of a message (it is a credential). */
export function decodeTokenClaims(token: unknown): TokenDecoding {
  if (typeof token !== 'string') return fail('not-a-string', `the token is not a string (${typeof token})`);
  if (token.length === 0) return fail('empty', 'the token is empty');
  if (token.length > MAX_TOKEN_CHARS) {
    return fail('too-large', `the token has ${token.length} characters, more than ${MAX_TOKEN_CHARS}`);
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return fail(
      'not-three-parts',
      `a JWT has 3 dot-separated parts (header.payload.signature); this has ${parts.length}`,
    );
  }
  const header = decodePart(parts[0] as string, 'header');
  if (!header.ok) return header;
  const payload = decodePart(parts[1] as string, 'payload');
  if (!payload.ok) return payload;
  if ((parts[2] as string).length === 0 || !BASE64URL.test(parts[2] as string)) {
    return fail('bad-base64', 'the signature part is empty or not base64url');
  }
  return readClaims(header.value, payload.value);
}

type Part =
  | { readonly ok: true; readonly value: Readonly<Record<string, unknown>> }
  | Exclude<TokenDecoding, { ok: true }>;

function decodePart(text: string, what: 'header' | 'payload'): Part {
  // base64url without padding (RFC 7515); a length of 4n+1 cannot be base64 at all.
  if (text.length === 0 || !BASE64URL.test(text) || text.length % 4 === 1) {
    return fail('bad-base64', `the ${what} is not base64url`);
  }
  let bytes: Uint8Array;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return fail('bad-base64', `the ${what} is not base64url`);
  }
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('bad-utf8', `the ${what} is not UTF-8 text`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail('not-json', `the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not-an-object', `the ${what} is not a JSON object`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}

function readClaims(
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
): TokenDecoding {
  const wrong = (['iss', 'sub'] as const).find((k) => payload[k] !== undefined && typeof payload[k] !== 'string');
  if (wrong) return fail('bad-claim', `the ${wrong} claim is not a string`);
  const time = (['exp', 'iat', 'nbf'] as const).find(
    (k) => payload[k] !== undefined && (typeof payload[k] !== 'number' || !Number.isFinite(payload[k])),
  );
  if (time) return fail('bad-claim', `the ${time} claim is not a number`);
  const aud = payload.aud;
  const audiences = aud === undefined ? [] : typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || audiences.some((a) => typeof a !== 'string')) {
    return fail('bad-claim', 'the aud claim is not a string or a list of strings');
  }
  const kubernetes = kubernetesClaim(payload['kubernetes.io']);
  return {
    ok: true,
    claims: {
      header: {
        ...(typeof header.alg === 'string' ? { alg: header.alg } : {}),
        ...(typeof header.kid === 'string' ? { kid: header.kid } : {}),
      },
      ...(payload.iss !== undefined ? { iss: payload.iss as string } : {}),
      ...(payload.sub !== undefined ? { sub: payload.sub as string } : {}),
      aud: audiences as string[],
      ...(payload.exp !== undefined ? { exp: payload.exp as number } : {}),
      ...(payload.iat !== undefined ? { iat: payload.iat as number } : {}),
      ...(payload.nbf !== undefined ? { nbf: payload.nbf as number } : {}),
      ...(kubernetes ? { kubernetes } : {}),
    },
  };
}

function kubernetesClaim(value: unknown): TokenClaims['kubernetes'] {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { namespace?: unknown; serviceaccount?: unknown };
  const sa = v.serviceaccount as { name?: unknown } | undefined;
  return {
    ...(typeof v.namespace === 'string' ? { namespace: v.namespace } : {}),
    ...(typeof sa === 'object' && sa !== null && typeof sa.name === 'string' ? { serviceAccount: sa.name } : {}),
  };
}

function fail(problem: TokenProblem, message: string): Exclude<TokenDecoding, { ok: true }> {
  return { ok: false, problem, message };
}
