/**
 * The client's protocol handling against a local HTTPS protocol stub, for the cases a real kube-apiserver cannot
 * produce on demand (410 Gone on a continue token, 429 and 5xx, oversized bodies, a hung plugin). What a real API
 * server answers (lists, RBAC, TokenRequest) is tested in test/integ/kubernetes against kube-apiserver.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeApiClient, type KubeApiClientOptions } from '../../../../lambdas/adapters/kubernetes/kube-api-client';
import type { KubeClusterAccess, KubeExecConfig } from '../../../../lambdas/adapters/kubernetes/kubeconfig';
import {
  KubeCredentialError,
  KubeForbiddenError,
  KubeResponseError,
  KubeTlsError,
  KubeUnauthorizedError,
  KubeUnreachableError,
} from '../../../../lambdas/shared/errors';
import { type GeneratedChain, generateChain } from '../../../support/cert-chain';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly body: string;
}

let chain: GeneratedChain;
let other: GeneratedChain;
let server: Server;
let port: number;
let handler: Handler;
let seen: Seen[];
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kapi-'));
const noWait = { sleep: async () => {} } satisfies KubeApiClientOptions;

beforeAll(async () => {
  chain = await generateChain(2, 'kapi test');
  other = await generateChain(2, 'another cluster');
  server = createServer({ key: chain.leafKeyPem, cert: chain.leaf.pem }, (req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 404, { kind: 'Status', message: 'not here' });
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const access = (over: Partial<KubeClusterAccess> = {}): KubeClusterAccess => ({
  server: `https://127.0.0.1:${port}`,
  ca: chain.root.pem,
  auth: { token: 'static-token' },
  ...over,
});

async function withClient<T>(
  run: (c: KubeApiClient) => Promise<T>,
  options: KubeApiClientOptions = noWait,
  over: Partial<KubeClusterAccess> = {},
): Promise<T> {
  const client = new KubeApiClient(access(over), options);
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

const pod = (i: number) => ({ metadata: { namespace: 'ns', name: `pod-${i}` } });

/** Serves `total` pods in pages of the `limit` asked for, continue token = next index. */
function pagedPods(total: number, onPage?: (start: number, res: ServerResponse) => boolean): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '', 'https://x');
    if (url.pathname !== '/api/v1/pods') return json(res, 404, {});
    const limit = Number(url.searchParams.get('limit'));
    const start = Number(url.searchParams.get('continue') ?? '0');
    if (onPage?.(start, res)) return;
    const end = Math.min(total, start + limit);
    const items = Array.from({ length: end - start }, (_, k) => pod(start + k));
    json(res, 200, { kind: 'PodList', metadata: end < total ? { continue: String(end) } : {}, items });
  };
}

