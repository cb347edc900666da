/**
 * A small, read-mostly Kubernetes API client over node:https: `version()`, paginated `list(kind)` of the three kinds
 * IRSA Doctor reads, and `createToken` (TokenRequest, for the probe). No dependency: client-node 2.x needs
 * Node >= 22.19 and the project runs on Node 20 too.
 *
 * - TLS is always verified: against the cluster's CA when the kubeconfig gives one (else the system's CAs), with
 *   `tls-server-name` as the name checked when set. kubeconfig's insecure-skip-tls-verify is refused at load time.
 * - Credentials: a bearer token (static or tokenFile, re-read every minute), a client certificate, or an exec
 *   plugin (run as client-go runs it, cached until its expirationTimestamp, run again once on a 401).
 * - Lists are paged with `limit` + `continue` (500 per page, kubectl's chunk size: big enough that 5,000 pods take
 *   ten calls, small enough that a page of pods with managed fields stays a few megabytes); an expired continue
 *   token (410 Gone) restarts the list once, then the list is returned partial. Objects per kind and bytes per
 *   response are bounded.
 * - Every call has a timeout; 429, 5xx and connection resets are retried with backoff (bounded); every HTTP call is
 *   counted (`calls`), retries included.
 */

import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import type { KubernetesKind } from '../../domain/snapshot';
import {
  type KubeApiError,
  KubeCredentialError,
  KubeForbiddenError,
  KubeResponseError,
  KubeTlsError,
  KubeUnauthorizedError,
  KubeUnreachableError,
} from '../../shared/errors';
import { clip, escapeControls } from '../../shared/text';
import { type ExecCredential, runExecCredential } from './exec-credential';
import type { KubeClusterAccess } from './kubeconfig';

export interface KubeApiClientOptions {
  /** Objects per list call (`limit`). Default 500. */
  readonly pageSize?: number;
  /** Objects read per kind at most; past it the list stops and is returned partial (`TooMany`). Default 200,000. */
  readonly maxObjects?: number;
  /** Bytes of one response body at most; past it that call fails with `TooLarge`. Default 64 MiB. */
  readonly maxResponseBytes?: number;
  /** Milliseconds one HTTP call may take, connection and body included. Default 30,000. */
  readonly timeoutMs?: number;
  /** Retries after a 429, a 5xx or a connection reset. Default 3. */
  readonly retries?: number;
  /** Milliseconds an exec credential plugin may run. Default 60,000 (`aws eks get-token` takes about a second). */
  readonly execTimeoutMs?: number;
  /** Environment for exec plugins. Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Waits between retries; injectable so unit tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

/** What `list` read: every item, or the items read before it had to stop (`error` says why). */
export interface KubeList {
  readonly items: readonly unknown[];
  /** Pages read (including any read before a restart). */
  readonly pages: number;
  /** Set when the list is incomplete. */
  readonly error?: KubeApiError;
}

export interface KubeVersion {
  readonly gitVersion: string;
  readonly major?: string;
  readonly minor?: string;
}

export interface KubeTokenRequest {
  readonly audience: string;
  readonly expirationSeconds: number;
}

export interface KubeToken {
  readonly token: string;
  readonly expirationTimestamp?: string;
}

interface KindPath {
  readonly path: string;
  readonly group: string;
}

/** Where each kind is listed across all namespaces (cluster-scoped for webhooks). */
export const KIND_PATHS: Readonly<Record<KubernetesKind, KindPath>> = {
  serviceaccounts: { path: '/api/v1/serviceaccounts', group: '' },
  pods: { path: '/api/v1/pods', group: '' },
  mutatingwebhookconfigurations: {
    path: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    group: 'admissionregistration.k8s.io',
  },
};

const JWKS_PATH = '/openid/v1/jwks';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

interface Credentials {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
}

interface Response {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: string;
}

interface Action {
  readonly verb: string;
  readonly resource: string;
}

const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_ERROR = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|HOSTNAME_MISMATCH/;

export class KubeApiClient {
  /** HTTP calls made so far, retries included. */
  calls = 0;
  readonly host: string;
  private readonly url: URL;
  private readonly basePath: string;
  private readonly agent: Agent;
  private readonly pageSize: number;
  private readonly maxObjects: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private credentials?: { value: Promise<Credentials>; until: number };

