/**
 * A real, certified OpenID provider on 127.0.0.1 standing in for Cognito managed login locally (the emulator's
 * Cognito has no hosted login): the `oidc-provider` package, with
 *
 * - the authorization code flow only, PKCE required (S256, the only method oidc-provider 9 accepts);
 * - refresh tokens on every code exchange, as Cognito issues them, rotated on use (a public client);
 * - a login page of its own (GET/POST /interaction/<uid>) checking the user names and passwords it was given;
 * - ID tokens with Cognito's claims, so the API's code is the same: `cognito:username`, `email`, `cognito:groups`
 *   (an array, absent when the person is in no group), `token_use: "id"`, `aud` = the client id, a `jti`; access
 *   tokens as JWTs with Cognito's access token claims (`token_use: "access"`, `client_id`, `username`,
 *   `cognito:groups`; `aud` the client id as well);
 * - one public client (`clientId`), a native application in oidc-provider's terms so that its loopback redirect URIs
 *   match on any port (RFC 8252 §7.3): the local console's page and the CLI's loopback listener both use it;
 * - sign-out at /session/end (its confirmation page, then back to the console).
 *
 * Plain http on loopback (no TLS): the browser tests and the demo talk to 127.0.0.1 only. oidc-provider is ESM-only;
 * it is loaded with a dynamic import() (tsx and Node load it natively; jest transforms it, see jest.config.js).
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, default as ProviderClass } from 'oidc-provider';

export interface LocalOidcUser {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export interface LocalOidcProviderOptions {
  readonly users: readonly LocalOidcUser[];
  /** The public client's id. @default 'irsa-doctor-console' */
  readonly clientId?: string;
  /** Lifetime of ID and access tokens, in seconds (short in the test of refreshes). @default 3600 */
  readonly tokenTtlSeconds?: number;
  readonly onError?: (err: unknown) => void;
}

/** A request to the provider's authorization or token endpoint, as it arrived (for tests: PKCE on the wire). */
export interface ProviderRequest {
  readonly endpoint: 'authorization' | 'token';
  readonly params: Readonly<Record<string, string>>;
}

