/**
 * The approval console on localhost, against the emulator: what CloudFront, API Gateway and Cognito do in AWS, done
 * by one small Node server (and the local OpenID provider) so a newcomer can click through the whole flow.
 *
 * - the static page (console/, bundled by esbuild) with the same security headers as the CloudFront distribution;
 * - /config.json, as the hub stack deploys it, pointing the page at this server for the API and at the local OpenID
 *   provider (infra/local/local-oidc-provider.ts, standing in for Cognito managed login) for sign-in;
 * - /api/*: the ID token verified as API Gateway's JWT authorizer does (signature against the issuer's JWKS,
 *   issuer, audience, expiry), its claims put into an HTTP API v2 event, and the event handed to the same
 *   handleApiRequest the Lambda runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { buildConsoleAssets } from '../../console/build';
import { type ApiEvent, handleApiRequest, MAX_BODY_BYTES } from '../../lambdas/api/http-api';
import type { ApiDeps, ConsoleDeps } from '../../lambdas/workflow/approver-actions';
import { type LocalDispatch, localDispatch } from './local-dispatch';
import { type LocalOidcProvider, type LocalOidcUser, startLocalOidcProvider } from './local-oidc-provider';
import { LOCAL_REGION } from './synthesized-definition';

export interface LocalConsoleOptions {
  /**
   * The hub's dependencies. The API handler gets only the state store and the clock (as the approval API's role in
   * AWS); the rest runs the deliverer and the rollback step in-process, as the state table's stream starts them.
   */
  readonly deps: ConsoleDeps;
  /** Approver rules scoped to accounts and OUs, and the second-approval rule, as the hub passes them to the API. */
  readonly access?: Pick<ApiDeps, 'approvers' | 'secondApproval'>;
  /**
   * The people who may sign in, with their groups: the console starts a local OpenID provider with them (and stops
   * it on close). Give either `users` or a `provider` already running.
   */
  readonly users?: readonly LocalOidcUser[];
  readonly provider?: LocalOidcProvider;
  /** With `users`: the lifetime of the provider's ID and access tokens. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly onError?: (err: unknown) => void;
}

export interface LocalConsole {
  readonly url: string;
  /** The in-process stand-in for the state table's stream (deliverer and rollback step). */
  readonly dispatch: LocalDispatch;
  /** The OpenID provider the page signs in with (its issuer, client, and a scripted sign-in for tests). */
  readonly provider: LocalOidcProvider;
  close(): Promise<void>;
}

/**
 * The Content-Security-Policy of the page, which may reach its own origin and the OpenID provider (discovery and
 * token endpoint); the hub stack's CloudFront response headers policy sets the same with Cognito's domains.
 */
export function consoleCsp(providerOrigin: string): string {
  return (
    `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${providerOrigin}; ` +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
  );
}

export async function startLocalConsole(options: LocalConsoleOptions): Promise<LocalConsole> {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-console-'));
  const assets = new Map<string, { type: string; body: Buffer }>();
  try {
    buildConsoleAssets(dir);
    const type = { 'index.html': 'text/html', 'app.js': 'text/javascript', 'app.css': 'text/css' } as const;
    for (const [name, mime] of Object.entries(type)) {
      assets.set(`/${name}`, { type: `${mime}; charset=utf-8`, body: readFileSync(join(dir, name)) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);

  if (!options.provider && !options.users) throw new Error('startLocalConsole: give users or a provider');
  const provider =
    options.provider ??
    (await startLocalOidcProvider({
      users: options.users ?? [],
      ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    }));
  const ownProvider = !options.provider;
  // API Gateway's JWT authorizer: the issuer's keys, the issuer, the audience (the app client), the expiry.
  const verifier = JwtVerifier.create({
    issuer: provider.issuer,
    audience: provider.clientId,
    jwksUri: provider.jwksUri,
  });
  const jwks = (await (await fetch(provider.jwksUri)).json()) as Parameters<JwksCache['addJwks']>[1];
  verifier.cacheJwks(jwks);
  const pageHeaders = {
    'content-security-policy': consoleCsp(new URL(provider.issuer).origin),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };

  const dispatch = localDispatch(options.deps, options.onError);
  const apiDeps: ApiDeps = {
    store: options.deps.store,
    now: options.deps.now,
    approversGroup: options.deps.approversGroup,
    ...options.access,
    dispatch,
  };

  let origin = '';
  const server = createServer((req, res) => {
    route(req, res).catch((err) => {
      options.onError?.(err);
      if (!res.headersSent) send(res, 500, 'application/json', JSON.stringify({ error: 'InternalError' }));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' && path === '/config.json') {
      const config = {
        apiUrl: '',
        region: LOCAL_REGION,
        authority: provider.issuer,
        clientId: provider.clientId,
        redirectUri: `${origin}/`,
        scopes: provider.scopes,
        signOutUrl: provider.signOutUrl(`${origin}/`),
        // The CLI's loopback redirect: any free port (the local provider matches loopback URIs on any port).
        cliRedirectUris: ['http://127.0.0.1:0/callback'],
        approversGroup: options.deps.approversGroup,
      };
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(config), pageHeaders);
      return;
    }
    const asset = method === 'GET' ? assets.get(path) : undefined;
    if (asset) {
      send(res, 200, asset.type, asset.body, pageHeaders);
      return;
    }
    if (path.startsWith('/api/')) {
      await serveApi(req, res, path, method);
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found', pageHeaders);
  }

  /** What API Gateway does before and after the handler: the JWT authorizer, the body limit, the v2 event. */
  async function serveApi(req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
    const claims = await authorizerClaims(req.headers.authorization);
    if (!claims) {
      // What API Gateway's JWT authorizer answers: the handler never runs.
      send(res, 401, 'application/json', JSON.stringify({ message: 'Unauthorized' }));
      return;
    }
    let body: string;
    try {
      body = (await readBody(req, MAX_BODY_BYTES + 1)).toString('utf8');
    } catch {
      send(res, 413, 'application/json', JSON.stringify({ message: 'Request Entity Too Large' }));
      return;
    }
    const event: ApiEvent = {
      rawPath: path,
      rawQueryString: (req.url ?? '').split('?').slice(1).join('?'),
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      ),
      body,
      isBase64Encoded: false,
      requestContext: { http: { method }, authorizer: { jwt: { claims } } },
    };
    const out = await handleApiRequest(apiDeps, event, {
      allowedOrigins: [origin],
      ...(options.onError ? { onError: options.onError } : {}),
    });
    send(
      res,
      out.statusCode ?? 200,
      String(out.headers?.['content-type'] ?? 'application/json'),
      out.body ?? '',
      Object.fromEntries(Object.entries(out.headers ?? {}).map(([k, v]) => [k, String(v)])),
    );
  }

  /** The claims API Gateway's JWT authorizer passes on: strings, arrays rendered "[a b]"; undefined if invalid. */
  async function authorizerClaims(header: string | undefined): Promise<Record<string, string> | undefined> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) return undefined;
    try {
      const payload = await verifier.verify(token);
      return Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
      );
    } catch {
      return undefined;
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  origin = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url: origin,
    dispatch,
    provider,
    close: async () => {
      await new Promise<void>((resolve) => {
        // Steps the stream stand-in started finish on their own; close only stops taking requests.
        server.closeAllConnections();
        server.close(() => resolve());
      });
      if (ownProvider) await provider.close();
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': type });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