describe('KubeApiClient.list', () => {
  it('follows continue tokens to the last page, one call per page, and sends the bearer token', async () => {
    // Given 7 pods served 3 per page
    handler = pagedPods(7);

    // When listing pods with a page size of 3
    const { list, calls } = await withClient(async (c) => ({ list: await c.list('pods'), calls: c.calls }), {
      ...noWait,
      pageSize: 3,
    });

    // Then all 7 come back in order, from exactly 3 calls with limit=3 and the continue tokens
    expect(list.error).toBeUndefined();
    expect(list.items).toEqual([0, 1, 2, 3, 4, 5, 6].map(pod));
    expect(list.pages).toBe(3);
    expect(calls).toBe(3);
    expect(seen.map((s) => s.url)).toEqual([
      '/api/v1/pods?limit=3',
      '/api/v1/pods?limit=3&continue=3',
      '/api/v1/pods?limit=3&continue=6',
    ]);
    expect(seen.every((s) => s.authorization === 'Bearer static-token')).toBe(true);
  });

  it('defaults to 500 objects per page, and lists webhooks from admissionregistration.k8s.io/v1', async () => {
    handler = (_req, res) => json(res, 200, { items: [] });
    await withClient((c) => c.list('mutatingwebhookconfigurations'));
    expect(seen.map((s) => s.url)).toEqual([
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?limit=500',
    ]);
  });

  it('410 Gone on a continue token restarts the list once and returns it whole', async () => {
    // Given a server whose continue token expires the first time page 2 is asked for
    let expired = 0;
    handler = pagedPods(5, (start, res) => {
      if (start === 2 && expired === 0) {
        expired += 1;
        json(res, 410, { kind: 'Status', reason: 'Expired', message: 'The provided continue parameter is too old' });
        return true;
      }
      return false;
    });

    // When listing with 2 per page
    const { list, calls } = await withClient(async (c) => ({ list: await c.list('pods'), calls: c.calls }), {
      ...noWait,
      pageSize: 2,
    });

    // Then the list restarted from the top and is complete, without duplicates: 1 + 1 (410) + 3 calls
    expect(list.error).toBeUndefined();
    expect(list.items).toEqual([0, 1, 2, 3, 4].map(pod));
    expect(calls).toBe(5);
  });

  it('410 Gone again after the restart returns what was read, partial with code Expired', async () => {
    handler = pagedPods(5, (start, res) => {
      if (start !== 2) return false;
      json(res, 410, { kind: 'Status', reason: 'Expired', message: 'too old' });
      return true;
    });
    const list = await withClient((c) => c.list('pods'), { ...noWait, pageSize: 2 });
    expect(list.error).toBeInstanceOf(KubeResponseError);
    expect(list.error?.code).toBe('Expired');
    expect(list.items).toEqual([0, 1].map(pod));
  });

  it('stops at maxObjects and returns the list partial with code TooMany', async () => {
    handler = pagedPods(10);
    const list = await withClient((c) => c.list('pods'), { ...noWait, pageSize: 4, maxObjects: 6 });
    expect(list.items).toHaveLength(6);
    expect(list.error?.code).toBe('TooMany');
    expect(seen).toHaveLength(2);
  });

  it('an error after the first page returns the pages read, partial with that error', async () => {
    handler = pagedPods(6, (start, res) => {
      if (start !== 2) return false;
      json(res, 403, { kind: 'Status', message: 'no' });
      return true;
    });
    const list = await withClient((c) => c.list('pods'), { ...noWait, pageSize: 2 });
    expect(list.items).toEqual([0, 1].map(pod));
    expect(list.error).toBeInstanceOf(KubeForbiddenError);
  });

  it('a page without an items array is a bad response (InvalidResponse)', async () => {
    handler = (_req, res) => json(res, 200, { kind: 'PodList' });
    await expect(withClient((c) => c.list('pods'))).rejects.toMatchObject({
      name: 'KubeResponseError',
      code: 'InvalidResponse',
    });
  });

  it('a body that is not JSON is a bad response (InvalidResponse)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    await expect(withClient((c) => c.list('pods'))).rejects.toMatchObject({ code: 'InvalidResponse' });
  });
});

