import {
  type KubeLists,
  kubernetesSnapshotFromLists,
  MAX_OBJECTS_PER_KIND,
  MAX_READ_ERRORS,
} from '../../../../lambdas/domain/kubernetes/kube-objects';
import type { KubePod, KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';
import { kubernetesSchemaProblems } from '../../../../lambdas/shared/schemas';
import {
  eksWebhookConfiguration,
  managedEntry,
  mutatedPod,
  plainPod,
  type Raw,
  ROLE_ARN,
  SECRET_VALUES,
  serviceAccount,
  TOKEN_FILE,
} from '../../../support/kube-raw';

const API = { source: 'api' } as const;
/** A control character or a UTF-16 surrogate without its pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this expression's purpose
const UNSAFE_TEXT = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ROLE_KEY = 'eks.amazonaws.com/role-arn';

const webSa = () =>
  serviceAccount('apps', 'web', {
    annotations: { [ROLE_KEY]: ROLE_ARN, 'eks.amazonaws.com/sts-regional-endpoints': 'true' },
  });

/** A complete read of one annotated service account, its pod and EKS's webhook. */
function wholeCluster(overrides: Partial<KubeLists> = {}): KubeLists {
  return {
    serviceaccounts: [webSa(), serviceAccount('apps', 'default')],
    pods: [mutatedPod('apps', 'web-7d9c6b5f4-abcde', 'web')],
    mutatingwebhookconfigurations: [eksWebhookConfiguration()],
    ...overrides,
  };
}

const expectedPod: KubePod = {
  namespace: 'apps',
  name: 'web-7d9c6b5f4-abcde',
  owner: { kind: 'ReplicaSet', name: 'web-7d9c6b5f4' },
  serviceAccountName: 'web',
  createdAt: '2026-11-21T10:00:00Z',
  phase: 'Pending',
  securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 },
  tokenVolume: { name: 'aws-iam-token', audience: 'sts.amazonaws.com', expirationSeconds: 86400, path: 'token' },
  containers: [
    {
      name: 'web',
      awsEnv: {
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        AWS_DEFAULT_REGION: 'us-west-2',
        AWS_REGION: 'us-west-2',
        AWS_ROLE_ARN: ROLE_ARN,
        AWS_WEB_IDENTITY_TOKEN_FILE: TOKEN_FILE,
      },
      mountsToken: true,
      securityContext: { runAsNonRoot: true },
    },
    {
      name: 'migrate',
      init: true,
      awsEnv: { AWS_REGION: '' },
      credentialEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      mountsToken: false,
    },
  ],
};

function convert(lists: KubeLists, meta: Parameters<typeof kubernetesSnapshotFromLists>[1] = API) {
  const result = kubernetesSnapshotFromLists(lists, meta);
  expect(kubernetesSchemaProblems(result)).toEqual([]);
  return result;
}

/** The one error of a conversion with exactly one bad object. */
function oneError(result: KubernetesSnapshot) {
  expect(result.status).toBe('partial');
  expect(result.errors).toHaveLength(1);
  return result.errors?.[0];
}

