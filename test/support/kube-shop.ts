/**
 * One namespace of IRSA workloads created in the real kube-apiserver (kube/local-cluster.ts), used to make the
 * kubectl fixtures in test/fixtures/kubernetes/ and by the --kube-objects integration test, so both hold the same
 * objects:
 *   - service account `web`, created with `eks.amazonaws.com/role-arn` = the old role, then re-annotated with
 *     `kubectl annotate --overwrite` a second later (the new role, and sts-regional-endpoints);
 *   - its pod `web-6f7d8c9b5-x2k4p` (owned by ReplicaSet web-6f7d8c9b5), created between the two, carrying what the pod
 *     identity webhook injects (the old role's AWS_ROLE_ARN, the token file, the `aws-iam-token` projected volume and
 *     its mount), a secret env value and a secretKeyRef that must never be copied, an init container with
 *     AWS_ACCESS_KEY_ID from a secret, runAsUser 1000 and fsGroup 2000;
 *   - service account `batch` (a label, no eks annotation) and its pod on the host network, not mutated;
 *   - service account `legacy` (audience and token-expiration annotations) and a pod naming it through the deprecated
 *     `spec.serviceAccount` field only;
 *   - a pod without any service account (admission gives it `default`);
 *   - a Secret, which `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations` does not print.
 * The local pod identity webhook leaves these pods alone (label `eks.amazonaws.com/skip-pod-identity-webhook`): the pod
 * carries the variables and volume it would add (as on EKS), by hand, so its spec is exactly as written here.
 */
import { execFileSync } from 'node:child_process';
import type { KubeAdmin } from '../../kube/local-cluster';

/** The label the pod identity webhook's object selector excludes (as on EKS). */
const SKIP_WEBHOOK = { 'eks.amazonaws.com/skip-pod-identity-webhook': 'true' };

export const OLD_ROLE_ARN = 'arn:aws:iam::111111111111:role/shop-web-old';
export const NEW_ROLE_ARN = 'arn:aws:iam::111111111111:role/shop-web';
export const SECRET_VALUE = 'hunter2-shop-db-password';
export const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';
export const WEB_POD = 'web-6f7d8c9b5-x2k4p';
export const KUBECTL = '/usr/bin/kubectl';

const TOKEN_VOLUME = {
  name: 'aws-iam-token',
  projected: {
    defaultMode: 420,
    sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } }],
  },
};

/** What the pod identity webhook injects into each container for a service account annotated with `roleArn`. */
function webhookEnv(roleArn: string) {
  return [
    { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
    { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
    { name: 'AWS_REGION', value: 'us-east-1' },
    { name: 'AWS_ROLE_ARN', value: roleArn },
    { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the real kubectl with a kubeconfig; returns stdout. */
export function kubectl(kubeconfig: string, args: readonly string[]): string {
  return execFileSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Creates the namespace's objects (see the file comment). `adminKubeconfig` runs `kubectl annotate`. */
export async function seedShop(admin: KubeAdmin, namespace: string, adminKubeconfig: string): Promise<void> {
  await admin.createNamespace(namespace);
  await admin.createServiceAccount(namespace, 'web', {
    annotations: { 'eks.amazonaws.com/role-arn': OLD_ROLE_ARN },
    fieldManager: 'kubectl-client-side-apply',
  });
  await admin.createServiceAccount(namespace, 'batch', { labels: { team: 'data' } });
  await admin.createServiceAccount(namespace, 'legacy', {
    annotations: { 'eks.amazonaws.com/audience': 'sts.amazonaws.com', 'eks.amazonaws.com/token-expiration': '3600' },
  });
  await admin.create(`/api/v1/namespaces/${namespace}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'shop-db', namespace },
    stringData: { password: SECRET_VALUE },
  });
  await admin.createPod(namespace, {
    name: WEB_POD,
    serviceAccountName: 'web',
    labels: SKIP_WEBHOOK,
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-6f7d8c9b5',
        uid: '3f0c2a4e-8b1d-4c6f-9e2a-7d5b1c3e9f01',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
    securityContext: { runAsUser: 1000, fsGroup: 2000 },
    containers: [
      {
        name: 'web',
        env: [
          { name: 'DB_PASSWORD', value: SECRET_VALUE },
          { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } },
          ...webhookEnv(OLD_ROLE_ARN),
        ],
        volumeMounts: [
          { name: 'aws-iam-token', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
        ],
        securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
      },
    ],
    volumes: [TOKEN_VOLUME],
    spec: {
      initContainers: [
        {
          name: 'migrate',
          image: 'public.ecr.aws/docker/library/busybox:stable',
          env: [{ name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'shop-db', key: 'password' } } }],
        },
      ],
    },
  });
  await admin.createPod(namespace, {
    name: 'batch-28f9c-7xq2z',
    serviceAccountName: 'batch',
    labels: SKIP_WEBHOOK,
    hostNetwork: true,
    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
  });
  await admin.createPod(namespace, { name: 'legacy-0', labels: SKIP_WEBHOOK, spec: { serviceAccount: 'legacy' } });
  await admin.createPod(namespace, { name: 'no-sa', labels: SKIP_WEBHOOK });
  // metav1.Time has whole seconds: the annotation must come at least a second after the pod.
  await sleep(1100);
  kubectl(adminKubeconfig, [
    'annotate',
    '--overwrite',
    '-n',
    namespace,
    'serviceaccount/web',
    `eks.amazonaws.com/role-arn=${NEW_ROLE_ARN}`,
    'eks.amazonaws.com/sts-regional-endpoints=true',
  ]);
}

/**
 * The pod identity webhook's configuration as EKS registers it (webhook `iam-for-pods.amazonaws.com`). Nothing serves
 * its URL: `inert` adds a namespace selector no namespace matches, so pods other tests create on a shared server are
 * not sent to it.
 */
export function eksWebhook(inert = false): Record<string, unknown> {
  return {
    ...(inert ? { namespaceSelector: { matchLabels: { 'irsa-doctor.test/never': 'true' } } } : {}),
    name: 'iam-for-pods.amazonaws.com',
    admissionReviewVersions: ['v1beta1'],
    clientConfig: { url: 'https://127.0.0.1:23443/mutate', caBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==' },
    failurePolicy: 'Ignore',
    matchPolicy: 'Equivalent',
    objectSelector: {
      matchExpressions: [{ key: 'eks.amazonaws.com/skip-pod-identity-webhook', operator: 'DoesNotExist' }],
    },
    reinvocationPolicy: 'IfNeeded',
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
    sideEffects: 'None',
    timeoutSeconds: 10,
  };
}

/** The command users run, as argv after `kubectl --kubeconfig F`. */
export const GET_OBJECTS = ['get', 'serviceaccounts,pods,mutatingwebhookconfigurations', '-A', '-o', 'json'] as const;