describe('KubeApiClient retries and bounds', () => {
  it('retries 429 and 503 with backoff (honoring Retry-After), counting every call', async () => {
    // Given a server that throttles, then fails once, then answers
    const answers = [429, 503, 200];
    handler = (_req, res) => {
      const status = answers.shift() ?? 200;
      if (status === 200) json(res, 200, { items: [pod(1)] });
      else json(res, status, { kind: 'Status', message: 'slow down' }, status === 429 ? { 'retry-after': '2' } : {});
    };
    const waits: number[] = [];

    // When listing
    const { list, calls } = await withClient(async (c) => ({ list: await c.list('pods'), calls: c.calls }), {
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    // Then it succeeded on the third call, having waited the 2 s Retry-After, then a backoff
    expect(list.items).toEqual([pod(1)]);
    expect(calls).toBe(3);
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThan(0);
    expect(waits[1]).toBeLessThanOrEqual(5000);
  });

  it('gives up after the bounded retries with the last status (HTTP 500)', async () => {
    handler = (_req, res) => json(res, 500, { kind: 'Status', message: 'etcd is sad' });
    const client = new KubeApiClient(access(), { ...noWait, retries: 2 });
    try {
      await expect(client.list('pods')).rejects.toMatchObject({
        name: 'KubeResponseError',
        code: 'HTTP 500',
        status: 500,
      });
      expect(client.calls).toBe(3);
    } finally {
      client.close();
    }
  });

  it('does not retry a 403, and names the verb and resource', async () => {
    handler = (_req, res) =>
      json(res, 403, {
        kind: 'Status',
        message: 'pods is forbidden: User "nobody" cannot list resource "pods" in API group "" at the cluster scope',
      });
    const client = new KubeApiClient(access(), noWait);
    try {
      const err = await client.list('pods').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeForbiddenError);
      expect(err).toMatchObject({ name: 'KubeForbiddenError', code: 'Forbidden', verb: 'list', resource: 'pods' });
      expect((err as Error).message).toContain('may not list pods at the cluster scope');
      expect((err as Error).message).toContain('User "nobody" cannot list');
      expect(client.calls).toBe(1);
    } finally {
      client.close();
    }
  });

  it('a 401 is KubeUnauthorizedError', async () => {
    handler = (_req, res) => json(res, 401, { kind: 'Status', message: 'Unauthorized' });
    await expect(withClient((c) => c.version())).rejects.toBeInstanceOf(KubeUnauthorizedError);
  });

  it('a body larger than maxResponseBytes fails that call with TooLarge (chunked, no content-length)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"items":[${'"x",'.repeat(5000)}`);
      res.end('"x"]}');
    };
    await expect(withClient((c) => c.list('pods'), { ...noWait, maxResponseBytes: 1000 })).rejects.toMatchObject({
      name: 'KubeResponseError',
      code: 'TooLarge',
    });
  });

  it('a content-length above maxResponseBytes fails before the body is read', async () => {
    handler = (_req, res) => json(res, 200, { items: Array.from({ length: 200 }, (_, i) => pod(i)) });
    await expect(withClient((c) => c.list('pods'), { ...noWait, maxResponseBytes: 1000 })).rejects.toMatchObject({
      code: 'TooLarge',
    });
  });

  it('a connection reset is retried, then reported unreachable naming the host', async () => {
    handler = (req) => req.socket.destroy();
    const client = new KubeApiClient(access(), { ...noWait, retries: 1 });
    try {
      const err = await client.version().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeUnreachableError);
      expect((err as KubeUnreachableError).host).toBe(`127.0.0.1:${port}`);
      expect(client.calls).toBe(2);
    } finally {
      client.close();
    }
  });

  it('a body that trickles in past the deadline is a timeout too (the deadline covers the whole exchange)', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    };
    const err = await withClient((c) => c.list('pods'), { ...noWait, retries: 0, timeoutMs: 400 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect((err as Error).message).toContain('no complete answer within');
  });

  it('a server that does not answer in time is unreachable (timeout), not a hang', async () => {
    handler = () => {}; // never answers
    const err = await withClient((c) => c.version(), { ...noWait, retries: 0, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect((err as Error).message).toContain('ETIMEDOUT');
  });
});

