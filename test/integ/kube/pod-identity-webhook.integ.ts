/**
 * The real EKS pod identity webhook (github.com/aws/amazon-eks-pod-identity-webhook, built and started by
 * scripts/kube.sh, registered as EKS registers it) mutates pods in the local kube-apiserver as on EKS.
 * Run: npx jest -c jest.integ.config.js test/integ/kube/pod-identity-webhook.integ.ts
 */
import { KubeAdmin, type KubeObject, kubeEnv, kubeRequest, uniqueNamespace } from '../../../kube/local-cluster';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/kinfra-webhook';
const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
const admin = new KubeAdmin();
const namespace = uniqueNamespace('kinfra-webhook');

interface Pod {
  metadata: { name: string };
  spec: {
    containers: { env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] }[];
    volumes?: { name: string; projected?: { sources: { serviceAccountToken?: Record<string, unknown> }[] } }[];
  };
}

function awsEnv(pod: KubeObject): Record<string, string | undefined> {
  const env = (pod as unknown as Pod).spec.containers[0]?.env ?? [];
  return Object.fromEntries(env.filter((e) => e.name.startsWith('AWS_')).map((e) => [e.name, e.value]));
}

function tokenVolume(pod: KubeObject): Record<string, unknown> | undefined {
  const volume = (pod as unknown as Pod).spec.volumes?.find((v) => v.name === 'aws-iam-token');
  return volume?.projected?.sources[0]?.serviceAccountToken;
}

let counter = 0;

/**
 * Creates pods of `serviceAccountName` until one comes back as `wanted` says (the webhook and the API server see
 * service-account and configuration changes through watches, a moment later), deleting the others; bounded.
 */
async function podUntil(serviceAccountName: string, wanted: (pod: KubeObject) => boolean): Promise<KubeObject> {
  for (let attempt = 0; attempt < 60; attempt++) {
    counter += 1;
    const name = `probe-${counter}`;
    const pod = await admin.createPod(namespace, { name, serviceAccountName });
    if (wanted(pod)) return pod;
    await kubeRequest('admin', 'DELETE', `/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=0`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no pod of ${serviceAccountName} came out as wanted after 60 attempts`);
}

beforeAll(async () => {
  await admin.createNamespace(namespace);
  await admin.createServiceAccount(namespace, 'annotated', { annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN } });
  await admin.createServiceAccount(namespace, 'custom-audience', {
    annotations: { 'eks.amazonaws.com/role-arn': ROLE_ARN, 'eks.amazonaws.com/audience': 'custom.example.com' },
  });
  await admin.createServiceAccount(namespace, 'plain', { labels: { app: 'plain' } });
  await admin.createServiceAccount(namespace, 'late', { labels: { app: 'late' } });
});

afterAll(async () => {
  await admin.cleanup();
});

describe('the EKS pod identity webhook on the local kube-apiserver', () => {
  test('is registered as on EKS and the viewer can see it', async () => {
    const env = kubeEnv();
    expect(env.podIdentityWebhook?.version).toBe('v0.6.17');
    const res = await kubeRequest(
      'viewer',
      'GET',
      `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${env.podIdentityWebhook?.configuration}`,
    );
    expect(res.status).toBe(200);
    const [webhook] = (res.body as { webhooks: Record<string, unknown>[] }).webhooks;
    expect(webhook?.name).toBe('iam-for-pods.amazonaws.com');
    expect(webhook?.clientConfig).toMatchObject({ url: `${env.podIdentityWebhook?.url}/mutate` });
    expect(webhook?.failurePolicy).toBe('Ignore');
  });

  test('a pod of an annotated service account gets the role, token file, region and the aws-iam-token volume', async () => {
    const pod = await podUntil('annotated', (created) => awsEnv(created).AWS_ROLE_ARN !== undefined);
    expect(awsEnv(pod)).toEqual({
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE,
      AWS_STS_REGIONAL_ENDPOINTS: 'regional',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(tokenVolume(pod)).toEqual({ audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' });
    const mounts = (pod as unknown as Pod).spec.containers[0]?.volumeMounts ?? [];
    expect(mounts).toContainEqual(
      expect.objectContaining({ name: 'aws-iam-token', mountPath: TOKEN_FILE.replace(/\/token$/, '') }),
    );
  });

  test('the audience annotation sets the token volume audience', async () => {
    const pod = await podUntil('custom-audience', (created) => tokenVolume(created) !== undefined);
    expect(tokenVolume(pod)).toMatchObject({ audience: 'custom.example.com' });
  });

  test('pods of an unannotated account, and pods labelled to skip the webhook, are left alone', async () => {
    const plain = await admin.createPod(namespace, { name: 'plain-0', serviceAccountName: 'plain' });
    expect(awsEnv(plain)).toEqual({});
    expect(tokenVolume(plain)).toBeUndefined();
    const skipped = await admin.createPod(namespace, {
      name: 'skipped-0',
      serviceAccountName: 'annotated',
      labels: { 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' },
    });
    expect(awsEnv(skipped)).toEqual({});
  });

  test('a pod created before the annotation keeps no role; pods created after it get the role', async () => {
    const before = await admin.createPod(namespace, { name: 'late-before', serviceAccountName: 'late' });
    expect(awsEnv(before)).toEqual({});
    await admin.annotateServiceAccount(namespace, 'late', { 'eks.amazonaws.com/role-arn': ROLE_ARN });
    const after = await podUntil('late', (created) => awsEnv(created).AWS_ROLE_ARN === ROLE_ARN);
    expect(awsEnv(after).AWS_WEB_IDENTITY_TOKEN_FILE).toBe(TOKEN_FILE);
    const reread = await admin.get(`/api/v1/namespaces/${namespace}/pods/late-before`);
    expect(awsEnv(reread)).toEqual({});
  });

  test('suspendPodIdentityWebhook removes the configuration until its restore puts it back', async () => {
    const restore = await admin.suspendPodIdentityWebhook();
    try {
      const unmutated = await podUntil('annotated', (created) => awsEnv(created).AWS_ROLE_ARN === undefined);
      expect(tokenVolume(unmutated)).toBeUndefined();
    } finally {
      await restore();
    }
    const mutated = await podUntil('annotated', (created) => awsEnv(created).AWS_ROLE_ARN === ROLE_ARN);
    expect(tokenVolume(mutated)).toMatchObject({ audience: 'sts.amazonaws.com' });
  });
});
