/**
 * Kubernetes calls per cluster: a real kube-apiserver (scripts/kube.sh) is seeded with N service accounts and M pods,
 * read as the view-only identity exactly as `scan --kubeconfig` reads a cluster (readClusterKubernetes), and the HTTP
 * calls are compared with the lower bound: /version plus one list call per kind per page.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { kube, kubeEnv } from '../kube/local-cluster';
import { KubeApiClient } from '../lambdas/adapters/kubernetes/kube-api-client';
import { loadKubeconfig } from '../lambdas/adapters/kubernetes/kubeconfig';
import { readClusterKubernetes } from '../lambdas/adapters/kubernetes/read-cluster';
import { KUBERNETES_KINDS } from '../lambdas/domain/snapshot';
import { mapLimit } from '../lambdas/shared/concurrency';

export interface KubeBenchShape {
  readonly serviceAccounts: number;
  readonly pods: number;
  readonly namespaces: number;
  readonly pageSize: number;
}

export interface KubeBenchResult {
  readonly shape: KubeBenchShape;
  readonly seedSeconds: number;
  readonly readSeconds: number;
  /** Objects the read returned per kind (the server's own objects included). */
  readonly objects: Record<string, number>;
  readonly status: string;
  readonly calls: number;
  readonly lowerBound: number;
  readonly serverVersion?: string;
}

/** POSTs `objects` as the admin identity, 16 at a time over kept-alive connections. */
async function createAll(objects: readonly { path: string; body: unknown }[]): Promise<void> {
  const env = kubeEnv();
  const server = new URL(env.server);
  const ca = readFileSync(env.caFile);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    await mapLimit(objects, 16, (o) => post(server, ca, agent, env.identities.admin.token, o.path, o.body));
  } finally {
    agent.destroy();
  }
}

function post(server: URL, ca: Buffer, agent: Agent, token: string, path: string, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: server.hostname,
        port: server.port,
        method: 'POST',
        path,
        ca,
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        let answer = '';
        res.on('data', (c) => {
          answer += c;
        });
        res.on('end', () =>
          res.statusCode === 201 || res.statusCode === 409
            ? resolve()
            : reject(new Error(`POST ${path}: ${res.statusCode} ${answer.slice(0, 300)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function seedObjects(shape: KubeBenchShape): { path: string; body: unknown }[][] {
  const namespaces = Array.from({ length: shape.namespaces }, (_, i) => `bench-${i}`);
  const accounts = Array.from({ length: shape.serviceAccounts }, (_, i) => ({
    namespace: namespaces[i % namespaces.length] as string,
    name: `sa-${i}`,
  }));
  const role = (i: number) => `arn:aws:iam::111122223333:role/bench-${i}`;
  return [
    namespaces.map((name) => ({
      path: '/api/v1/namespaces',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    })),
    accounts.map((a, i) => ({
      path: `/api/v1/namespaces/${a.namespace}/serviceaccounts`,
      body: {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: a.name, namespace: a.namespace, annotations: { 'eks.amazonaws.com/role-arn': role(i) } },
      },
    })),
    Array.from({ length: shape.pods }, (_, i) => {
      const a = accounts[i % accounts.length] ?? { namespace: 'default', name: 'default' };
      return {
        path: `/api/v1/namespaces/${a.namespace}/pods`,
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, namespace: a.namespace },
          spec: {
            serviceAccountName: a.name,
            containers: [
              {
                name: 'app',
                image: 'public.ecr.aws/docker/library/busybox:stable',
                env: [
                  { name: 'AWS_ROLE_ARN', value: role(i % accounts.length) },
                  {
                    name: 'AWS_WEB_IDENTITY_TOKEN_FILE',
                    value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
                  },
                ],
              },
            ],
          },
        },
      };
    }),
  ];
}

/** Starts a fresh local API server, seeds it, reads it once as the viewer, stops it. */
export async function runKubeBench(shape: KubeBenchShape, say: (line: string) => void): Promise<KubeBenchResult> {
  kube('install');
  kube('stop');
  kube('start');
  try {
    say(
      `kube: seeding ${shape.serviceAccounts} service accounts and ${shape.pods} pods in ${shape.namespaces} namespaces...`,
    );
    const seeded = Date.now();
    for (const batch of seedObjects(shape)) await createAll(batch);
    const seedSeconds = (Date.now() - seeded) / 1000;

    const context = loadKubeconfig(kubeEnv().identities.viewer.kubeconfig).context();
    const client = new KubeApiClient(context, { pageSize: shape.pageSize });
    const started = process.hrtime.bigint();
    let k: Awaited<ReturnType<typeof readClusterKubernetes>>;
    try {
      k = await readClusterKubernetes(client);
    } finally {
      client.close();
    }
    const readSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const objects = {
      serviceaccounts: k.serviceAccounts.length,
      pods: k.pods.length,
      // The bench seeds none: the server's own count (the lower bound still needs one call for it)
      mutatingwebhookconfigurations: 0,
    };
    const lowerBound =
      1 + KUBERNETES_KINDS.reduce((n, kind) => n + Math.max(1, Math.ceil(objects[kind] / shape.pageSize)), 0);
    return {
      shape,
      seedSeconds,
      readSeconds,
      objects,
      status: k.status,
      calls: client.calls,
      lowerBound,
      ...(k.serverVersion ? { serverVersion: k.serverVersion } : {}),
    };
  } finally {
    kube('stop');
  }
}