describe('KubeApiClient TLS and reachability', () => {
  it('verifies the server against the cluster CA, on an IP endpoint (IP SAN)', async () => {
    handler = (_req, res) => json(res, 200, { gitVersion: 'v1.34.4', major: '1', minor: '34' });
    await expect(withClient((c) => c.version())).resolves.toEqual({ gitVersion: 'v1.34.4', major: '1', minor: '34' });
  });

  it('checks tls-server-name instead of the URL host when the kubeconfig sets it', async () => {
    handler = (_req, res) => json(res, 200, { gitVersion: 'v1.34.4' });
    const ok = await withClient((c) => c.version(), noWait, { tlsServerName: 'localhost' });
    expect(ok.gitVersion).toBe('v1.34.4');
    const err = await withClient((c) => c.version(), noWait, { tlsServerName: 'api.example.com' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeTlsError);
  });

  it('a certificate from another CA is a TLS verification error, and nothing is sent', async () => {
    handler = (_req, res) => json(res, 200, { gitVersion: 'v1' });
    const err = await withClient((c) => c.version(), noWait, { ca: other.root.pem }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeTlsError);
    expect(err).toMatchObject({ code: 'TlsVerification', host: `127.0.0.1:${port}` });
    expect(seen).toHaveLength(0);
  });

  it('without a CA in the kubeconfig the system CAs are used, which do not trust a private cluster CA', async () => {
    const err = await withClient((c) => c.version(), noWait, { ca: undefined } as Partial<KubeClusterAccess>).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeTlsError);
  });

  it('a refused connection is unreachable and names host and port', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await withClient((c) => c.version(), noWait, { server: `https://127.0.0.1:${freePort}` }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeUnreachableError);
    expect((err as Error).message).toContain(`127.0.0.1:${freePort}`);
    expect((err as Error).message).toContain('ECONNREFUSED');
  });
});

describe('KubeApiClient.createToken', () => {
  it('POSTs a TokenRequest with the audience and expiry and returns the token', async () => {
    handler = (_req, res, body) =>
      json(res, 201, {
        ...JSON.parse(body),
        status: { token: 'eyJ.token', expirationTimestamp: '2026-01-01T00:00:00Z' },
      });
    const token = await withClient((c) =>
      c.createToken('team-a', 'reader', { audience: 'sts.amazonaws.com', expirationSeconds: 600 }),
    );
    expect(token).toEqual({ token: 'eyJ.token', expirationTimestamp: '2026-01-01T00:00:00Z' });
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe('/api/v1/namespaces/team-a/serviceaccounts/reader/token');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: ['sts.amazonaws.com'], expirationSeconds: 600 },
    });
  });

  it('refuses a name that is not a Kubernetes name without calling the server', async () => {
    await expect(
      withClient((c) => c.createToken('team-a', '../../secrets', { audience: 'a', expirationSeconds: 600 })),
    ).rejects.toMatchObject({ code: 'InvalidName' });
    expect(seen).toHaveLength(0);
  });
});

