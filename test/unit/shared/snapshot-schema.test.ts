import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
import { SnapshotValidationError } from '../../../lambdas/shared/errors';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import schema from '../../../schema/estate-snapshot.v1.schema.json';

// Every field the TypeScript types allow, filled in. The compiler rejects a field the types lack; the schema
// (additionalProperties: false everywhere) rejects a field it lacks. Together they keep the two in step.
const maximal: EstateSnapshot = {
  schemaVersion: 1,
  partition: 'aws',
  generatedAt: '2026-11-23T00:00:00Z',
  generator: 'test',
  accounts: [
    {
      accountId: '111111111111',
      name: 'prod',
      collection: {
        status: 'partial',
        regions: ['us-west-2'],
        errors: [{ operation: 'eks:ListClusters', region: 'eu-west-1', code: 'AccessDenied', message: 'no' }],
      },
      quotas: { oidcProvidersPerAccount: 100, trustPolicyLength: 2048 },
      clusters: [
        {
          name: 'prod',
          region: 'us-west-2',
          status: 'ACTIVE',
          version: '1.31',
          platformVersion: 'eks.1',
          authenticationMode: 'API_AND_CONFIG_MAP',
          arn: 'arn:aws:eks:us-west-2:111111111111:cluster/prod',
          oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
          tags: { team: 'platform' },
          endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
          kubernetes: {
            status: 'partial',
            source: 'api',
            reason: 'one problem',
            fix: 'grant list on pods',
            readAt: '2026-11-30T05:00:00Z',
            readAs: 'arn:aws:iam::111111111111:role/IrsaDoctorScanner',
            serverVersion: 'v1.34.4',
            errors: [{ kind: 'pods', object: 'apps/web-1', code: 'InvalidObject', message: 'spec is missing' }],
            serviceAccounts: [
              {
                namespace: 'apps',
                name: 'web',
                createdAt: '2026-11-20T09:00:00Z',
                annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/lbc' },
                annotationTimes: { 'eks.amazonaws.com/role-arn': '2026-11-25T12:30:00Z' },
              },
            ],
            pods: [
              {
                namespace: 'apps',
                name: 'web-7d9c6b5f4-abcde',
                owner: { kind: 'ReplicaSet', name: 'web-7d9c6b5f4' },
                serviceAccountName: 'web',
                createdAt: '2026-11-21T10:00:00Z',
                phase: 'Running',
                annotations: { 'eks.amazonaws.com/skip-containers': 'sidecar' },
                hostNetwork: false,
                securityContext: { runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true, fsGroup: 2000 },
                tokenVolume: {
                  name: 'aws-iam-token',
                  audience: 'sts.amazonaws.com',
                  expirationSeconds: 86400,
                  path: 'token',
                },
                containers: [
                  {
                    name: 'web',
                    init: false,
                    awsEnv: {
                      AWS_ROLE_ARN: 'arn:aws:iam::111111111111:role/lbc',
                      AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
                      AWS_STS_REGIONAL_ENDPOINTS: 'regional',
                      AWS_REGION: 'us-west-2',
                      AWS_DEFAULT_REGION: 'us-west-2',
                      AWS_ROLE_SESSION_NAME: null,
                      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
                      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:
                        '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token',
                    },
                    credentialEnv: ['AWS_ACCESS_KEY_ID'],
                    mountsToken: true,
                    securityContext: { runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true, fsGroup: 2000 },
                  },
                ],
              },
            ],
            podIdentityWebhook: { configured: true, name: 'pod-identity-webhook' },
          },
        },
      ],
      oidcProviders: [
        {
          arn: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
          url: 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
          clientIds: ['sts.amazonaws.com'],
          thumbprints: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
          tags: {},
          createDate: '2024-01-01T00:00:00Z',
          tls: {
            host: 'oidc.eks.us-west-2.amazonaws.com',
            topCaThumbprint: '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
            leafThumbprint: '06b25927c42a721631c1efd9431e648fa62e1e39',
            publiclyTrusted: true,
            checkedAt: '2026-11-23T00:00:00Z',
            error: 'none',
          },
        },
      ],
      roles: [
        {
          arn: 'arn:aws:iam::111111111111:role/lbc',
          name: 'lbc',
          path: '/',
          trustPolicy: { Version: '2012-10-17', Statement: [] },
          tags: {},
          createDate: '2024-01-01T00:00:00Z',
          lastUsedDate: '2026-11-01T00:00:00Z',
        },
      ],
      serviceAccounts: [
        {
          cluster: 'prod',
          region: 'us-west-2',
          namespace: 'kube-system',
          name: 'ebs-csi-controller-sa',
          roleArn: 'arn:aws:iam::111111111111:role/lbc',
          audience: 'sts.amazonaws.com',
          source: 'addon',
          addon: 'aws-ebs-csi-driver',
        },
      ],
      podIdentityAssociations: [
        {
          cluster: 'prod',
          region: 'us-west-2',
          namespace: 'apps',
          serviceAccount: 'web',
          roleArn: 'arn:aws:iam::111111111111:role/lbc',
          targetRoleArn: 'arn:aws:iam::222222222222:role/target',
          associationId: 'a-123',
          disableSessionTags: false,
        },
      ],
    },
  ],
};