  constructor(
    private readonly access: KubeClusterAccess,
    private readonly options: KubeApiClientOptions = {},
  ) {
    this.url = new URL(access.server);
    if (this.url.protocol !== 'https:') throw new KubeTlsError(`${access.server} is not an https URL`, this.url.host);
    this.host = this.url.host;
    this.basePath = this.url.pathname.replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? 500;
    this.maxObjects = options.maxObjects ?? 200_000;
    this.maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? (() => new Date());
    this.agent = new Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** Closes kept-alive connections (call when done, so the process can exit). */
  close(): void {
    this.agent.destroy();
  }

  /** GET /version. */
  async version(): Promise<KubeVersion> {
    const body = await this.call('GET', '/version', undefined, { verb: 'get', resource: '/version' });
    const v = body as { gitVersion?: unknown; major?: unknown; minor?: unknown };
    if (typeof v?.gitVersion !== 'string') {
      throw new KubeResponseError(`${this.host}: /version did not return a gitVersion`, 'InvalidResponse', 200);
    }
    return {
      gitVersion: v.gitVersion,
      ...(typeof v.major === 'string' ? { major: v.major } : {}),
      ...(typeof v.minor === 'string' ? { minor: v.minor } : {}),
    };
  }

  /**
   * Lists every object of `kind` (all namespaces) page by page. Throws when the first page cannot be read; an error
   * after that returns what was read with `error` set (a partial list).
   */
  async list(kind: KubernetesKind): Promise<KubeList> {
    const first = await this.listOnce(kind);
    if (first.error?.code !== 'Expired') return first;
    // The continue token expired (the list took longer than etcd keeps its revision): start over once.
    const again = await this.listOnce(kind);
    return { ...again, pages: first.pages + again.pages };
  }

  private async listOnce(kind: KubernetesKind): Promise<KubeList> {
    const { path, group } = KIND_PATHS[kind];
    const action = { verb: 'list', resource: `${kind}${group ? `.${group}` : ''}` };
    const items: unknown[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (token) query.set('continue', token);
      let body: unknown;
      try {
        body = await this.call('GET', `${path}?${query}`, undefined, action);
      } catch (err) {
        if (pages === 0 && (err as KubeApiError).code !== 'Expired') throw err;
        return { items, pages, error: err as KubeApiError };
      }
      pages += 1;
      const page = this.listPage(body, kind);
      items.push(...page.items);
      token = page.continue;
      if (items.length > this.maxObjects) {
        items.length = this.maxObjects;
        const error = new KubeResponseError(
          `${this.host}: more than ${this.maxObjects} ${kind}; read the first ${this.maxObjects} only`,
          'TooMany',
        );
        return { items, pages, error };
      }
    } while (token);
    return { items, pages };
  }

  private listPage(body: unknown, kind: string): { items: readonly unknown[]; continue?: string } {
    const b = body as { items?: unknown; metadata?: { continue?: unknown } } | null;
    if (b === null || typeof b !== 'object' || !Array.isArray(b.items)) {
      throw new KubeResponseError(`${this.host}: the ${kind} list has no items array`, 'InvalidResponse', 200);
    }
    const next = b.metadata?.continue;
    return { items: b.items, ...(typeof next === 'string' && next !== '' ? { continue: next } : {}) };
  }

  /**
   * A token for a service account (TokenRequest, POST .../serviceaccounts/NAME/token): short-lived, bound to the
   * audience. The only write IRSA Doctor makes to a cluster, and it changes no object.
   */
  async createToken(namespace: string, serviceAccount: string, request: KubeTokenRequest): Promise<KubeToken> {
    for (const [what, value] of [
      ['namespace', namespace],
      ['service account', serviceAccount],
    ] as const) {
      if (!DNS_SUBDOMAIN.test(value)) {
        throw new KubeResponseError(
          `${what} "${escapeControls(clip(value, 100))}" is not a Kubernetes name`,
          'InvalidName',
        );
      }
    }
    const body = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [request.audience], expirationSeconds: request.expirationSeconds },
    };
    const answer = await this.call(
      'POST',
      `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
      JSON.stringify(body),
      { verb: 'create', resource: 'serviceaccounts/token' },
    );
    const status = (answer as { status?: { token?: unknown; expirationTimestamp?: unknown } } | null)?.status;
    if (typeof status?.token !== 'string' || status.token === '') {
      throw new KubeResponseError(`${this.host}: the TokenRequest answer has no status.token`, 'InvalidResponse', 201);
    }
    return {
      token: status.token,
      ...(typeof status.expirationTimestamp === 'string' ? { expirationTimestamp: status.expirationTimestamp } : {}),
    };
  }

  /**
   * GET one service account (for the probe: its annotations); undefined when it does not exist (404).
   * Needs `get` on `serviceaccounts` in the namespace.
   */
  async getServiceAccount(namespace: string, name: string): Promise<unknown | undefined> {
    for (const [what, value] of [
      ['namespace', namespace],
      ['service account', name],
    ] as const) {
      if (!DNS_SUBDOMAIN.test(value)) {
        throw new KubeResponseError(
          `${what} "${escapeControls(clip(value, 100))}" is not a Kubernetes name`,
          'InvalidName',
        );
      }
    }
    try {
      return await this.call('GET', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}`, undefined, {
        verb: 'get',
        resource: 'serviceaccounts',
      });
    } catch (err) {
      if (err instanceof KubeResponseError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * GET /openid/v1/jwks: the public keys the API server signs service account tokens with (for the probe's
   * signature check). Needs `get` on that non-resource URL (role system:service-account-issuer-discovery).
   */
  async issuerKeys(): Promise<unknown> {
    return this.call('GET', JWKS_PATH, undefined, { verb: 'get', resource: JWKS_PATH });
  }

  /** One API call with retries on 429, 5xx and connection resets; the parsed JSON body of a 2xx answer. */
  private async call(method: string, path: string, body: string | undefined, action: Action): Promise<unknown> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.send(method, path, body);
      } catch (err) {
        if (attempt < this.retries && RETRYABLE_NETWORK.has((err as NodeJS.ErrnoException).code ?? '')) {
          await this.sleep(backoff(attempt));
          continue;
        }
        throw this.networkError(err);
      }
      const { status } = response;
      if ((status === 429 || status >= 500) && attempt < this.retries) {
        await this.sleep(retryDelay(response.retryAfter, attempt));
        continue;
      }
      if (status === 401 && this.access.auth.exec && !refreshed) {
        // An exec credential the server rejects is fetched again once (client-go does the same).
        refreshed = true;
        this.credentials = undefined;
        continue;
      }
      return this.answer(response, action, path);
    }
  }

  private answer(response: Response, action: Action, path: string): unknown {
    const { status, body } = response;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(body);
      } catch {
        throw new KubeResponseError(`${this.host}: ${pathOnly(path)} did not answer JSON`, 'InvalidResponse', status);
      }
    }
    const said = serverMessage(body);
    const suffix = said ? `: ${said}` : '';
    if (status === 401) {
      throw new KubeUnauthorizedError(
        `${this.host}: 401 Unauthorized: the API server did not accept the credentials${suffix}`,
      );
    }
    if (status === 403) {
      throw new KubeForbiddenError(
        `${this.host}: 403 Forbidden: this identity may not ${action.verb} ${action.resource}${action.verb === 'list' ? ' at the cluster scope' : ''}${suffix}`,
        action.verb,
        action.resource,
      );
    }
    const code = status === 410 ? 'Expired' : status === 404 ? 'NotFound' : `HTTP ${status}`;
    throw new KubeResponseError(`${this.host}: ${status} on ${action.verb} ${action.resource}${suffix}`, code, status);
  }

  private networkError(err: unknown): KubeApiError {
    if (err instanceof KubeResponseError || err instanceof KubeCredentialError) return err;
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? '';
    if (TLS_ERROR.test(code)) {
      return new KubeTlsError(
        `${this.host}: the API server's certificate did not verify (${code}: ${clip(e.message, 300)}); the kubeconfig must carry this cluster's CA`,
        this.host,
        { cause: err },
      );
    }
    return new KubeUnreachableError(
      `${this.host}: cannot reach the API server (${code || e.name}: ${clip(e.message, 300)})`,
      this.host,
      { cause: err },
    );
  }

  /** One HTTP exchange: the status and the whole body (bounded), or the network error. */
  private async send(method: string, path: string, body: string | undefined): Promise<Response> {
    const credentials = await this.credentialsNow();
    this.calls += 1;
    const hostname = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const servername = this.access.tlsServerName ?? (isIP(hostname) ? undefined : hostname);
    return new Promise<Response>((resolvePromise, rejectPromise) => {
      // One deadline for the whole exchange (connection, TLS, answer, body), not just an idle socket.
      const timer = setTimeout(() => {
        const err = new Error(
          `no complete answer within ${Math.round(this.timeoutMs / 1000)} s`,
        ) as NodeJS.ErrnoException;
        err.code = 'ETIMEDOUT';
        rejectPromise(err);
        req.destroy();
      }, this.timeoutMs);
      const resolve = (r: Response) => {
        clearTimeout(timer);
        resolvePromise(r);
      };
      const reject = (e: unknown) => {
        clearTimeout(timer);
        rejectPromise(e);
      };
      const req = request(
        {
          method,
          host: hostname,
          port: this.url.port || 443,
          path: `${this.basePath}${path}`,
          agent: this.agent,
          ...(this.access.ca ? { ca: this.access.ca } : {}),
          ...(servername ? { servername } : {}),
          ...(credentials.cert && credentials.key ? { cert: credentials.cert, key: credentials.key } : {}),
          headers: {
            // The service account issuer's keys are served only as a JWK set (406 for application/json).
            accept: path === JWKS_PATH ? 'application/jwk-set+json' : 'application/json',
            'user-agent': 'irsa-doctor',
            ...(credentials.token ? { authorization: `Bearer ${credentials.token}` } : {}),
            ...(body !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => this.collect(res, req, resolve, reject),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private collect(
    res: import('node:http').IncomingMessage,
    req: import('node:http').ClientRequest,
    resolve: (r: Response) => void,
    reject: (e: unknown) => void,
  ): void {
    const status = res.statusCode ?? 0;
    let settled = false;
    const fail = (err: unknown) => {
      if (!settled) reject(err);
      settled = true;
      req.destroy();
    };
    const tooLarge = () =>
      new KubeResponseError(`${this.host}: a response was larger than ${this.maxBytes} bytes`, 'TooLarge', status);
    if (Number(res.headers['content-length'] ?? 0) > this.maxBytes) {
      fail(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > this.maxBytes) fail(tooLarge());
      else if (!settled) chunks.push(chunk);
    });
    res.on('error', fail);
    res.on('aborted', () => fail(Object.assign(new Error('the response was cut off'), { code: 'ECONNRESET' })));
    res.on('end', () => {
      if (settled) return;
      settled = true;
      const retryAfter = res.headers['retry-after'];
      resolve({
        status,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
      });
    });
  }

  /** The credentials for the next call: cached until they expire (exec) or for a minute (token file). */
  private credentialsNow(): Promise<Credentials> {
    const now = this.now().getTime();
    if (this.credentials && now < this.credentials.until) return this.credentials.value;
    const { auth } = this.access;
    const cert = auth.clientCertificate && auth.clientKey ? { cert: auth.clientCertificate, key: auth.clientKey } : {};
    if (auth.token) return Promise.resolve({ ...cert, token: auth.token });
    if (auth.tokenFile) {
      const file = auth.tokenFile;
      const value = readFile(file, 'utf8').then(
        (text) => ({ ...cert, token: text.trim() }),
        (err: Error) => {
          this.credentials = undefined;
          throw new KubeCredentialError(`cannot read the token file ${clip(file, 300)}: ${clip(err.message, 200)}`);
        },
      );
      this.credentials = { value, until: now + 60_000 };
      return value;
    }
    if (auth.exec) {
      const value = this.execCredentials(cert);
      this.credentials = { value, until: Number.POSITIVE_INFINITY };
      return value;
    }
    return Promise.resolve(cert);
  }

  private async execCredentials(cert: { cert?: string; key?: string }): Promise<Credentials> {
    const exec = this.access.auth.exec;
    if (!exec) return cert;
    let credential: ExecCredential;
    try {
      credential = await runExecCredential(exec, {
        timeoutMs: this.options.execTimeoutMs ?? 60_000,
        ...(this.options.env ? { env: this.options.env } : {}),
        cluster: {
          server: this.access.server,
          ...(this.access.ca ? { ca: this.access.ca } : {}),
          ...(this.access.tlsServerName ? { tlsServerName: this.access.tlsServerName } : {}),
        },
      });
    } catch (err) {
      this.credentials = undefined;
      throw err;
    }
    if (this.credentials && credential.expiresAt) this.credentials.until = credential.expiresAt.getTime();
    return {
      ...cert,
      ...(credential.token ? { token: credential.token } : {}),
      ...(credential.clientCertificate && credential.clientKey
        ? { cert: credential.clientCertificate, key: credential.clientKey }
        : {}),
    };
  }
}

const pathOnly = (path: string) => path.split('?')[0] ?? path;

/** Exponential backoff with jitter: about 0.2, 0.4, 0.8 s..., at most 5 s. */
function backoff(attempt: number): number {
  const base = Math.min(5_000, 200 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** Retry-After in seconds when the server gives one (at most 10 s), else the backoff. */
function retryDelay(retryAfter: string | undefined, attempt: number): number {
  const seconds = Number(retryAfter);
  return retryAfter !== undefined && Number.isFinite(seconds) && seconds >= 0
    ? Math.min(10, seconds) * 1000
    : backoff(attempt);
}

/** The `message` of a Kubernetes Status body, shown safely; else the first characters of the body. */
function serverMessage(body: string): string {
  let text = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed?.message === 'string') text = parsed.message;
  } catch {
    // not JSON: show the start of the body
  }
  return escapeControls(clip(text.trim(), 500));
}