describe('KubeApiClient credentials', () => {
  const tokenServer: Handler = (req, res) =>
    req.headers.authorization === 'Bearer good'
      ? json(res, 200, { gitVersion: 'v1.34.4' })
      : json(res, 401, { kind: 'Status', message: 'Unauthorized' });

  /** A node script acting as an exec plugin; it logs each run to `runs` and prints `credential`. */
  function plugin(name: string, script: string): KubeExecConfig {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, `#!/usr/bin/env node\n${script}\n`);
    chmodSync(file, 0o755);
    return {
      command: process.execPath,
      args: [file, 'eks', 'get-token', '--cluster-name', 'demo'],
      env: [{ name: 'PLUGIN_RUNS', value: join(dir, `${name}.runs`) }],
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      provideClusterInfo: false,
      baseDir: dir,
    };
  }
  const runs = (name: string) => {
    try {
      return readFileSync(join(dir, `${name}.runs`), 'utf8').length;
    } catch {
      return 0;
    }
  };
  const credential = (token: string, expiry?: string) =>
    JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token, ...(expiry ? { expirationTimestamp: expiry } : {}) },
    });
  const logRun = `require('fs').appendFileSync(process.env.PLUGIN_RUNS, 'x');`;

  it('reads a token file', async () => {
    handler = tokenServer;
    const file = join(dir, 'token');
    writeFileSync(file, 'good\n');
    await expect(withClient((c) => c.version(), noWait, { auth: { tokenFile: file } })).resolves.toMatchObject({
      gitVersion: 'v1.34.4',
    });
  });

  it('an unreadable token file is a credentials error naming it', async () => {
    const err = await withClient((c) => c.version(), noWait, { auth: { tokenFile: join(dir, 'nope') } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeCredentialError);
    expect((err as Error).message).toContain(join(dir, 'nope'));
  });

  it('runs an exec plugin with its args and env, uses status.token, and caches it until expirationTimestamp', async () => {
    // Given a plugin that prints a token valid for an hour
    handler = tokenServer;
    const expiry = new Date(Date.now() + 3600_000).toISOString();
    const exec = plugin('cached', `${logRun} process.stdout.write(${JSON.stringify(credential('good', expiry))});`);
    let now = new Date();

    // When making three calls, then one after the expiry
    const client = new KubeApiClient(access({ auth: { exec } }), { ...noWait, now: () => now });
    try {
      await client.version();
      await client.version();
      await client.version();
      expect(runs('cached')).toBe(1);
      now = new Date(Date.now() + 3700_000);
      await client.version();
      // Then the plugin ran once for the first three, and again after the expiry
      expect(runs('cached')).toBe(2);
      expect(seen.every((s) => s.authorization === 'Bearer good')).toBe(true);
    } finally {
      client.close();
    }
  });

  it('passes KUBERNETES_EXEC_INFO (non-interactive, with the cluster when asked)', async () => {
    handler = tokenServer;
    const exec = {
      ...plugin(
        'info',
        `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
         const ok = info.kind === 'ExecCredential' && info.spec.interactive === false && info.spec.cluster.server.startsWith('https://127.0.0.1');
         process.stdout.write(${JSON.stringify(credential('good'))}.replace('good', ok ? 'good' : 'bad'));`,
      ),
      provideClusterInfo: true,
    };
    await expect(withClient((c) => c.version(), noWait, { auth: { exec } })).resolves.toMatchObject({
      gitVersion: 'v1.34.4',
    });
  });

  it('runs the plugin again once when the server rejects its token (401)', async () => {
    handler = tokenServer;
    // First run prints a stale token, later runs a good one
    const exec = plugin(
      'refresh',
      `const fs = require('fs'); const first = !fs.existsSync(process.env.PLUGIN_RUNS); ${logRun}
       process.stdout.write(${JSON.stringify(credential('stale'))}.replace('stale', first ? 'stale' : 'good'));`,
    );
    await expect(withClient((c) => c.version(), noWait, { auth: { exec } })).resolves.toMatchObject({
      gitVersion: 'v1.34.4',
    });
    expect(runs('refresh')).toBe(2);
  });

  it('a failing plugin is a credentials error naming the command and what it said', async () => {
    const exec = plugin('fails', `process.stderr.write('Unable to locate credentials'); process.exit(255);`);
    const err = await withClient((c) => c.version(), noWait, { auth: { exec } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeCredentialError);
    expect((err as Error).message).toContain('eks get-token --cluster-name demo');
    expect((err as Error).message).toContain('exit code 255');
    expect((err as Error).message).toContain('Unable to locate credentials');
    expect(seen).toHaveLength(0);
  });

  it('a plugin that hangs is killed after the exec timeout', async () => {
    const exec = plugin('hangs', 'setTimeout(() => {}, 600000);');
    const err = await withClient((c) => c.version(), { ...noWait, execTimeoutMs: 500 }, { auth: { exec } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeCredentialError);
    expect((err as Error).message).toContain('did not finish within');
  });

  it('a missing command says so', async () => {
    const exec = { ...plugin('x', ''), command: 'irsa-doctor-no-such-plugin', args: [] };
    const err = await withClient((c) => c.version(), noWait, { auth: { exec } }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('"irsa-doctor-no-such-plugin": command not found');
  });

  it('output that is not an ExecCredential with a token is refused', async () => {
    const exec = plugin('garbage', `process.stdout.write(JSON.stringify({ kind: 'ExecCredential', status: {} }));`);
    const err = await withClient((c) => c.version(), noWait, { auth: { exec } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeCredentialError);
    expect((err as Error).message).toContain('neither status.token');
  });
});