/** Every property name the schema defines, as dotted paths through $defs. */
function schemaProperties(
  node: unknown,
  path: string,
  defs: Record<string, unknown>,
  seen = new Set<string>(),
): string[] {
  if (node === null || typeof node !== 'object') return [];
  const n = node as Record<string, unknown>;
  if (typeof n.$ref === 'string') {
    const name = n.$ref.replace('#/$defs/', '');
    if (seen.has(name)) return [];
    return schemaProperties(defs[name], path, defs, new Set([...seen, name]));
  }
  const out: string[] = [];
  const props = (n.properties ?? {}) as Record<string, unknown>;
  for (const [key, child] of Object.entries(props)) {
    out.push(`${path}.${key}`);
    out.push(...schemaProperties(child, `${path}.${key}`, defs, seen));
  }
  if (n.items) out.push(...schemaProperties(n.items, `${path}[]`, defs, seen));
  return out;
}

function instanceProperties(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => instanceProperties(v, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    path.endsWith('.tags') || path.endsWith('.trustPolicy')
      ? []
      : [`${path}.${k}`, ...instanceProperties(v, `${path}.${k}`)],
  );
}

describe('estate snapshot schema and types', () => {
  it('accepts a snapshot using every field of the TypeScript types', () => {
    expect(parseSnapshot(maximal)).toBe(maximal);
  });

  it('defines no property the TypeScript types lack', () => {
    const inSchema = new Set(schemaProperties(schema, '$', schema.$defs as Record<string, unknown>));
    const inTypes = new Set(instanceProperties(maximal, '$'));
    expect([...inSchema].filter((p) => !inTypes.has(p))).toEqual([]);
  });
});

/** Sets (or with undefined, deletes) the value at `path` under the first cluster's kubernetes of a copy of maximal. */
function withKubernetes(path: readonly (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(maximal));
  let node = copy.accounts[0].clusters[0].kubernetes;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function problems(value: unknown): readonly string[] {
  try {
    parseSnapshot(value, 'k.json');
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotValidationError);
    return (err as SnapshotValidationError).problems;
  }
  throw new Error('expected the snapshot to be refused');
}

describe('estate snapshot schema: cluster.kubernetes', () => {
  const K = '$.accounts[0].clusters[0].kubernetes';
  const container = ['pods', 0, 'containers', 0];

  it.each<[string, (string | number)[], unknown, string]>([
    ['an unknown status', ['status'], 'fine', `${K}.status: must be one of ["complete","partial","unreadable"]`],
    [
      'a missing podIdentityWebhook',
      ['podIdentityWebhook'],
      undefined,
      `${K}: missing required property "podIdentityWebhook"`,
    ],
    [
      'an env variable the model does not keep',
      [...container, 'awsEnv', 'DB_PASSWORD'],
      'hunter2',
      `${K}.pods[0].containers[0].awsEnv: unknown property "DB_PASSWORD"`,
    ],
    [
      'an annotation outside eks.amazonaws.com',
      ['serviceAccounts', 0, 'annotations', 'kubectl.kubernetes.io/x'],
      'y',
      `${K}.serviceAccounts[0].annotations`,
    ],
    ['a namespace over 63 characters', ['pods', 0, 'namespace'], 'n'.repeat(64), `${K}.pods[0].namespace: "nnnn`],
    [
      'a runAsUser over 2147483647',
      ['pods', 0, 'securityContext', 'runAsUser'],
      2 ** 31,
      `${K}.pods[0].securityContext.runAsUser`,
    ],
    [
      'a credential variable with a value',
      [...container, 'credentialEnv', 0],
      'AWS_SECRET_ACCESS_KEY=abc',
      `${K}.pods[0].containers[0].credentialEnv[0]: must be one of`,
    ],
  ])('refuses %s, naming the path', (_, path, value, expected) => {
    expect(problems(withKubernetes(path, value)).some((p) => p.startsWith(expected))).toBe(true);
  });

  it('refuses an endpoint that is not https', () => {
    const copy = JSON.parse(JSON.stringify(maximal));
    copy.accounts[0].clusters[0].endpoint = 'http://example.com';
    expect(problems(copy)).toEqual([
      '$.accounts[0].clusters[0].endpoint: "http://example.com" does not match ^https://',
    ]);
  });

  it('accepts podIdentityWebhook null (not read)', () => {
    expect(() => parseSnapshot(withKubernetes(['podIdentityWebhook'], null))).not.toThrow();
  });
});