describe('kubernetesSnapshotFromLists: what is kept', () => {
  it('converts a complete read to exactly the model, and nothing else', () => {
    expect(
      convert(wholeCluster(), { source: 'api', readAt: '2026-11-30T05:00:00Z', serverVersion: 'v1.34.4' }),
    ).toEqual({
      status: 'complete',
      source: 'api',
      readAt: '2026-11-30T05:00:00Z',
      serverVersion: 'v1.34.4',
      serviceAccounts: [
        { namespace: 'apps', name: 'default', createdAt: '2026-11-20T09:00:00Z', annotations: {} },
        {
          namespace: 'apps',
          name: 'web',
          createdAt: '2026-11-20T09:00:00Z',
          annotations: { [ROLE_KEY]: ROLE_ARN, 'eks.amazonaws.com/sts-regional-endpoints': 'true' },
        },
      ],
      pods: [expectedPod],
      podIdentityWebhook: { configured: true, name: 'pod-identity-webhook' },
    });
  });

  it('never copies other env values, images, commands, secret names, other annotations or CA bundles', () => {
    const text = JSON.stringify(convert(wholeCluster()));
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    expect(text).not.toContain('DB_PASSWORD');
    expect(text).not.toContain('API_KEY');
    expect(text).not.toContain('last-applied-configuration');
    expect(text).not.toContain('restartedAt');
    expect(text).not.toContain('kube-api-access');
  });

  it('reads API list items, which carry no kind, the same as kubectl items', () => {
    const lists: KubeLists = {
      serviceaccounts: [serviceAccount('apps', 'web', { kind: false, annotations: { [ROLE_KEY]: ROLE_ARN } })],
      pods: [mutatedPod('apps', 'web-7d9c6b5f4-abcde', 'web', false)],
      mutatingwebhookconfigurations: [],
    };
    const result = convert(lists);
    expect(result.status).toBe('complete');
    expect(result.pods).toEqual([expectedPod]);
    expect(result.serviceAccounts[0]?.annotations).toEqual({ [ROLE_KEY]: ROLE_ARN });
    expect(result.podIdentityWebhook).toEqual({ configured: false });
  });

  it('takes the deprecated serviceAccount field, and default when neither is set', () => {
    const old = plainPod('apps', 'old', { serviceAccount: 'legacy' });
    const none = plainPod('apps', 'none');
    const result = convert(wholeCluster({ pods: [old, none] }));
    expect(result.pods.map((p) => [p.name, p.serviceAccountName])).toEqual([
      ['none', 'default'],
      ['old', 'legacy'],
    ]);
  });

  it('keeps hostNetwork, pod eks.amazonaws.com annotations, valueFrom as null, and the last definition of a variable', () => {
    const pod = plainPod('apps', 'p', {
      hostNetwork: true,
      containers: [
        {
          name: 'main',
          env: [
            { name: 'AWS_ROLE_ARN', value: 'arn:aws:iam::111111111111:role/first' },
            { name: 'AWS_ROLE_ARN', value: ROLE_ARN },
            { name: 'AWS_REGION', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'region' } } },
            { name: 'AWS_PROFILE', value: 'hunter2-db-password' },
          ],
        },
      ],
    });
    (pod.metadata as Raw).annotations = { 'eks.amazonaws.com/skip-containers': 'sidecar', other: 'x' };
    const [converted] = convert(wholeCluster({ pods: [pod] })).pods;
    expect(converted).toMatchObject({
      hostNetwork: true,
      annotations: { 'eks.amazonaws.com/skip-containers': 'sidecar' },
      containers: [
        {
          name: 'main',
          awsEnv: { AWS_ROLE_ARN: ROLE_ARN, AWS_REGION: null },
          credentialEnv: ['AWS_PROFILE'],
          mountsToken: false,
        },
      ],
    });
    expect(converted?.tokenVolume).toBeUndefined();
    expect(JSON.stringify(converted)).not.toContain('hunter2');
  });
});

