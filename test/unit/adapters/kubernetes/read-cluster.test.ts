/**
 * readClusterKubernetes for what the real API server cannot be made to do on demand (a kind with more objects than
 * the bound, a failing /version, a page that fails after the first), against a local HTTPS protocol stub. The
 * RBAC, TLS and reachability cases run against kube-apiserver in test/integ/adapters/kubernetes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeApiClient, type KubeApiClientOptions } from '../../../../lambdas/adapters/kubernetes/kube-api-client';
import { readClusterKubernetes } from '../../../../lambdas/adapters/kubernetes/read-cluster';
import { kubernetesSchemaProblems } from '../../../../lambdas/shared/schemas';
import { type GeneratedChain, generateChain } from '../../../support/cert-chain';

let chain: GeneratedChain;
let server: Server;
let port: number;
let routes: Record<string, (url: URL, res: ServerResponse) => void>;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const sa = (i: number) => ({
  kind: 'ServiceAccount',
  metadata: {
    namespace: 'ns',
    name: `sa-${i}`,
    annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::111122223333:role/r${i}` },
  },
});
const pod = (i: number) => ({
  kind: 'Pod',
  metadata: { namespace: 'ns', name: `pod-${i}`, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { serviceAccountName: `sa-${i}`, containers: [{ name: 'app' }] },
});

/** Serves `items` in pages of the asked limit. */
const paged = (items: readonly unknown[]) => (url: URL, res: ServerResponse) => {
  const limit = Number(url.searchParams.get('limit'));
  const start = Number(url.searchParams.get('continue') ?? '0');
  const end = Math.min(items.length, start + limit);
  json(res, 200, { metadata: end < items.length ? { continue: String(end) } : {}, items: items.slice(start, end) });
};

beforeAll(async () => {
  chain = await generateChain(2, 'read-cluster test');
  server = createServer({ key: chain.leafKeyPem, cert: chain.leaf.pem }, (req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '', 'https://x');
    const route = routes[url.pathname];
    if (route) route(url, res);
    else json(res, 404, { kind: 'Status', message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes = {
    '/version': (_u, res) => json(res, 200, { gitVersion: 'v1.34.4' }),
    '/api/v1/serviceaccounts': paged([0, 1, 2].map(sa)),
    '/api/v1/pods': paged([0, 1, 2].map(pod)),
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations': paged([]),
  };
});

async function read(options: KubeApiClientOptions = {}) {
  const client = new KubeApiClient(
    { server: `https://127.0.0.1:${port}`, ca: chain.root.pem, auth: { token: 't' } },
    { sleep: async () => {}, ...options },
  );
  try {
    return {
      k: await readClusterKubernetes(client, { now: () => new Date('2026-02-01T00:00:00Z') }),
      calls: client.calls,
    };
  } finally {
    client.close();
  }
}

describe('readClusterKubernetes', () => {
  it('a cluster read to the last page of every kind is complete, with the version and the read time', async () => {
    const { k, calls } = await read({ pageSize: 2 });
    expect(k).toMatchObject({
      status: 'complete',
      source: 'api',
      serverVersion: 'v1.34.4',
      readAt: '2026-02-01T00:00:00.000Z',
    });
    expect(k.serviceAccounts.map((s) => s.name)).toEqual(['sa-0', 'sa-1', 'sa-2']);
    expect(k.pods.map((p) => p.name)).toEqual(['pod-0', 'pod-1', 'pod-2']);
    expect(k.podIdentityWebhook).toEqual({ configured: false });
    // /version + 2 pages + 2 pages + 1 page
    expect(calls).toBe(6);
  });

  it('more objects of a kind than the bound: the kind is cut, the cluster partial (TooMany), the rest kept', async () => {
    routes['/api/v1/pods'] = paged(Array.from({ length: 9 }, (_, i) => pod(i)));
    const { k } = await read({ pageSize: 4, maxObjects: 5 });
    expect(k.status).toBe('partial');
    expect(k.errors).toEqual([expect.objectContaining({ kind: 'pods', code: 'TooMany' })]);
    expect(k.pods).toHaveLength(5);
    expect(k.serviceAccounts).toHaveLength(3);
  });

  it('a page that fails after the first (5xx past the retries): partial, with the pages read', async () => {
    routes['/api/v1/serviceaccounts'] = (url, res) =>
      url.searchParams.get('continue')
        ? json(res, 503, { message: 'etcd leader changed' })
        : paged([0, 1, 2].map(sa))(url, res);
    const { k } = await read({ pageSize: 2, retries: 1 });
    expect(k.status).toBe('partial');
    expect(k.errors).toEqual([expect.objectContaining({ kind: 'serviceaccounts', code: 'HTTP 503' })]);
    expect(k.serviceAccounts.map((s) => s.name)).toEqual(['sa-0', 'sa-1']);
  });

  it('a /version that fails with a server error does not stop the lists (the version is informational)', async () => {
    routes['/version'] = (_u, res) => json(res, 500, { message: 'boom' });
    const { k } = await read({ retries: 0 });
    expect(k.status).toBe('complete');
    expect(k.serverVersion).toBeUndefined();
  });

  it('a list that is not a list (no items) fails that kind only: partial with InvalidResponse', async () => {
    routes['/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations'] = (_u, res) =>
      json(res, 200, { kind: 'Status', message: 'proxy error page' });
    const { k } = await read();
    expect(k.status).toBe('partial');
    expect(k.errors).toEqual([
      expect.objectContaining({ kind: 'mutatingwebhookconfigurations', code: 'InvalidResponse' }),
    ]);
    expect(k.podIdentityWebhook).toBeNull();
  });

  it('every kind failing (not a connection problem) makes the cluster unreadable with each error, never a throw', async () => {
    for (const path of Object.keys(routes)) {
      if (path !== '/version')
        routes[path] = (_u, res) =>
          json(res, 404, { kind: 'Status', message: 'the server could not find the requested resource' });
    }
    const { k } = await read();
    expect(k.status).toBe('unreadable');
    expect(k.errors?.map((e) => [e.kind, e.code])).toEqual([
      ['serviceaccounts', 'NotFound'],
      ['pods', 'NotFound'],
      ['mutatingwebhookconfigurations', 'NotFound'],
    ]);
    expect(k.reason).toContain('404');
    expect(k.serviceAccounts).toEqual([]);
  });

  it('what a hostile server says is bounded to what the snapshot schema accepts', async () => {
    // Given a huge version string and 403s whose messages are thousands of control and bidi characters
    routes['/version'] = (_u, res) => json(res, 200, { gitVersion: `v1.${'9'.repeat(10_000)}` });
    for (const path of Object.keys(routes)) {
      if (path !== '/version' && path !== '/api/v1/pods') {
        routes[path] = (_u, res) => json(res, 403, { kind: 'Status', message: '\u202e\u001b[2J'.repeat(5_000) });
      }
    }
    const { k } = await read();
    expect(k.status).toBe('partial');
    expect(k.serverVersion).toHaveLength(128);
    expect(kubernetesSchemaProblems(k)).toEqual([]);
    expect(k.errors?.[0]?.message.includes('\u001b')).toBe(false);
    expect(k.errors?.[0]?.message.includes('\u202e')).toBe(false);
  });
});
