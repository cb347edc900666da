/**
 * Raw Kubernetes objects shaped exactly as the API server returns them (core/v1 ServiceAccount and Pod,
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration), for unit tests of the converter. The pod is what
 * the pod identity webhook leaves after mutating it on EKS: the AWS_* env, the `aws-iam-token` projected volume and
 * its mount. Each carries things that must never be copied (other env values, images, secret names, a CA bundle).
 */

export type Raw = Record<string, unknown>;

/** Values that must never reach a snapshot. */
export const SECRET_VALUES = [
  'hunter2-db-password',
  'public.ecr.aws/acme/web:1.2.3',
  'db-credentials',
  'LS0tLS1CRUdJTi',
];

export const ROLE_ARN = 'arn:aws:iam::111111111111:role/web';
export const TOKEN_FILE = '/var/run/secrets/eks.amazonaws.com/serviceaccount/token';

export function managedEntry(
  manager: string,
  time: string,
  annotationKeys: readonly string[],
  operation = 'Update',
): Raw {
  return {
    manager,
    operation,
    apiVersion: 'v1',
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': {
        'f:annotations': {
          '.': {},
          ...Object.fromEntries(annotationKeys.map((k) => [`f:${k}`, {}])),
        },
      },
    },
  };
}

export function serviceAccount(
  namespace: string,
  name: string,
  options: { annotations?: Record<string, string>; managedFields?: Raw[]; kind?: boolean } = {},
): Raw {
  return {
    ...(options.kind === false ? {} : { apiVersion: 'v1', kind: 'ServiceAccount' }),
    metadata: {
      name,
      namespace,
      uid: '6d1f0a52-3c4e-4b8e-9a57-0f2f3a1c9e11',
      resourceVersion: '4711',
      creationTimestamp: '2026-11-20T09:00:00Z',
      labels: { 'app.kubernetes.io/name': name },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ServiceAccount"}',
        ...(options.annotations ?? {}),
      },
      ...(options.managedFields ? { managedFields: options.managedFields } : {}),
    },
    secrets: [{ name: 'db-credentials' }],
    imagePullSecrets: [{ name: 'regcred' }],
  };
}

/** A pod of a Deployment after the pod identity webhook mutated it (EKS, IRSA). */
export function mutatedPod(namespace: string, name: string, serviceAccountName: string, kind = true): Raw {
  return {
    ...(kind ? { apiVersion: 'v1', kind: 'Pod' } : {}),
    metadata: {
      name,
      generateName: `${name.slice(0, -5)}`,
      namespace,
      uid: '0e5b2f1c-8a4d-4c1e-b3f7-2a9d6c4e8f10',
      resourceVersion: '5120',
      creationTimestamp: '2026-11-21T10:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d9c6b5f4' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-21T09:59:58Z' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9c6b5f4',
          uid: '9c3e1b7a-2f4d-4e6a-8b1c-5d7f9a2e4c60',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      serviceAccountName,
      serviceAccount: serviceAccountName,
      automountServiceAccountToken: true,
      securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'web',
          image: 'public.ecr.aws/acme/web:1.2.3',
          command: ['/app', '--password=hunter2-db-password'],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'DB_PASSWORD', value: 'hunter2-db-password' },
            { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'api-key' } } },
            { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
            { name: 'AWS_DEFAULT_REGION', value: 'us-west-2' },
            { name: 'AWS_REGION', value: 'us-west-2' },
            { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
            { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: TOKEN_FILE },
          ],
          envFrom: [{ secretRef: { name: 'db-credentials' } }],
          resources: { limits: { memory: '256Mi' } },
          volumeMounts: [
            {
              name: 'kube-api-access-7xk2p',
              readOnly: true,
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            },
            { name: 'aws-iam-token', readOnly: true, mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' },
          ],
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          terminationMessagePath: '/dev/termination-log',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      initContainers: [
        {
          name: 'migrate',
          image: 'public.ecr.aws/acme/web:1.2.3',
          env: [
            { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'id' } } },
            { name: 'AWS_SECRET_ACCESS_KEY', value: 'hunter2-db-password' },
            { name: 'AWS_REGION' },
          ],
        },
      ],
      volumes: [
        {
          name: 'aws-iam-token',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' } },
            ],
          },
        },
        {
          name: 'kube-api-access-7xk2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
          },
        },
        { name: 'creds', secret: { secretName: 'db-credentials' } },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** A plain pod without the webhook's mutation (a service account without the annotation, or no webhook). */
export function plainPod(namespace: string, name: string, spec: Raw = {}): Raw {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, creationTimestamp: '2026-11-22T08:00:00Z' },
    spec: {
      containers: [{ name: 'main', image: 'busybox:1.36', env: [{ name: 'TOKEN', value: 'hunter2-db-password' }] }],
      ...spec,
    },
    status: { phase: 'Pending' },
  };
}

/** EKS's configuration: named `pod-identity-webhook`, one webhook `iam-for-pods.amazonaws.com`. */
export function eksWebhookConfiguration(
  name = 'pod-identity-webhook',
  webhookName = 'iam-for-pods.amazonaws.com',
): Raw {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, uid: '2b7c9e1f-4a6d-4f8b-9c2e-1d3f5a7b9c00', creationTimestamp: '2026-01-01T00:00:00Z' },
    webhooks: [
      {
        name: webhookName,
        admissionReviewVersions: ['v1beta1'],
        clientConfig: { url: 'https://127.0.0.1:23443/mutate', caBundle: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t' },
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        reinvocationPolicy: 'IfNeeded',
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
        sideEffects: 'None',
        timeoutSeconds: 10,
      },
    ],
  };
}

/** What `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json` prints: one List, kind per item. */
export function kubectlList(items: readonly unknown[]): Raw {
  return { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '' } };
}