describe('kubernetesSnapshotFromLists: annotation times from managedFields', () => {
  it('takes the latest time of the entries that own each annotation, ignoring entries that do not', () => {
    const sa = serviceAccount('apps', 'web', {
      annotations: { [ROLE_KEY]: ROLE_ARN, 'eks.amazonaws.com/audience': 'sts.amazonaws.com' },
      managedFields: [
        managedEntry('kubectl-client-side-apply', '2026-11-20T09:00:00Z', [
          ROLE_KEY,
          'kubectl.kubernetes.io/last-applied-configuration',
        ]),
        managedEntry('kubectl-annotate', '2026-11-25T12:30:00Z', [ROLE_KEY]),
        managedEntry('helm', '2026-11-24T00:00:00Z', ['eks.amazonaws.com/audience']),
        managedEntry('kubectl-label', '2026-11-29T00:00:00Z', []),
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-30T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:secrets': {} },
        },
      ],
    });
    const [converted] = convert(wholeCluster({ serviceaccounts: [sa] })).serviceAccounts;
    expect(converted?.annotationTimes).toEqual({
      [ROLE_KEY]: '2026-11-25T12:30:00Z',
      'eks.amazonaws.com/audience': '2026-11-24T00:00:00Z',
    });
  });

  it('leaves annotation times out without managed fields (kubectl without --show-managed-fields)', () => {
    const [converted] = convert(wholeCluster({ serviceaccounts: [webSa()] })).serviceAccounts;
    expect(converted).not.toHaveProperty('annotationTimes');
  });

  it('keeps the service account without times, and says so, when its managed fields are malformed', () => {
    const sa = serviceAccount('apps', 'web', {
      annotations: { [ROLE_KEY]: ROLE_ARN },
      managedFields: [managedEntry('kubectl-annotate', 'yesterday', [ROLE_KEY])],
    });
    const result = convert(wholeCluster({ serviceaccounts: [sa] }));
    expect(result.serviceAccounts).toEqual([
      { namespace: 'apps', name: 'web', createdAt: '2026-11-20T09:00:00Z', annotations: { [ROLE_KEY]: ROLE_ARN } },
    ]);
    expect(oneError(result)).toMatchObject({ kind: 'serviceaccounts', object: 'apps/web', code: 'PartlyUnderstood' });
    expect(result.errors?.[0]?.message).toContain('metadata.managedFields[0].time is not an RFC 3339 time');
  });
});

describe('kubernetesSnapshotFromLists: the pod identity webhook', () => {
  it.each([
    [
      'EKS: pod-identity-webhook / iam-for-pods.amazonaws.com',
      [eksWebhookConfiguration()],
      { configured: true, name: 'pod-identity-webhook' },
    ],
    [
      'upstream deploy under another name',
      [eksWebhookConfiguration('irsa', 'pod-identity-webhook.amazonaws.com')],
      { configured: true, name: 'irsa' },
    ],
    [
      'a webhook named iam-for-pods',
      [eksWebhookConfiguration('custom', 'iam-for-pods.example.com')],
      { configured: true, name: 'custom' },
    ],
    [
      'EKS first among several',
      [eksWebhookConfiguration('a-irsa', 'pod-identity-webhook.aws.mutate.io'), eksWebhookConfiguration()],
      { configured: true, name: 'pod-identity-webhook' },
    ],
    [
      'only other webhooks',
      [eksWebhookConfiguration('vpc-resource-mutating-webhook', 'mpod.vpc.k8s.aws')],
      { configured: false },
    ],
    ['no configurations at all', [], { configured: false }],
  ])('%s', (_, hooks, expected) => {
    expect(convert(wholeCluster({ mutatingwebhookconfigurations: hooks })).podIdentityWebhook).toEqual(expected);
  });

  it('is null (nothing concluded) when configurations were not read', () => {
    const result = convert(wholeCluster({ mutatingwebhookconfigurations: undefined }));
    expect(result.podIdentityWebhook).toBeNull();
    expect(oneError(result)).toMatchObject({ kind: 'mutatingwebhookconfigurations', code: 'NotRead' });
  });

  it('is null when one configuration could not be understood and none matched', () => {
    const bad = { kind: 'MutatingWebhookConfiguration', metadata: {}, webhooks: [] };
    const result = convert(
      wholeCluster({ mutatingwebhookconfigurations: [bad, eksWebhookConfiguration('other', 'x.example.com')] }),
    );
    expect(result.podIdentityWebhook).toBeNull();
    expect(result.status).toBe('partial');
  });
});