export interface LocalOidcProvider {
  /** The issuer (and the authority the page and the CLI use): http://127.0.0.1:<port>. */
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: string;
  readonly jwksUri: string;
  /** Authorization and token requests received so far, oldest first. */
  readonly requests: readonly ProviderRequest[];
  /** Where the page sends a person to end the provider's session, returning to `returnTo`. */
  signOutUrl(returnTo: string): string;
  /**
   * Plays the browser through an authorization URL: the login form with `username` and `password`, then the
   * redirects, until the provider sends the browser to the client's redirect URI; returns that URI (code and state).
   */
  completeLogin(authorizationUrl: string, username: string, password: string): Promise<string>;
  /** The code flow with PKCE, as a script would do it through the login page; returns the ID token. */
  signIn(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_CLIENT_ID = 'irsa-doctor-console';
/** The one resource server (the console's API) the access tokens are for. */
const API_RESOURCE = 'urn:irsa-doctor:api';
const SCOPES = 'openid email profile';

type ProviderModule = { default: typeof ProviderClass };

/** Cognito's ID token claims for a user (besides iss, aud, exp, iat, auth_time, nonce, at_hash). */
function cognitoClaims(user: LocalOidcUser, sub: string): { sub: string; [claim: string]: unknown } {
  return {
    sub,
    'cognito:username': user.username,
    ...(user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {}),
    ...(user.email ? { email: user.email, email_verified: true } : {}),
    token_use: 'id',
    // Each token its own id, as Cognito's (two tokens issued in the same second differ).
    jti: randomUUID(),
  };
}

export async function startLocalOidcProvider(options: LocalOidcProviderOptions): Promise<LocalOidcProvider> {
  const { default: Provider } = (await import('oidc-provider')) as unknown as ProviderModule;
  // Its in-memory store, named explicitly (the provider warns when it picks it by default): a local provider's
  // sessions and grants live as long as the process.
  const { createMemoryAdapter } = (await import(
    // @ts-expect-error the package ships no types for its adapter module
    'oidc-provider/lib/adapters/memory_adapter.js'
  )) as { createMemoryAdapter: () => NonNullable<Configuration['adapter']> };
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const ttl = options.tokenTtlSeconds ?? 3600;
  // By user name (the login form) and by subject (the provider's account id: a UUID, as Cognito's `sub`).
  const users = new Map(options.users.map((u) => [u.username, { user: u, sub: randomUUID() }]));
  const subjects = new Map<string, { user: LocalOidcUser; sub: string }>(
    [...users.values()].map((entry) => [entry.sub, entry]),
  );
  const requests: ProviderRequest[] = [];

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/callback', 'http://localhost/callback'],
        post_logout_redirect_uris: ['http://127.0.0.1/'],
      },
    ],
    adapter: createMemoryAdapter(),
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub', 'cognito:username', 'cognito:groups', 'token_use', 'jti'],
      email: ['email', 'email_verified'],
      profile: [],
    },
    // Cognito's ID token carries the user's claims whatever the access token (no userinfo round trip).
    conformIdTokenClaims: false,
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    pkce: { required: () => true },
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      // Access tokens as JWTs, as Cognito's (one resource: the console's API, whatever the client asks for).
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'openid email profile',
          audience: clientId,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Its confirmation page (the form it builds, with its anti-forgery value), in this provider's plain style.
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out (local identity provider)',
            `${form}<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button> ` +
              '<button type="submit" form="op.logoutForm">No, stay signed in</button></p>',
          );
        },
      },
    },
    // Cognito's access token claims: token_use, client_id, username, the groups.
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken') return undefined;
      const found = subjects.get(String(token.accountId));
      return {
        token_use: 'access',
        client_id: clientId,
        ...(found ? { username: found.user.username } : {}),
        ...(found && found.user.groups.length > 0 ? { 'cognito:groups': [...found.user.groups] } : {}),
      };
    },
    // Cognito issues a refresh token on every code exchange (no offline_access scope needed).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    clientBasedCORS: (_ctx, origin) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin),
    ttl: {
      IdToken: ttl,
      AccessToken: ttl,
      RefreshToken: 30 * 86_400,
      AuthorizationCode: 300,
      Interaction: 3600,
      Session: 86_400,
      Grant: 86_400,
    },
    findAccount: (_ctx, id) => {
      const found = subjects.get(id);
      if (!found) return undefined;
      return { accountId: id, claims: () => cognitoClaims(found.user, found.sub) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p role="alert">${esc(String(out.error_description ?? out.error))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => options.onError?.(err));
  // Keeps the authorization request's query and the token request's form, as they arrived.
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === 'authorization') {
      requests.push({ endpoint: 'authorization', params: stringsOf(ctx.query) });
    } else if (route === 'token') {
      requests.push({ endpoint: 'token', params: stringsOf(ctx.oidc?.body ?? {}) });
    }
  });
  const callback = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname.startsWith('/interaction/')) {
      interaction(req, res).catch((err) => {
        options.onError?.(err);
        if (!res.headersSent) sendHtml(res, 500, page('Sign-in error', '<p role="alert">Something went wrong.</p>'));
      });
      return;
    }
    callback(req, res);
  });

  async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'consent') {
      await consent(req, res, details);
      return;
    }
    if (req.method !== 'POST') {
      sendHtml(res, 200, loginPage(details.uid));
      return;
    }
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    const username = form.get('username') ?? '';
    const found = users.get(username);
    if (!found || !sameSecret(form.get('password') ?? '', found.user.password)) {
      sendHtml(res, 200, loginPage(details.uid, 'Incorrect username or password.'));
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: found.sub } },
      { mergeWithLastSubmission: false },
    );
  }

  /** A first-party client: the scopes it asked for are granted without a consent screen, as Cognito does. */
  async function consent(
    req: IncomingMessage,
    res: ServerResponse,
    details: Awaited<ReturnType<typeof provider.interactionDetails>>,
  ): Promise<void> {
    const grant = new provider.Grant({
      accountId: details.session?.accountId ?? '',
      clientId: String(details.params.client_id),
    });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const out: LocalOidcProvider = {
    issuer,
    clientId,
    scopes: SCOPES,
    jwksUri: `${issuer}/jwks`,
    requests,
    signOutUrl: (returnTo) =>
      `${issuer}/session/end?${new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: returnTo })}`,
    completeLogin: (authorizationUrl, username, password) => followLogin(issuer, authorizationUrl, username, password),
    async signIn(username, password) {
      const verifier = randomBytes(32).toString('base64url');
      const redirectUri = 'http://127.0.0.1/callback';
      const state = randomBytes(16).toString('base64url');
      const auth = `${issuer}/auth?${new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        scope: SCOPES,
        redirect_uri: redirectUri,
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })}`;
      const back = new URL(await followLogin(issuer, auth, username, password));
      const code = back.searchParams.get('code');
      if (!code || back.searchParams.get('state') !== state) {
        throw new Error(`signing ${username} in ended at ${back.href} without a code`);
      }
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: clientId,
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
      });
      const tokens = (await res.json()) as { id_token?: string; error?: string };
      if (!tokens.id_token) throw new Error(`the token endpoint answered ${res.status} ${tokens.error ?? ''}`);
      return tokens.id_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return out;
}

/**
 * Follows redirects by hand (keeping the provider's cookies) from `start`, posting the login form once, until a
 * redirect leaves the provider; returns where it points. Refused credentials are an error naming the page's message.
 */
async function followLogin(issuer: string, start: string, username: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) cookies.set((pair ?? '').slice(0, eq).trim(), (pair ?? '').slice(eq + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  let url = start;
  let posted = false;
  for (let hop = 0; hop < 20; hop++) {
    if (!url.startsWith(issuer)) return url;
    let res = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader() } });
    keep(res);
    if (res.status === 200 && new URL(url).pathname.startsWith('/interaction/')) {
      if (posted) throw new Error(`the login page refused ${username}: ${loginMessage(await res.text())}`);
      posted = true;
      res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }),
      });
      keep(res);
      if (res.status === 200) throw new Error(`the login page refused ${username}: ${loginMessage(await res.text())}`);
    }
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`${url} answered ${res.status} without a redirect: ${(await res.text()).slice(0, 200)}`);
    url = new URL(location, url).href;
  }
  throw new Error(`signing ${username} in took more than 20 redirects`);
}

function stringsOf(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? v.join(' ') : String(v)]));
}

function loginMessage(html: string): string {
  return /role="alert">([^<]*)</.exec(html)?.[1] ?? 'no message';
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"></head>' +
    `<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`
  );
}

/** The login page: user name and password, posted to the interaction (no script). */
function loginPage(uid: string, error?: string): string {
  return page(
    'Sign in (local identity provider)',
    `${error ? `<p role="alert">${esc(error)}</p>` : ''}` +
      `<form method="post" action="/interaction/${esc(uid)}" autocomplete="off">` +
      '<p><label for="username">Username</label><br><input id="username" name="username" autocomplete="username" required autofocus></p>' +
      '<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>' +
      '<p><button type="submit">Sign in</button></p></form>',
  );
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: the login form's answer redirects on to the client's redirect URI, which form-action would block.
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body larger than 64 KiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
