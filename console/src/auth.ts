/**
 * Sign-in against the Cognito user pool with USER_PASSWORD_AUTH (the app client has no secret), answering the
 * NEW_PASSWORD_REQUIRED and SOFTWARE_TOKEN_MFA challenges. The ID token is kept in sessionStorage (this tab only)
 * and sent as a Bearer token; the API verifies it (API Gateway's JWT authorizer) on every call.
 */
export interface ConsoleConfig {
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly cognitoEndpoint: string;
  readonly approversGroup: string;
}

const KEY = 'irsa-doctor.id-token';

export type SignInResult =
  | { readonly kind: 'signed-in' }
  | {
      readonly kind: 'challenge';
      readonly challenge: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA';
      readonly session: string;
      readonly username: string;
    };

export function token(): string | undefined {
  const t = sessionStorage.getItem(KEY) ?? undefined;
  if (!t) return undefined;
  const claims = claimsOf(t);
  if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  return t;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** The token's claims, for display only (the API is what verifies the token). */
export function claimsOf(t: string): Record<string, unknown> | undefined {
  try {
    const part = t.split('.')[1] ?? '';
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(text))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function cognito(config: ConsoleConfig, target: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(config.cognitoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
    },
    body: JSON.stringify(body),
  });
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const message =
      typeof out.message === 'string'
        ? out.message
        : typeof out.Message === 'string'
          ? out.Message
          : `sign-in failed (${res.status})`;
    throw new Error(message);
  }
  return out;
}

function finish(out: Record<string, unknown>, username: string): SignInResult {
  const result = out.AuthenticationResult as { IdToken?: string } | undefined;
  if (result?.IdToken) {
    sessionStorage.setItem(KEY, result.IdToken);
    return { kind: 'signed-in' };
  }
  const challenge = out.ChallengeName;
  if (
    (challenge === 'NEW_PASSWORD_REQUIRED' || challenge === 'SOFTWARE_TOKEN_MFA') &&
    typeof out.Session === 'string'
  ) {
    return { kind: 'challenge', challenge, session: out.Session, username };
  }
  throw new Error(
    `sign-in needs ${String(challenge ?? 'a step')} that this console does not support; use the Cognito hosted UI`,
  );
}

export async function signIn(config: ConsoleConfig, username: string, password: string): Promise<SignInResult> {
  const out = await cognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  return finish(out, username);
}

export async function answer(
  config: ConsoleConfig,
  challenge: Extract<SignInResult, { kind: 'challenge' }>,
  value: string,
): Promise<SignInResult> {
  const responses =
    challenge.challenge === 'NEW_PASSWORD_REQUIRED'
      ? { USERNAME: challenge.username, NEW_PASSWORD: value }
      : { USERNAME: challenge.username, SOFTWARE_TOKEN_MFA_CODE: value };
  const out = await cognito(config, 'RespondToAuthChallenge', {
    ChallengeName: challenge.challenge,
    ClientId: config.clientId,
    Session: challenge.session,
    ChallengeResponses: responses,
  });
  return finish(out, challenge.username);
}