describe('kubernetesSnapshotFromLists: status', () => {
  it('is partial, with one NotRead error per kind not read, and never repeats a reader error for the same kind', () => {
    const forbidden = {
      kind: 'pods' as const,
      code: 'Forbidden',
      message: 'pods is forbidden: User "viewer" cannot list resource "pods"',
    };
    const result = convert(wholeCluster({ pods: undefined }), { source: 'api', errors: [forbidden] });
    expect(result.status).toBe('partial');
    expect(result.errors).toEqual([forbidden]);
    expect(result.reason).toBe(forbidden.message);
    expect(result.fix).toContain('view access policy');
    expect(result.pods).toEqual([]);
    expect(result.serviceAccounts).toHaveLength(2);
  });

  it("is unreadable when no kind was read, with the reader's reason and fix when it gives them", () => {
    const result = convert(
      {},
      {
        source: 'api',
        reason: 'the endpoint is private',
        fix: 'add a VPC path',
        errors: [{ kind: 'connection', code: 'Unreachable', message: 'connect ETIMEDOUT' }],
      },
    );
    expect(result).toMatchObject({
      status: 'unreadable',
      reason: 'the endpoint is private',
      fix: 'add a VPC path',
      serviceAccounts: [],
      pods: [],
      podIdentityWebhook: null,
    });
    expect(result.errors?.map((e) => e.code)).toEqual(
      ['connection', 'serviceaccounts', 'pods', 'mutatingwebhookconfigurations'].map((k) =>
        k === 'connection' ? 'Unreachable' : 'NotRead',
      ),
    );
  });

  it('is unreadable when objects were given and none could be understood', () => {
    const result = convert({ serviceaccounts: [42, 'x'], pods: [null], mutatingwebhookconfigurations: [] });
    expect(result.status).toBe('unreadable');
    expect(result.reason).toMatch(/^none of the 3 objects could be understood/);
    expect(result.serviceAccounts).toEqual([]);
    expect(result.podIdentityWebhook).toBeNull();
  });

  it('is complete for an empty cluster read from the API (every kind listed, nothing in it)', () => {
    expect(convert({ serviceaccounts: [], pods: [], mutatingwebhookconfigurations: [] })).toEqual({
      status: 'complete',
      source: 'api',
      serviceAccounts: [],
      pods: [],
      podIdentityWebhook: { configured: false },
    });
  });

  it('tells the kubectl user what to run when a kind is missing from the file', () => {
    const result = convert(wholeCluster({ pods: undefined }), { source: 'kube-objects' });
    expect(result.fix).toContain(
      'kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json --show-managed-fields',
    );
  });
});

