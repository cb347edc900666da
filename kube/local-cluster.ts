/**
 * The local Kubernetes API server for the integration tests, the bench and the demo: a real kube-apiserver v1.34.4
 * with etcd, started by scripts/kube.sh (the jest integ global setup starts it beside the AWS emulator). RBAC is on; the identities are
 *   admin  (system:masters)  creates and deletes test objects through the helpers below;
 *   viewer (ClusterRole irsa-doctor-view) get/list/watch on serviceaccounts, pods, mutatingwebhookconfigurations;
 *          403 on everything else (secrets, TokenRequest);
 *   prober (ClusterRole irsa-doctor-probe) get on serviceaccounts, create on serviceaccounts/token;
 *   nobody (no bindings) 403 on every resource.
 * Service-account tokens are RS256 with an EKS-style issuer (env.json `issuer`) and the audiences
 * `https://kubernetes.default.svc` and `sts.amazonaws.com`. The real EKS pod identity webhook runs beside it, registered
 * as the MutatingWebhookConfiguration `pod-identity-webhook` as on EKS: a pod created after its service account carries
 * `eks.amazonaws.com/role-arn` gets AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_STS_REGIONAL_ENDPOINTS, AWS_REGION,
 * AWS_DEFAULT_REGION (us-east-1) and the projected `aws-iam-token` volume; a pod labelled
 * `eks.amazonaws.com/skip-pod-identity-webhook` is left alone. No controller manager, scheduler or kubelet runs: pods stay
 * Pending (their spec is what the rules read), namespaces get no `default` service account unless createNamespace makes
 * one, and a deleted namespace is finalized by the helper itself.
 *
 * The server is shared by every test file of a run, and files may run in parallel: create objects in namespaces from
 * `uniqueNamespace()`, delete them with `cleanup()` in afterAll, and filter cluster-wide lists to your namespaces.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

const root = join(__dirname, '..');
const script = join(root, 'scripts', 'kube.sh');
export const kubeEnvFile = join(root, '.tmp', 'kube', 'env.json');

/** Label on every namespace and cluster-scoped object the helpers create, so leftovers can be found. */
export const TEST_LABEL = 'irsa-doctor.test/owned';

export type KubeIdentityName = 'admin' | 'viewer' | 'prober' | 'nobody';

export interface KubeIdentity {
  readonly user: string;
  readonly token: string;
  /** A kubeconfig with the server, the CA data and this identity's token (one context, current). */
  readonly kubeconfig: string;
}

/** `.tmp/kube/env.json`, written by `scripts/kube.sh start`. */
export interface KubeEnv {
  readonly server: string;
  readonly caFile: string;
  readonly version: string;
  readonly issuer: string;
  readonly apiAudiences: readonly string[];
  readonly serviceClusterIpRange: string;
  readonly serviceAccountPublicKeyFile: string;
  /** The cluster name in the kubeconfigs. */
  readonly cluster: string;
  readonly identities: Readonly<Record<KubeIdentityName, KubeIdentity>>;
  /** One kubeconfig with a context per identity (`<cluster>-<identity>`), current context the viewer. */
  readonly kubeconfig: string;
  readonly roles: { readonly viewer: string; readonly prober: string };
  /** null when started with IRSA_DOCTOR_KUBE_WEBHOOK=off. */
  readonly podIdentityWebhook: {
    readonly version: string;
    /** https://127.0.0.1:PORT (the configuration calls PORT/mutate). */
    readonly url: string;
    /** The MutatingWebhookConfiguration's name. */
    readonly configuration: string;
    readonly region: string;
    readonly user: string;
    readonly kubeconfig: string;
  } | null;
  readonly pids: { readonly etcd: number; readonly apiserver: number; readonly podIdentityWebhook?: number };
  readonly logs: { readonly etcd: string; readonly apiserver: string; readonly podIdentityWebhook?: string };
}

