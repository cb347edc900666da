/**
 * readClusterKubernetes against the real kube-apiserver: complete as a view-only identity, partial when RBAC denies
 * one kind, unreadable (with reason and fix) when nothing can be read: 403 on all, wrong CA, no server.
 */
import { type AddressInfo, createServer } from 'node:net';
import {
  KubeAdmin,
  type KubeIdentityName,
  kubeEnv,
  kubeRequest,
  uniqueNamespace,
} from '../../../../kube/local-cluster';
import { KubeApiClient } from '../../../../lambdas/adapters/kubernetes/kube-api-client';
import { type KubeClusterAccess, loadKubeconfig } from '../../../../lambdas/adapters/kubernetes/kubeconfig';
import { readClusterKubernetes } from '../../../../lambdas/adapters/kubernetes/read-cluster';
import type { KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';
import { generateChain } from '../../../support/cert-chain';

const admin = new KubeAdmin();
const ns = uniqueNamespace('kapi-read');
const ROLE = 'arn:aws:iam::111122223333:role/app';
const partialRole = `irsa-doctor-test-${ns}`;

const access = (identity: KubeIdentityName): KubeClusterAccess =>
  loadKubeconfig(kubeEnv().identities[identity].kubeconfig).context();

async function read(target: KubeClusterAccess, identity = 'test'): Promise<{ k: KubernetesSnapshot; calls: number }> {
  const client = new KubeApiClient(target, { timeoutMs: 10_000, retries: 0 });
  try {
    const k = await readClusterKubernetes(client, { identity });
    return { k, calls: client.calls };
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  await admin.createNamespace(ns);
  await admin.createServiceAccount(ns, 'app', { annotations: { 'eks.amazonaws.com/role-arn': ROLE } });
  await admin.createPod(ns, {
    name: 'app-1',
    serviceAccountName: 'app',
    containers: [{ name: 'app', env: [{ name: 'AWS_ROLE_ARN', value: ROLE }] }],
  });
  // An identity that may list service accounts and pods but not webhook configurations: a service account of the
  // test namespace bound to a ClusterRole with just those two.
  await admin.createServiceAccount(ns, 'half-reader');
  await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: partialRole },
    rules: [{ apiGroups: [''], resources: ['serviceaccounts', 'pods'], verbs: ['get', 'list'] }],
  });
  await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: partialRole },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: partialRole },
    subjects: [{ kind: 'ServiceAccount', name: 'half-reader', namespace: ns }],
  });
});

afterAll(async () => {
  for (const kind of ['clusterrolebindings', 'clusterroles']) {
    await kubeRequest('admin', 'DELETE', `/apis/rbac.authorization.k8s.io/v1/${kind}/${partialRole}`);
  }
  await admin.cleanup();
});

describe('readClusterKubernetes against kube-apiserver', () => {
  it('the view-only identity reads the cluster complete: service accounts, pods, webhook state, version', async () => {
    const { k, calls } = await read(access('viewer'));
    expect(k.status).toBe('complete');
    expect(k.source).toBe('api');
    expect(k.serverVersion).toBe(kubeEnv().version);
    expect(k.errors ?? []).toEqual([]);
    expect(k.serviceAccounts.find((s) => s.namespace === ns && s.name === 'app')?.annotations).toEqual({
      'eks.amazonaws.com/role-arn': ROLE,
    });
    const pod = k.pods.find((p) => p.namespace === ns && p.name === 'app-1');
    expect(pod?.serviceAccountName).toBe('app');
    expect(pod?.containers[0]?.awsEnv.AWS_ROLE_ARN).toBe(ROLE);
    expect(k.podIdentityWebhook).not.toBeNull();
    // /version plus one page per kind (a few hundred objects at most on the test server)
    expect(calls).toBe(4);
  });

  it('403 on one kind makes the cluster partial, with that error and a fix naming view access', async () => {
    const token = await admin.create(`/api/v1/namespaces/${ns}/serviceaccounts/half-reader/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
    const bearer = (token.status as { token: string }).token;
    const { k } = await read({ ...access('viewer'), auth: { token: bearer } }, 'half-reader');
    expect(k.status).toBe('partial');
    expect(k.errors).toEqual([expect.objectContaining({ kind: 'mutatingwebhookconfigurations', code: 'Forbidden' })]);
    expect(k.errors?.[0]?.message).toContain('may not list mutatingwebhookconfigurations.admissionregistration.k8s.io');
    expect(k.fix).toContain('AmazonEKSViewPolicy');
    expect(k.fix).toContain('(half-reader)');
    expect(k.podIdentityWebhook).toBeNull();
    expect(k.serviceAccounts.some((s) => s.namespace === ns && s.name === 'app')).toBe(true);
  });

  it('the nobody identity (403 on every kind) gives an unreadable cluster with the 403 reason and the fix', async () => {
    const { k } = await read(access('nobody'), 'context nobody');
    expect(k.status).toBe('unreadable');
    expect(k.reason).toContain('403 Forbidden');
    expect(k.fix).toContain('access entry with the AmazonEKSViewPolicy');
    expect(k.errors?.map((e) => [e.kind, e.code])).toEqual([
      ['serviceaccounts', 'Forbidden'],
      ['pods', 'Forbidden'],
      ['mutatingwebhookconfigurations', 'Forbidden'],
    ]);
    expect(k.serviceAccounts).toEqual([]);
    expect(k.pods).toEqual([]);
    expect(k.podIdentityWebhook).toBeNull();
  });

  it('a wrong CA gives an unreadable cluster with the TLS reason, after one call', async () => {
    const wrong = await generateChain(2, 'wrong CA');
    const { k, calls } = await read({ ...access('viewer'), ca: wrong.root.pem });
    expect(k.status).toBe('unreadable');
    expect(k.errors?.[0]).toMatchObject({ kind: 'connection', code: 'TlsVerification' });
    expect(k.reason).toContain('certificate did not verify');
    expect(k.fix).toContain('certificate-authority-data');
    expect(calls).toBe(1);
  });

  it('an unreachable port gives an unreadable cluster naming the endpoint and a network fix', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const { k } = await read({ ...access('viewer'), server: `https://127.0.0.1:${port}` });
    expect(k.status).toBe('unreadable');
    expect(k.errors?.[0]).toMatchObject({ kind: 'connection', code: 'Unreachable' });
    expect(k.reason).toContain(`127.0.0.1:${port}`);
    expect(k.fix).toContain(`network path from here to 127.0.0.1:${port}`);
  });

  it('an unknown token gives an unreadable cluster (401) whose fix is an access entry', async () => {
    const { k } = await read({ ...access('viewer'), auth: { token: 'nope' } });
    expect(k.status).toBe('unreadable');
    expect(k.errors?.[0]).toMatchObject({ kind: 'connection', code: 'Unauthorized' });
    expect(k.fix).toContain('create an access entry');
  });
});
