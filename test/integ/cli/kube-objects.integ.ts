/**
 * `irsa-doctor analyze|plan --kube-objects` on what the real kubectl printed from the real kube-apiserver: objects
 * created with the API (test/support/kube-shop.ts), read by the view-only identity (which gets 403 on secrets) with
 * `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json --show-managed-fields`, passed through the
 * CLI. The merged snapshot holds exactly those objects, converted; an identity that may list nothing gives an
 * unreadable cluster and no finding about Kubernetes objects.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withKubeObjects } from '../../../cli/kube-objects-input';
import { main } from '../../../cli/main';
import { KubeAdmin, kubeEnv, uniqueNamespace } from '../../../kube/local-cluster';
import type { EstateSnapshot, KubernetesSnapshot } from '../../../lambdas/domain/snapshot';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';
import {
  eksWebhook,
  GET_OBJECTS,
  kubectl,
  NEW_ROLE_ARN,
  OLD_ROLE_ARN,
  SECRET_VALUE,
  seedShop,
  TOKEN_FILE,
  WEB_POD,
} from '../../support/kube-shop';

const ESTATE = 'examples/estate.json';
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kube-objects-integ-'));
const admin = new KubeAdmin();
const namespace = uniqueNamespace('kube-objects');
const webhookName = uniqueNamespace('irsa-doctor-pod-identity');
let withFields: string;
let withoutFields: string;
let forbidden: string;

beforeAll(async () => {
  const env = kubeEnv();
  await seedShop(admin, namespace, env.identities.admin.kubeconfig);
  await admin.createMutatingWebhookConfiguration(webhookName, [eksWebhook(true)]);
  const viewer = env.identities.viewer.kubeconfig;
  withFields = join(dir, 'with-fields.json');
  writeFileSync(withFields, kubectl(viewer, [...GET_OBJECTS, '--show-managed-fields']));
  withoutFields = join(dir, 'without-fields.json');
  writeFileSync(withoutFields, kubectl(viewer, GET_OBJECTS));
  forbidden = join(dir, 'forbidden.json');
  try {
    kubectl(env.identities.nobody.kubeconfig, GET_OBJECTS);
  } catch (err) {
    writeFileSync(forbidden, (err as { stdout?: string }).stdout ?? '');
  }
});

afterAll(() => admin.cleanup());

const estate = (): EstateSnapshot => parseSnapshot(JSON.parse(readFileSync(ESTATE, 'utf8')));

/** The cluster's kubernetes, narrowed to this file's namespace (the server is shared with other test files). */
async function merged(file: string): Promise<KubernetesSnapshot | undefined> {
  const snapshot = await withKubeObjects(estate(), [`prod@us-west-2=${file}`]);
  const kubernetes = snapshot.accounts[0]?.clusters.find((c) => c.name === 'prod')?.kubernetes;
  return (
    kubernetes && {
      ...kubernetes,
      serviceAccounts: kubernetes.serviceAccounts.filter((s) => s.namespace === namespace),
      pods: kubernetes.pods.filter((p) => p.namespace === namespace),
    }
  );
}