describe('kubernetesSnapshotFromLists: bad objects are skipped and named, never thrown', () => {
  const longName = 'a'.repeat(254);
  it.each<[string, Raw | unknown, string]>([
    ['missing metadata.name', { metadata: { namespace: 'apps' } }, 'metadata.name is missing'],
    ['missing metadata', { kind: 'ServiceAccount' }, 'metadata is missing'],
    ['a namespace that is a number', { metadata: { namespace: 7, name: 'x' } }, 'metadata.namespace must be a string'],
    [
      'a name over 253 characters',
      { metadata: { namespace: 'apps', name: longName } },
      'is 254 characters; at most 253',
    ],
    [
      'a namespace over 63 characters',
      { metadata: { namespace: 'n'.repeat(64), name: 'x' } },
      'is 64 characters; at most 63',
    ],
    ['a lone surrogate in the name', { metadata: { namespace: 'apps', name: 'web\ud800' } }, 'lone surrogate'],
    ['NUL in the name', { metadata: { namespace: 'apps', name: 'web\u0000x' } }, 'NUL'],
    [
      'a terminal escape in the name',
      { metadata: { namespace: 'apps', name: 'web\u001b[31m' } },
      'is not a DNS-1123 subdomain',
    ],
    [
      'annotations that are a list',
      { metadata: { namespace: 'apps', name: 'x', annotations: ['a'] } },
      'metadata.annotations must be an object',
    ],
    [
      'a role-arn annotation that is a number',
      { metadata: { namespace: 'apps', name: 'x', annotations: { [ROLE_KEY]: 1 } } },
      'must be a string',
    ],
    [
      'a lone surrogate in the role-arn annotation',
      { metadata: { namespace: 'apps', name: 'x', annotations: { [ROLE_KEY]: `${ROLE_ARN}\udc00` } } },
      'lone surrogate',
    ],
    [
      'a creation time that is not a time',
      { metadata: { namespace: 'apps', name: 'x', creationTimestamp: 'Tuesday' } },
      'is not an RFC 3339 time',
    ],
    ['not an object', 'ServiceAccount apps/x', 'is not a JSON object'],
  ])('a service account with %s', (_, item, problem) => {
    const result = convert(wholeCluster({ serviceaccounts: [webSa(), item] }));
    expect(result.serviceAccounts.map((s) => s.name)).toEqual(['web']);
    const error = oneError(result);
    expect(error?.kind).toBe('serviceaccounts');
    expect(error?.message).toContain(problem);
    // Whatever the object held, the error shows it escaped: no control character or lone surrogate gets through.
    for (const text of [error?.object ?? '', error?.message ?? '']) expect(text).not.toMatch(UNSAFE_TEXT);
  });

  it.each<[string, (pod: Raw) => void, string]>([
    ['no spec', (p) => delete p.spec, 'spec is missing'],
    [
      'env that is not a list',
      (p) => (firstContainer(p).env = { AWS_ROLE_ARN: ROLE_ARN }),
      'spec.containers[0].env must be an array',
    ],
    [
      'a runAsUser that is a string',
      (p) => ((p.spec as Raw).securityContext = { runAsUser: '1000' }),
      'spec.securityContext.runAsUser must be a whole number',
    ],
    [
      'a negative fsGroup',
      (p) => ((p.spec as Raw).securityContext = { fsGroup: -1 }),
      'fsGroup must be a whole number from 0',
    ],
    ['hostNetwork "yes"', (p) => ((p.spec as Raw).hostNetwork = 'yes'), 'hostNetwork must be true or false'],
    ['no containers', (p) => ((p.spec as Raw).containers = []), 'spec.containers is missing or empty'],
    ['a container without a name', (p) => delete firstContainer(p).name, 'spec.containers[0].name is missing'],
    [
      'an AWS_ROLE_ARN value over 4096 characters',
      (p) => (firstContainer(p).env = [{ name: 'AWS_ROLE_ARN', value: 'a'.repeat(4097) }]),
      'at most 4096',
    ],
    [
      'a token projection without a path',
      (p) =>
        ((p.spec as Raw).volumes = [
          {
            name: 'aws-iam-token',
            projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com' } }] },
          },
        ]),
      '.serviceAccountToken.path is missing',
    ],
    [
      'an owner reference without a name',
      (p) => ((p.metadata as Raw).ownerReferences = [{ kind: 'ReplicaSet', controller: true }]),
      'must have a kind and a name',
    ],
    [
      'a service account name with a slash',
      (p) => ((p.spec as Raw).serviceAccountName = '../etc'),
      'spec.serviceAccountName is not a DNS-1123 subdomain',
    ],
  ])('a pod with %s', (_, spoil, problem) => {
    const bad = mutatedPod('apps', 'bad-7d9c6b5f4-zzzzz', 'web');
    spoil(bad);
    const result = convert(wholeCluster({ pods: [mutatedPod('apps', 'web-7d9c6b5f4-abcde', 'web'), bad] }));
    expect(result.pods).toEqual([expectedPod]);
    expect(oneError(result)).toMatchObject({ kind: 'pods', object: 'apps/bad-7d9c6b5f4-zzzzz', code: 'InvalidObject' });
    expect(result.errors?.[0]?.message).toContain(problem);
  });

  it('skips a Secret in a list, copying nothing of it', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'apps', name: 'db-credentials' },
      type: 'Opaque',
      data: { password: 'aHVudGVyMi1kYi1wYXNzd29yZA==' },
      stringData: { password: 'hunter2-db-password' },
    };
    const result = convert(wholeCluster({ serviceaccounts: [webSa(), secret] }));
    expect(oneError(result)).toMatchObject({
      kind: 'serviceaccounts',
      object: 'apps/db-credentials',
      code: 'UnexpectedKind',
    });
    const text = JSON.stringify(result);
    expect(text).not.toContain('aHVudGVy');
    expect(text).not.toContain('hunter2');
  });

  it('keeps the first of two objects with the same namespace and name', () => {
    const again = serviceAccount('apps', 'web', {
      annotations: { [ROLE_KEY]: 'arn:aws:iam::111111111111:role/other' },
    });
    const result = convert(wholeCluster({ serviceaccounts: [webSa(), again] }));
    expect(result.serviceAccounts.map((s) => s.annotations[ROLE_KEY])).toEqual([ROLE_ARN]);
    expect(oneError(result)).toMatchObject({ code: 'Duplicate', object: 'apps/web' });
  });

  it('lists the first 100 problems and counts the rest in one more entry', () => {
    const bad = Array.from({ length: 150 }, (_, i) => ({ metadata: { namespace: 'apps', name: `BAD-${i}` } }));
    const result = convert(wholeCluster({ serviceaccounts: [webSa(), ...bad] }));
    expect(result.status).toBe('partial');
    expect(result.errors).toHaveLength(MAX_READ_ERRORS + 1);
    expect(result.errors?.[MAX_READ_ERRORS]).toMatchObject({ kind: 'serviceaccounts', code: 'MoreErrors' });
    expect(result.errors?.[MAX_READ_ERRORS]?.message).toMatch(/^50 more problems with serviceaccounts/);
    expect(result.reason).toMatch(/^150 problems; the first: ServiceAccount apps\/BAD-0/);
  });

  it('names every kind whose problems were left out, so no kind with a problem looks complete', () => {
    const badAccounts = Array.from({ length: 120 }, (_, i) => ({ metadata: { namespace: 'apps', name: `BAD-${i}` } }));
    const badHook = { kind: 'MutatingWebhookConfiguration', metadata: {} };
    const result = convert(
      wholeCluster({ serviceaccounts: badAccounts, pods: [{}], mutatingwebhookconfigurations: [badHook] }),
    );
    expect(result.errors?.slice(MAX_READ_ERRORS).map((e) => [e.kind, e.code, e.message.split(' ')[0]])).toEqual([
      ['serviceaccounts', 'MoreErrors', '20'],
      ['pods', 'MoreErrors', '1'],
      ['mutatingwebhookconfigurations', 'MoreErrors', '1'],
    ]);
  });

  it('keeps the first MAX_OBJECTS_PER_KIND objects of a larger list and marks the cluster partial', () => {
    const many = Array.from({ length: MAX_OBJECTS_PER_KIND + 1 }, (_, i) => ({
      metadata: { namespace: 'apps', name: `sa-${i}` },
    }));
    const result = kubernetesSnapshotFromLists(wholeCluster({ serviceaccounts: many }), API);
    expect(result.serviceAccounts).toHaveLength(MAX_OBJECTS_PER_KIND);
    expect(result.serviceAccounts.some((s) => s.name === `sa-${MAX_OBJECTS_PER_KIND}`)).toBe(false);
    expect(oneError(result)).toMatchObject({ kind: 'serviceaccounts', code: 'TooLarge' });
  });
});

function firstContainer(pod: Raw): Raw {
  return ((pod.spec as Raw).containers as Raw[])[0] as Raw;
}
