/**
 * The cluster-side rules on objects made in the real kube-apiserver (kube/local-cluster.ts), read by the view-only
 * identity with the real `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json
 * --show-managed-fields`, converted (lambdas/domain/kubernetes/kube-objects.ts) and analyzed: each rule fires on the
 * object it is about. Pods carry the `eks.amazonaws.com/skip-pod-identity-webhook` label and the variables the webhook
 * would inject, by hand, so each fault is exactly as written; one pod (`rotated-*`) is mutated by the real pod
 * identity webhook that kinfra runs, and its service account re-annotated after.
 */

import { KubeAdmin, kubeEnv, kubeRequest, uniqueNamespace } from '../../../kube/local-cluster';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../lambdas/domain/finding';
import { kubernetesSnapshotFromLists, listsFromKubectlOutput } from '../../../lambdas/domain/kubernetes/kube-objects';
import { planEstate } from '../../../lambdas/domain/plan/plan-estate';
import type { ClusterSnapshot, EstateSnapshot, KubernetesSnapshot } from '../../../lambdas/domain/snapshot';
import { GET_OBJECTS, kubectl } from '../../support/kube-shop';

const A = '111111111111';
const WEB = `arn:aws:iam::${A}:role/web`;
const OLD = `arn:aws:iam::${A}:role/web-old`;
const OTHER = `arn:aws:iam::${A}:role/other-cluster`;
const CN_ROLE = `arn:aws-cn:iam::${A}:role/cn-web`;
const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const SKIP = { 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' };
const admin = new KubeAdmin();
const ns = uniqueNamespace('cluster-rules');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const injected = (roleArn: string, extra: Array<{ name: string; value: string }> = []) => [
  { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
  { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
  { name: 'AWS_REGION', value: 'us-east-1' },
  { name: 'AWS_ROLE_ARN', value: roleArn },
  { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
  ...extra,
];
const replicaSet = (name: string) => [
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name,
    uid: `0000${name.length}-aaaa-bbbb-cccc-000000000000`,
    controller: true,
  },
];

async function seed(): Promise<void> {
  await admin.createNamespace(ns);
  const label = { labels: { app: 'x' } }; // gives the service accounts managed fields, so annotation times are kept
  // KUBE-002: a pod whose service account is deleted after it was created
  await admin.createServiceAccount(ns, 'gone', label);
  await admin.createPod(ns, { name: 'orphan-1', serviceAccountName: 'gone', labels: SKIP });
  await admin.deleteServiceAccount(ns, 'gone');
  // KUBE-003: trusted by role web, not annotated
  await admin.createServiceAccount(ns, 'plain', label);
  // IRSA-032 created before the annotation (annotated a second after the pod, with kubectl annotate's manager)
  await admin.createServiceAccount(ns, 'late', label);
  await admin.createPod(ns, {
    name: 'late-5c9d7-abcde',
    serviceAccountName: 'late',
    labels: SKIP,
    ownerReferences: replicaSet('late-5c9d7'),
  });
  // IRSA-032 role changed: the pod carries the old role
  await admin.createServiceAccount(ns, 'moved', { annotations: { 'eks.amazonaws.com/role-arn': WEB } });
  await admin.createPod(ns, {
    name: 'moved-7f8e9-xyz12',
    serviceAccountName: 'moved',
    labels: SKIP,
    ownerReferences: replicaSet('moved-7f8e9'),
    containers: [{ env: injected(OLD) }],
  });
  // IRSA-034 (cluster 1.18), IRSA-035, IRSA-041 on one well-annotated service account's pods
  await admin.createServiceAccount(ns, 'app', { annotations: { 'eks.amazonaws.com/role-arn': WEB } });
  await admin.createPod(ns, {
    name: 'nonroot-1',
    serviceAccountName: 'app',
    labels: SKIP,
    securityContext: { runAsUser: 1000 },
    containers: [{ env: injected(WEB) }],
  });
  await admin.createPod(ns, {
    name: 'keys-1',
    serviceAccountName: 'app',
    labels: SKIP,
    containers: [{ env: injected(WEB, [{ name: 'AWS_ACCESS_KEY_ID', value: 'AKIAEXAMPLE' }]) }],
  });
  await admin.createPod(ns, {
    name: 'legacy-1',
    serviceAccountName: 'app',
    labels: SKIP,
    containers: [
      { env: injected(WEB).map((e) => (e.name === 'AWS_STS_REGIONAL_ENDPOINTS' ? { ...e, value: 'legacy' } : e)) },
    ],
  });
  // IRSA-032 not mutated (the webhook is configured, the pod skipped it) / IRSA-033 when the webhook is absent
  await admin.createServiceAccount(ns, 'skipped', { annotations: { 'eks.amazonaws.com/role-arn': WEB } });
  await admin.createPod(ns, { name: 'skipped-1', serviceAccountName: 'skipped', labels: SKIP });
  // IRSA-037, IRSA-030, IRSA-031 (missing role, untrusting role), IRSA-036, PI-056, IRSA-040
  await admin.createServiceAccount(ns, 'short', { annotations: { 'eks.amazonaws.com/token-expiration': '100' } });
  await admin.createServiceAccount(ns, 'typo', {
    annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${A}\\:role/web` },
  });
  await admin.createServiceAccount(ns, 'ghost', {
    annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${A}:role/nope` },
  });
  await admin.createServiceAccount(ns, 'stranger', { annotations: { 'eks.amazonaws.com/role-arn': OTHER } });
  await admin.createServiceAccount(ns, 'aud', {
    annotations: { 'eks.amazonaws.com/role-arn': WEB, 'eks.amazonaws.com/audience': 'custom-aud' },
  });
  await admin.createServiceAccount(ns, 'dual', { annotations: { 'eks.amazonaws.com/role-arn': WEB } });
  await admin.createServiceAccount(ns, 'china', { annotations: { 'eks.amazonaws.com/role-arn': CN_ROLE } });
  await admin.createPod(ns, {
    name: 'china-1',
    serviceAccountName: 'china',
    labels: SKIP,
    containers: [
      {
        env: [
          { name: 'AWS_ROLE_ARN', value: CN_ROLE },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
          { name: 'AWS_REGION', value: 'us-east-1' },
        ],
      },
    ],
  });
  // IRSA-032 from a real mutation: the real pod identity webhook injects OLD, then the annotation moves to WEB
  await admin.createServiceAccount(ns, 'rotated', { annotations: { 'eks.amazonaws.com/role-arn': OLD } });
  await mutatedPod('rotated');
  await admin.annotateServiceAccount(ns, 'rotated', { 'eks.amazonaws.com/role-arn': WEB });
  await sleep(1100); // metav1.Time has whole seconds
  kubectl(kubeEnv().identities.admin.kubeconfig, [
    'annotate',
    '--overwrite',
    '-n',
    ns,
    'serviceaccount/late',
    `eks.amazonaws.com/role-arn=${WEB}`,
  ]);
}

/**
 * A pod of `serviceAccount` that the real webhook mutated: its service-account cache learns the annotation through a
 * watch a moment later, so a pod created too early comes out unmutated and is replaced (as kinfra's test does).
 */
async function mutatedPod(serviceAccount: string): Promise<string> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const name = `${serviceAccount}-${attempt}`;
    const pod = (await admin.createPod(ns, { name, serviceAccountName: serviceAccount })) as {
      spec?: { containers?: Array<{ env?: Array<{ name: string }> }> };
    };
    if (pod.spec?.containers?.[0]?.env?.some((e) => e.name === 'AWS_ROLE_ARN')) return name;
    await kubeRequest('admin', 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`);
    await sleep(500);
  }
  throw new Error(`the webhook did not mutate a pod of ${serviceAccount}`);
}

let captured = '';
beforeAll(async () => {
  await seed();
  captured = kubectl(kubeEnv().identities.viewer.kubeconfig, [...GET_OBJECTS, '--show-managed-fields']);
});
afterAll(() => admin.cleanup());

type Item = { metadata?: { namespace?: string; name?: string }; webhooks?: Array<{ name?: string }> };
const podIdentityHook = (item: Item) =>
  item.metadata?.name === 'pod-identity-webhook' ||
  (item.webhooks ?? []).some((w) => /iam-for-pods|pod-identity-webhook/.test(w.name ?? ''));

/**
 * The captured objects of this file's namespace (the server is shared). `withoutWebhook`: the same capture as from a
 * cluster without the pod identity webhook (its configurations left out of the listed, still complete, kind).
 */
function kubernetes(text: string, options: { withoutWebhook?: boolean } = {}): KubernetesSnapshot {
  const lists = listsFromKubectlOutput(text, 'captured.json');
  const mine = (items: readonly unknown[] | undefined) =>
    (items ?? []).filter((i) => (i as Item).metadata?.namespace === ns);
  const hooks = (lists.mutatingwebhookconfigurations ?? []).filter(
    (i) => !(options.withoutWebhook && podIdentityHook(i as Item)),
  );
  return kubernetesSnapshotFromLists(
    {
      ...lists,
      serviceaccounts: mine(lists.serviceaccounts),
      pods: mine(lists.pods),
      mutatingwebhookconfigurations: hooks,
    },
    { source: 'kube-objects' },
  );
}

function estate(k: KubernetesSnapshot, partition = 'aws'): EstateSnapshot {
  const issuer = kubeEnv().issuer;
  const hostPath = issuer.replace(/^https:\/\//, '');
  const provider = `arn:${partition}:iam::${A}:oidc-provider/${hostPath}`;
  const cluster: ClusterSnapshot = {
    name: 'local',
    region: partition === 'aws' ? 'us-east-1' : 'cn-north-1',
    status: 'ACTIVE',
    version: '1.18',
    arn: `arn:${partition}:eks:${partition === 'aws' ? 'us-east-1' : 'cn-north-1'}:${A}:cluster/local`,
    oidcIssuer: issuer,
    kubernetes: k,
  };
  const trust = (subjects: string[], federated = provider, host = hostPath) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: federated },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${host}:sub`]: subjects, [`${host}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  });
  const sub = (name: string) => `system:serviceaccount:${ns}:${name}`;
  const elsewhere = 'oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
  return {
    schemaVersion: 1,
    partition,
    accounts: [
      {
        accountId: A,
        clusters: [cluster],
        oidcProviders: [{ arn: provider, url: hostPath, clientIds: ['sts.amazonaws.com'], thumbprints: [] }],
        roles: [
          {
            arn: WEB,
            name: 'web',
            trustPolicy: trust(['plain', 'late', 'moved', 'app', 'skipped', 'aud', 'dual'].map(sub)),
          },
          { arn: OLD, name: 'web-old', trustPolicy: trust([sub('moved')]) },
          {
            arn: OTHER,
            name: 'other-cluster',
            trustPolicy: trust([sub('stranger')], `arn:aws:iam::${A}:oidc-provider/${elsewhere}`, elsewhere),
          },
          { arn: CN_ROLE, name: 'cn-web', trustPolicy: trust([sub('china')]) },
        ],
        podIdentityAssociations: [
          { cluster: 'local', region: cluster.region, namespace: ns, serviceAccount: 'dual', roleArn: WEB },
        ],
      },
    ],
  };
}

const about = (findings: readonly Finding[], ruleId: string, name: string) =>
  findings.filter(
    (f) => f.ruleId === ruleId && f.kubernetesObject?.namespace === ns && f.kubernetesObject.name === name,
  );

describe('cluster-side rules on objects read from the real API server', () => {
  it('reads the namespace completely, with annotation times', () => {
    const k = kubernetes(captured);
    expect(k.status).toBe('complete');
    expect(k.podIdentityWebhook?.configured).toBe(true);
    expect(
      k.serviceAccounts.find((s) => s.name === 'late')?.annotationTimes?.['eks.amazonaws.com/role-arn'],
    ).toBeDefined();
  });

  it('fires each rule on the object it is about', () => {
    const { findings } = analyzeEstate(estate(kubernetes(captured)));
    expect(about(findings, 'KUBE-002', 'orphan-1')).toHaveLength(1);
    expect(about(findings, 'KUBE-003', 'plain')[0]).toMatchObject({ resourceArn: WEB, severity: 'high' });
    expect(about(findings, 'IRSA-032', 'late-5c9d7-abcde')[0]?.evidence).toMatchObject({
      reason: 'created-before-annotation',
    });
    expect(about(findings, 'IRSA-032', 'moved-7f8e9-xyz12')[0]?.evidence).toMatchObject({
      reason: 'role-changed',
      podRoleArn: OLD,
    });
    expect(about(findings, 'IRSA-032', 'skipped-1')[0]?.evidence).toMatchObject({
      reason: 'not-mutated',
      webhookConfigured: true,
    });
    const rotated = findings.filter((f) => f.ruleId === 'IRSA-032' && f.kubernetesObject?.name.startsWith('rotated-'));
    expect(rotated.map((f) => f.evidence)).toEqual([
      expect.objectContaining({ reason: 'role-changed', podRoleArn: OLD, roleArn: WEB }),
    ]);
    expect(about(findings, 'IRSA-034', 'nonroot-1')).toHaveLength(1);
    expect(about(findings, 'IRSA-035', 'keys-1')[0]?.evidence).toMatchObject({
      containers: [{ name: 'app', variables: ['AWS_ACCESS_KEY_ID'] }],
    });
    expect(about(findings, 'IRSA-041', 'legacy-1')).toHaveLength(1);
    expect(about(findings, 'IRSA-037', 'short')).toHaveLength(1);
    expect(about(findings, 'IRSA-030', 'typo')).toHaveLength(1);
    expect(about(findings, 'IRSA-031', 'ghost')[0]?.evidence).toMatchObject({ roleExists: false });
    expect(about(findings, 'IRSA-031', 'stranger')[0]?.evidence).toMatchObject({
      roleExists: true,
      allowingStatement: { Effect: 'Allow' },
    });
    expect(about(findings, 'IRSA-036', 'aud')[0]?.evidence).toMatchObject({ audience: 'custom-aud' });
    expect(about(findings, 'PI-056', 'dual')).toHaveLength(1);
    expect(findings.filter((f) => f.ruleId === 'IRSA-033')).toEqual([]);
  });

  it('IRSA-033 when the cluster has no pod identity webhook', () => {
    const { findings } = analyzeEstate(estate(kubernetes(captured, { withoutWebhook: true })));
    const [f] = findings.filter((x) => x.ruleId === 'IRSA-033');
    expect(f?.severity).toBe('critical');
    expect(f?.evidence).toMatchObject({ serviceAccounts: expect.arrayContaining([`${ns}/skipped`]) });
  });

  it('IRSA-040 in a China estate', () => {
    const { findings } = analyzeEstate(estate(kubernetes(captured), 'aws-cn'));
    expect(about(findings, 'IRSA-040', 'china-1')[0]?.evidence).toMatchObject({ partition: 'aws-cn' });
  });

  it('plans cluster-side fixes as propose-only kubectl commands', () => {
    const { plans } = planEstate(estate(kubernetes(captured)));
    const restart = plans.find(
      (p) => p.action === 'update-service-account' && p.rationale.includes(`deployment/moved -n ${ns}`),
    );
    expect(restart).toMatchObject({ applicable: false, requiresApproval: true });
    expect(
      plans.some((p) =>
        p.rationale.includes(
          `kubectl annotate serviceaccount -n ${ns} plain eks.amazonaws.com/role-arn=${WEB} --overwrite`,
        ),
      ),
    ).toBe(true);
  });

  it('an identity that may list nothing gives an unreadable cluster and no finding about Kubernetes objects', () => {
    let out = '';
    try {
      out = kubectl(kubeEnv().identities.nobody.kubeconfig, [...GET_OBJECTS]);
    } catch (err) {
      out = (err as { stdout?: string }).stdout ?? '';
    }
    const k = kubernetesSnapshotFromLists(listsFromKubectlOutput(out || '{"kind":"List","items":[]}', 'nobody.json'), {
      source: 'kube-objects',
    });
    expect(k.status).toBe('unreadable');
    const { findings } = analyzeEstate(estate(k));
    expect(findings.filter((f) => f.kubernetesObject)).toEqual([]);
  });
});