describe('--kube-objects with kubectl output from the real API server', () => {
  it('the view-only identity that made the file cannot read secrets', () => {
    expect(() => kubectl(kubeEnv().identities.viewer.kubeconfig, ['get', 'secrets', '-n', namespace])).toThrow(
      /Forbidden/,
    );
    expect(readFileSync(withFields, 'utf8')).toContain(SECRET_VALUE); // in the pod spec kubectl printed
  });

  it.each(['analyze', 'plan'])('%s runs on the merged snapshot', async (command) => {
    const { io, out, err } = captureIo();
    const code = await main(
      [command, '--snapshot', ESTATE, '--output', 'json', '--kube-objects', `prod@us-west-2=${withFields}`],
      io,
    );
    expect(err()).toBe('');
    expect(code).toBe(0);
    expect(out()).not.toContain(SECRET_VALUE);
  });

  it('gives the expected KubernetesSnapshot for the objects created', async () => {
    const kubernetes = await merged(withFields);
    expect(kubernetes?.status).toBe('complete');
    expect(kubernetes?.source).toBe('kube-objects');
    expect(kubernetes?.podIdentityWebhook?.configured).toBe(true);
    expect(kubernetes?.serviceAccounts.map((s) => [s.name, s.annotations])).toEqual([
      ['batch', {}],
      ['default', {}],
      ['legacy', { 'eks.amazonaws.com/audience': 'sts.amazonaws.com', 'eks.amazonaws.com/token-expiration': '3600' }],
      ['web', { 'eks.amazonaws.com/role-arn': NEW_ROLE_ARN, 'eks.amazonaws.com/sts-regional-endpoints': 'true' }],
    ]);
    const web = kubernetes?.serviceAccounts.find((s) => s.name === 'web');
    const pod = kubernetes?.pods.find((p) => p.name === WEB_POD);
    const setAt = web?.annotationTimes?.['eks.amazonaws.com/role-arn'];
    expect(Date.parse(setAt ?? '')).toBeGreaterThan(Date.parse(pod?.createdAt ?? ''));
    expect(kubernetes?.pods.map((p) => [p.name, p.serviceAccountName, p.hostNetwork ?? false])).toEqual([
      ['batch-28f9c-7xq2z', 'batch', true],
      ['legacy-0', 'legacy', false],
      ['no-sa', 'default', false],
      [WEB_POD, 'web', false],
    ]);
    expect(pod).toMatchObject({
      owner: { kind: 'ReplicaSet', name: 'web-6f7d8c9b5' },
      phase: 'Pending',
      securityContext: { runAsUser: 1000, fsGroup: 2000 },
      tokenVolume: { name: 'aws-iam-token', audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' },
      containers: [
        {
          name: 'web',
          awsEnv: {
            AWS_STS_REGIONAL_ENDPOINTS: 'regional',
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_REGION: 'us-east-1',
            AWS_ROLE_ARN: OLD_ROLE_ARN,
            AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE,
          },
          mountsToken: true,
        },
        { name: 'migrate', init: true, awsEnv: {}, credentialEnv: ['AWS_ACCESS_KEY_ID'], mountsToken: false },
      ],
    });
    expect(JSON.stringify(kubernetes)).not.toContain(SECRET_VALUE);
  });

  it('without --show-managed-fields: the same objects, no annotation times', async () => {
    const kubernetes = await merged(withoutFields);
    const full = await merged(withFields);
    expect(kubernetes?.status).toBe('complete');
    expect(kubernetes?.serviceAccounts).toEqual(full?.serviceAccounts.map(({ annotationTimes: _, ...rest }) => rest));
    expect(kubernetes?.pods).toEqual(full?.pods);
  });

  it('as an identity that may list nothing: the cluster is unreadable and no finding names one of its objects', async () => {
    const kubernetes = await merged(forbidden);
    expect(kubernetes).toMatchObject({ status: 'unreadable', serviceAccounts: [], pods: [], podIdentityWebhook: null });
    const { io, out } = captureIo();
    expect(
      await main(
        ['analyze', '--snapshot', ESTATE, '--output', 'json', '--kube-objects', `prod@us-west-2=${forbidden}`],
        io,
      ),
    ).toBe(0);
    // Nothing was read, so nothing about a service account, pod or webhook can be concluded (a finding that says the
    // cluster itself could not be read is fine).
    type Reported = { cluster?: string; kubernetesObject?: { kind: string } };
    const findings = (JSON.parse(out()) as { findings: Reported[] }).findings;
    expect(
      findings.filter((f) => f.cluster === 'prod' && f.kubernetesObject && f.kubernetesObject.kind !== 'Cluster'),
    ).toEqual([]);
  });
});
