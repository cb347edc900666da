import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
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
          endpoint: 'https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com',
          arn: 'arn:aws:eks:us-west-2:111111111111:cluster/prod',
          oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
          tags: { team: 'platform' },
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