export function kube(command: 'install' | 'start' | 'stop'): string {
  return execFileSync('sh', [script, command], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

let cached: { text: string; env: KubeEnv } | undefined;

export function kubeEnv(): KubeEnv {
  let text: string;
  try {
    text = readFileSync(kubeEnvFile, 'utf8');
  } catch {
    throw new Error(`no ${kubeEnvFile}: the integ global setup starts the server (scripts/kube.sh start)`);
  }
  if (cached?.text !== text) cached = { text, env: JSON.parse(text) as KubeEnv };
  return cached.env;
}

export interface KubeResponse {
  readonly status: number;
  readonly text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  readonly body: unknown;
}

export interface KubeRequestOptions {
  readonly body?: unknown;
  /** Defaults to application/json when there is a body. */
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

/** One HTTPS request as `identity` (a name from env.json or a raw bearer token), verifying TLS with the local CA. */
export function kubeRequest(
  identity: KubeIdentityName | { readonly token: string },
  method: string,
  path: string,
  options: KubeRequestOptions = {},
): Promise<KubeResponse> {
  const env = kubeEnv();
  const token = typeof identity === 'string' ? env.identities[identity].token : identity.token;
  const server = new URL(env.server);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: server.hostname,
        port: server.port,
        method,
        path,
        ca: readFileSync(env.caFile),
        agent: false,
        timeout: options.timeoutMs ?? 30000,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A Kubernetes object as JSON (the helpers fill apiVersion, kind and metadata). */
export type KubeObject = Record<string, unknown> & { metadata?: Record<string, unknown> };

export interface ContainerInput {
  readonly name?: string;
  readonly image?: string;
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
  readonly securityContext?: Record<string, unknown>;
}

export interface PodInput {
  readonly name: string;
  readonly serviceAccountName?: string;
  /** Defaults to one container `app` (busybox image; nothing runs it). */
  readonly containers?: readonly ContainerInput[];
  readonly volumes?: readonly Record<string, unknown>[];
  readonly securityContext?: Record<string, unknown>;
  readonly hostNetwork?: boolean;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly ownerReferences?: readonly Record<string, unknown>[];
  /** Extra pod spec fields, merged last. */
  readonly spec?: Record<string, unknown>;
}

export interface ServiceAccountInput {
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  /** The field manager recorded in metadata.managedFields (default `irsa-doctor-test`). */
  readonly fieldManager?: string;
}

/** The object's JSON, or a thrown error naming the request and the server's answer. */
function expectStatus(res: KubeResponse, ok: readonly number[], what: string): KubeObject {
  if (!ok.includes(res.status)) {
    const message = (res.body as { message?: unknown } | undefined)?.message;
    throw new Error(`${what}: HTTP ${res.status} ${typeof message === 'string' ? message : res.text.slice(0, 500)}`);
  }
  return (res.body ?? {}) as KubeObject;
}

const enc = encodeURIComponent;

/** A namespace name unique to this run: `<prefix>-<8 hex>`, prefix cut to keep it a valid DNS label. */
export function uniqueNamespace(prefix: string): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return `${clean || 'test'}-${randomBytes(4).toString('hex')}`;
}

/** Namespaced kinds emptied before a test namespace is deleted (no namespace controller runs to do it). */
const NAMESPACED_COLLECTIONS = [
  '/api/v1/namespaces/NS/pods',
  '/api/v1/namespaces/NS/serviceaccounts',
  '/api/v1/namespaces/NS/secrets',
  '/api/v1/namespaces/NS/configmaps',
  '/apis/apps/v1/namespaces/NS/deployments',
  '/apis/apps/v1/namespaces/NS/replicasets',
  '/apis/apps/v1/namespaces/NS/statefulsets',
  '/apis/apps/v1/namespaces/NS/daemonsets',
  '/apis/batch/v1/namespaces/NS/jobs',
  '/apis/batch/v1/namespaces/NS/cronjobs',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
];

const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

/** Creates test objects as the admin identity and remembers them for cleanup(). */
export class KubeAdmin {
  private readonly namespaces = new Set<string>();
  private readonly webhookConfigs = new Set<string>();

  async create(path: string, object: KubeObject, fieldManager = 'irsa-doctor-test'): Promise<KubeObject> {
    const res = await kubeRequest('admin', 'POST', `${path}?fieldManager=${enc(fieldManager)}`, { body: object });
    return expectStatus(res, [201], `POST ${path}`);
  }

  async get(path: string): Promise<KubeObject> {
    return expectStatus(await kubeRequest('admin', 'GET', path), [200], `GET ${path}`);
  }

  /** A namespace labelled as a test namespace, with a `default` service account (the controller manager's job). */
  async createNamespace(name: string, options: { readonly defaultServiceAccount?: boolean } = {}): Promise<string> {
    await this.create('/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { [TEST_LABEL]: 'true' } },
    });
    this.namespaces.add(name);
    if (options.defaultServiceAccount ?? true) await this.createServiceAccount(name, 'default');
    return name;
  }

  async createServiceAccount(namespace: string, name: string, input: ServiceAccountInput = {}): Promise<KubeObject> {
    const metadata: Record<string, unknown> = { name, namespace };
    if (input.annotations) metadata.annotations = input.annotations;
    if (input.labels) metadata.labels = input.labels;
    return this.create(
      `/api/v1/namespaces/${enc(namespace)}/serviceaccounts`,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
      input.fieldManager,
    );
  }

  /**
   * Sets (or, with null, removes) annotations with a merge patch under `fieldManager`, as `kubectl annotate` does
   * (manager `kubectl-annotate`). The API server records the time in metadata.managedFields only when the object
   * already had managed fields: a service account created with nothing but a name has none, and updates to it are
   * then not tracked either (the same on EKS). Create it with an annotation or a label first.
   */
  async annotateServiceAccount(
    namespace: string,
    name: string,
    annotations: Record<string, string | null>,
    fieldManager = 'kubectl-annotate',
  ): Promise<KubeObject> {
    const path = `/api/v1/namespaces/${enc(namespace)}/serviceaccounts/${enc(name)}`;
    const res = await kubeRequest('admin', 'PATCH', `${path}?fieldManager=${enc(fieldManager)}`, {
      body: { metadata: { annotations } },
      contentType: 'application/merge-patch+json',
    });
    return expectStatus(res, [200], `PATCH ${path}`);
  }

  async deleteServiceAccount(namespace: string, name: string): Promise<void> {
    const path = `/api/v1/namespaces/${enc(namespace)}/serviceaccounts/${enc(name)}`;
    expectStatus(await kubeRequest('admin', 'DELETE', path), [200, 202, 404], `DELETE ${path}`);
  }

  /** A pod (it stays Pending: no scheduler or kubelet). The ServiceAccount admission plugin rejects a pod whose
   * service account does not exist, as on EKS: to show a missing one, create the pod and delete the account. */
  async createPod(namespace: string, input: PodInput): Promise<KubeObject> {
    const containers = (input.containers ?? [{}]).map((container, index) => ({
      name: container.name ?? (index === 0 ? 'app' : `app-${index}`),
      image: container.image ?? 'public.ecr.aws/docker/library/busybox:stable',
      ...(container.env ? { env: container.env } : {}),
      ...(container.volumeMounts ? { volumeMounts: container.volumeMounts } : {}),
      ...(container.securityContext ? { securityContext: container.securityContext } : {}),
    }));
    const metadata: Record<string, unknown> = { name: input.name, namespace };
    if (input.labels) metadata.labels = input.labels;
    if (input.annotations) metadata.annotations = input.annotations;
    if (input.ownerReferences) metadata.ownerReferences = input.ownerReferences;
    const spec: Record<string, unknown> = {
      containers,
      ...(input.serviceAccountName ? { serviceAccountName: input.serviceAccountName } : {}),
      ...(input.volumes ? { volumes: input.volumes } : {}),
      ...(input.securityContext ? { securityContext: input.securityContext } : {}),
      ...(input.hostNetwork === undefined ? {} : { hostNetwork: input.hostNetwork }),
      ...input.spec,
    };
    return this.create(`/api/v1/namespaces/${enc(namespace)}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata, spec });
  }

  /** A MutatingWebhookConfiguration (cluster-scoped: it affects every test file; cleanup() deletes it). */
  async createMutatingWebhookConfiguration(
    name: string,
    webhooks: readonly Record<string, unknown>[],
  ): Promise<KubeObject> {
    const created = await this.create(WEBHOOKS, {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name, labels: { [TEST_LABEL]: 'true' } },
      webhooks,
    });
    this.webhookConfigs.add(name);
    return created;
  }

  /**
   * Removes the pod identity webhook's MutatingWebhookConfiguration and returns a function that puts it back (for a
   * cluster "without the webhook"). It is cluster-wide: every test file running meanwhile sees no webhook either.
   */
  async suspendPodIdentityWebhook(): Promise<() => Promise<void>> {
    const name = kubeEnv().podIdentityWebhook?.configuration ?? 'pod-identity-webhook';
    const path = `${WEBHOOKS}/${enc(name)}`;
    const saved = await this.get(path);
    expectStatus(await kubeRequest('admin', 'DELETE', path), [200], `DELETE ${path}`);
    const { name: savedName, labels, annotations } = (saved.metadata ?? {}) as Record<string, unknown>;
    const restored = { ...saved, metadata: { name: savedName, labels, annotations } };
    return async () => {
      expectStatus(await kubeRequest('admin', 'POST', WEBHOOKS, { body: restored }), [201, 409], `POST ${WEBHOOKS}`);
    };
  }

  /** Empties and deletes a namespace, then finalizes it (no namespace controller runs to do that). */
  async deleteNamespace(name: string): Promise<void> {
    for (const collection of NAMESPACED_COLLECTIONS) {
      const path = collection.replace('NS', enc(name));
      const res = await kubeRequest('admin', 'DELETE', `${path}?gracePeriodSeconds=0`);
      expectStatus(res, [200, 404], `DELETE ${path}`);
    }
    const path = `/api/v1/namespaces/${enc(name)}`;
    const deleted = await kubeRequest('admin', 'DELETE', path);
    if (deleted.status === 404) return;
    expectStatus(deleted, [200, 202], `DELETE ${path}`);
    const finalize = await kubeRequest('admin', 'PUT', `${path}/finalize`, {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: [] } },
    });
    expectStatus(finalize, [200, 404, 409], `PUT ${path}/finalize`);
    this.namespaces.delete(name);
  }

  /** Deletes what this instance created (for afterAll). */
  async cleanup(): Promise<void> {
    for (const name of [...this.namespaces]) await this.deleteNamespace(name);
    for (const name of [...this.webhookConfigs]) {
      const path = `${WEBHOOKS}/${enc(name)}`;
      expectStatus(await kubeRequest('admin', 'DELETE', path), [200, 404], `DELETE ${path}`);
      this.webhookConfigs.delete(name);
    }
  }

  /** Deletes every labelled test namespace and webhook configuration, also those of other files: only when alone. */
  async resetAll(): Promise<void> {
    const selector = `labelSelector=${enc(`${TEST_LABEL}=true`)}`;
    const namespaces = await this.get(`/api/v1/namespaces?${selector}`);
    for (const item of (namespaces.items as KubeObject[] | undefined) ?? []) {
      await this.deleteNamespace(String(item.metadata?.name));
    }
    const path = `${WEBHOOKS}?${selector}`;
    expectStatus(await kubeRequest('admin', 'DELETE', path), [200], `DELETE ${path}`);
    this.webhookConfigs.clear();
  }
}

/** The payload of a JWT (no signature check: the tests compare claims). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
