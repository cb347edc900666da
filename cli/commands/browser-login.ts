/**
 * `irsa-doctor login` through the browser, as `aws sso login` does: the OAuth 2.0 authorization code flow with PKCE
 * (S256) and a loopback redirect (RFC 8252), through openid-client. The CLI listens on a loopback port, prints the
 * sign-in URL (and opens the browser unless --no-browser), and waits for the provider to send the browser back with
 * a code, which it exchanges with its verifier. The tokens are kept in the token file (mode 0600); the ID token is
 * refreshed with the refresh token when it has expired.
 *
 * openid-client is ESM-only and loaded with import() when a sign-in or refresh needs it (other commands start
 * without it).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../lambdas/shared/errors';
import { clip, escapeControls as esc } from '../../lambdas/shared/text';
import { type CliIo, NetworkError } from '../io';

/** What the console's config.json says about sign-in. */
export interface SignInConfig {
  /** The OpenID provider's issuer (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
  readonly authority: string;
  readonly clientId: string;
  readonly scopes: string;
  /**
   * The loopback redirect URIs registered for the CLI (http://localhost:<port>/callback). Port 0: any free port
   * (a provider that matches loopback redirect URIs on any port, as RFC 8252 §7.3 asks; the local one does).
   */
  readonly cliRedirectUris: readonly string[];
}

/** The token file's content (JSON). */
export interface StoredTokens {
  readonly idToken: string;
  readonly refreshToken?: string;
  readonly authority: string;
  readonly clientId: string;
}

/** How long `login` waits for the browser to come back. */
export const LOGIN_WAIT_MS = 5 * 60_000;

type OidcClient = typeof import('openid-client');

async function openidClient(): Promise<OidcClient> {
  return import('openid-client');
}

/** http:// is accepted only for a provider on this machine (the local provider); anything else must be https://. */
function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

async function discover(oidc: OidcClient, config: SignInConfig): Promise<import('openid-client').Configuration> {
  let issuer: URL;
  try {
    issuer = new URL(config.authority);
  } catch {
    throw new UsageError(`the console names a sign-in authority that is not a URL: ${clip(config.authority, 200)}`);
  }
  const local = issuer.protocol === 'http:' && isLoopback(issuer);
  if (issuer.protocol !== 'https:' && !local) {
    throw new UsageError(
      `the sign-in authority must be https:// (http:// only on this machine): ${clip(issuer.href, 200)}`,
    );
  }
  try {
    return await oidc.discovery(issuer, config.clientId, undefined, oidc.None(), {
      ...(local ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 30,
    });
  } catch (err) {
    throw new NetworkError(
      `cannot read the sign-in provider ${clip(issuer.href, 200)}: ${clip((err as Error).message, 200)}`,
      {
        cause: err,
      },
    );
  }
}

/** Listens on the first redirect URI whose port is free (127.0.0.1 only); its URI with the port it got. */
async function listen(uris: readonly string[]): Promise<{ server: Server; redirectUri: string }> {
  const tried: string[] = [];
  for (const raw of uris) {
    const uri = new URL(raw);
    if (uri.protocol !== 'http:' || !isLoopback(uri)) continue;
    const server = createServer();
    const port = Number(uri.port || 80);
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!ok) {
      tried.push(String(port));
      continue;
    }
    uri.port = String((server.address() as AddressInfo).port);
    return { server, redirectUri: uri.href };
  }
  throw new UsageError(
    tried.length > 0
      ? `cannot listen for the sign-in redirect: port(s) ${tried.join(', ')} in use (close what uses them, or add a port to consoleCliPorts)`
      : 'the console names no loopback redirect URI for the CLI (cliRedirectUris): is it up to date?',
  );
}

