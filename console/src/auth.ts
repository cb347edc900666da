/**
 * Single sign-on: the OAuth 2.0 authorization code flow with PKCE (S256) through oidc-client-ts, against Cognito
 * managed login in AWS (which federates to the organization's identity provider) or the local OpenID provider. The
 * page never sees a password: "Sign in" sends the browser to the provider, which sends it back to the redirect URI
 * with a code; the library exchanges the code (with its verifier) for tokens. The tokens are kept in sessionStorage
 * (this tab only). The ID token is the Bearer token the API verifies (API Gateway's JWT authorizer); it is refreshed
 * with the refresh token shortly before it expires, and once when the API answers 401.
 */
import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { idTokenSecondsLeft, redirectUriFor } from './session-claims';

export { claimsOf, isSignInCallback } from './session-claims';

export interface ConsoleConfig {
  readonly apiUrl: string;
  readonly region: string;
  /** The OpenID provider's issuer: Cognito's https://cognito-idp.<region>.amazonaws.com/<pool id>, or the local one. */
  readonly authority: string;
  readonly clientId: string;
  /** Where the provider sends the browser back with the code: the console's own URL. */
  readonly redirectUri: string;
  readonly scopes: string;
  /** Where "Sign out" sends the browser to end the provider's session too (Cognito's /logout, or the local one). */
  readonly signOutUrl: string;
  readonly approversGroup: string;
}

/** Refresh the tokens when the ID token has less than this left. */
export const REFRESH_MARGIN_SECONDS = 60;

let manager: UserManager | undefined;
let current: User | null = null;
let refreshing: Promise<User | null> | undefined;

/** Set once at start with the console's configuration; loads the session this tab already has, if any. */
export async function initAuth(config: ConsoleConfig): Promise<void> {
  manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: redirectUriFor(config.redirectUri, window.location.origin),
    response_type: 'code',
    scope: config.scopes,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
  current = await manager.getUser();
}

function users(): UserManager {
  if (!manager) throw new Error('sign-in is not set up yet');
  return manager;
}

/** Sends the browser to the provider's sign-in; `returnTo` (the fragment) is where the person lands afterwards. */
export async function signIn(returnTo: string): Promise<void> {
  await users().signinRedirect({ state: { returnTo } });
}

/**
 * Completes the sign-in the provider sent back: exchanges the code and its PKCE verifier for tokens. Returns the
 * fragment to go to. A refusal (`error` in the query, a state that does not match) throws with the provider's words.
 */
export async function completeSignIn(): Promise<string> {
  const user = await users().signinRedirectCallback();
  current = user;
  const state = user.state as { returnTo?: unknown } | undefined;
  return typeof state?.returnTo === 'string' && state.returnTo.startsWith('#') ? state.returnTo : '#/plans';
}

/** The ID token now, without refreshing (for display); undefined when signed out. */
export function token(): string | undefined {
  return current?.id_token;
}

/**
 * The ID token to send, refreshed with the refresh token first when it expires within REFRESH_MARGIN_SECONDS (or
 * when `force`, after a 401). Undefined when there is no session or the refresh is refused (the session ended).
 */
export async function freshToken(force = false): Promise<string | undefined> {
  if (!current) return undefined;
  const left = idTokenSecondsLeft(current.id_token, Date.now());
  if (!force && left !== undefined && left > REFRESH_MARGIN_SECONDS) return current.id_token;
  if (!current.refresh_token) return left !== undefined && left > 0 ? current.id_token : undefined;
  // One refresh at a time: the refresh token rotates, and a used one would be refused (or end the grant).
  refreshing ??= users()
    .signinSilent()
    .catch(async () => {
      await forget();
      return null;
    })
    .finally(() => {
      refreshing = undefined;
    });
  current = await refreshing;
  return current?.id_token;
}

/** Forgets this tab's session (tokens removed from sessionStorage); the provider's own session is left as it is. */
export async function forget(): Promise<void> {
  current = null;
  await users().removeUser();
}

/** Signs out: forgets the tokens, then sends the browser to the provider to end its session too. */
export async function signOut(signOutUrl: string): Promise<void> {
  await forget();
  window.location.assign(signOutUrl);
}