/** Waits for the browser's request to the redirect URI's path; answers it with a page that says what happened. */
function callback(server: Server, redirectUri: string, waitMs: number): Promise<URL> {
  const path = new URL(redirectUri).pathname;
  return new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new UsageError(`no sign-in came back within ${Math.round(waitMs / 1000)} s; run login again`)),
      waitMs,
    );
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== path || !(url.searchParams.has('code') || url.searchParams.has('error'))) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const failed = url.searchParams.get('error');
      res
        .writeHead(failed ? 400 : 200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'",
          'cache-control': 'no-store',
        })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>IRSA Doctor</title></head><body><main><p>${
            failed
              ? 'Sign-in failed; see the terminal.'
              : 'Signed in: you can close this tab and return to the terminal.'
          }</p></main></body></html>`,
        );
      clearTimeout(timer);
      resolve(new URL(url.pathname + url.search, redirectUri));
    });
  });
}

/** Tries to open `url` in the person's browser; says nothing when it cannot (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no browser: the printed URL is the way
  }
}

export interface BrowserLoginOptions {
  /** Only print the URL (a machine without a browser, or a test that plays the browser). */
  readonly noBrowser?: boolean;
  readonly waitMs?: number;
}

/** The code flow with PKCE through the browser; the tokens to keep. */
export async function loginThroughBrowser(
  config: SignInConfig,
  io: CliIo,
  options: BrowserLoginOptions = {},
): Promise<StoredTokens> {
  const oidc = await openidClient();
  const provider = await discover(oidc, config);
  const { server, redirectUri } = await listen(config.cliRedirectUris);
  try {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: redirectUri,
      scope: config.scopes,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const back = callback(server, redirectUri, options.waitMs ?? LOGIN_WAIT_MS);
    io.stderr.write(`Sign in through your browser. If it does not open, open this URL:\n\n${url.href}\n\n`);
    if (!options.noBrowser) openBrowser(url.href);
    const returned = await back;
    const error = returned.searchParams.get('error');
    if (error) {
      const description = returned.searchParams.get('error_description') ?? '';
      throw new UsageError(`sign-in refused: ${esc(clip(`${error} ${description}`.trim(), 300))}`);
    }
    let tokens: Awaited<ReturnType<OidcClient['authorizationCodeGrant']>>;
    try {
      tokens = await oidc.authorizationCodeGrant(provider, returned, {
        pkceCodeVerifier: verifier,
        expectedState: state,
      });
    } catch (err) {
      throw new UsageError(`sign-in refused: ${esc(clip((err as Error).message, 300))}`);
    }
    if (!tokens.id_token)
      throw new UsageError('the sign-in provider returned no ID token (is openid among the scopes?)');
    return {
      idToken: tokens.id_token,
      ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
      authority: config.authority,
      clientId: config.clientId,
    };
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** New tokens from the refresh token (the provider may rotate it; else the old one is kept). */
export async function refreshTokens(config: SignInConfig, stored: StoredTokens): Promise<StoredTokens> {
  if (!stored.refreshToken) throw new UsageError('the sign-in has expired: run "irsa-doctor login" again');
  const oidc = await openidClient();
  const provider = await discover(oidc, config);
  let tokens: Awaited<ReturnType<OidcClient['refreshTokenGrant']>>;
  try {
    tokens = await oidc.refreshTokenGrant(provider, stored.refreshToken);
  } catch (err) {
    throw new UsageError(
      `the sign-in has expired and could not be renewed (${clip((err as Error).message, 200)}): run "irsa-doctor login" again`,
    );
  }
  if (!tokens.id_token) throw new UsageError('the refresh returned no ID token: run "irsa-doctor login" again');
  return {
    ...stored,
    idToken: tokens.id_token,
    refreshToken: tokens.refresh_token ?? stored.refreshToken,
  };
}

/** Seconds until the token's `exp` (negative when expired); undefined when it has none or is not a JWT. */
export function secondsLeft(jwt: string, nowMs: number): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp - nowMs / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The token file's text: JSON (this version), or one line holding an ID token (earlier versions). */
export function parseTokenFile(text: string): StoredTokens | string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const value = JSON.parse(trimmed) as Partial<StoredTokens>;
    if (
      typeof value.idToken === 'string' &&
      typeof value.authority === 'string' &&
      typeof value.clientId === 'string'
    ) {
      return {
        idToken: value.idToken,
        authority: value.authority,
        clientId: value.clientId,
        ...(typeof value.refreshToken === 'string' ? { refreshToken: value.refreshToken } : {}),
      };
    }
  } catch {
    // not ours: reported below as not holding a token
  }
  return '';
}
