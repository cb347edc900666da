/**
 * Checks the patches emulator/launch.py applies to the pinned moto server, through the real AWS SDK v3.
 * Run with: npx jest -c jest.integ.config.js (global setup starts the emulator and sets AWS_ENDPOINT_URL).
 */
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  CreateAddonCommand,
  CreateClusterCommand,
  CreatePodIdentityAssociationCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { endpointUrl } from './emulator-env';

const endpoint = endpointUrl();
const config = {
  endpoint,
  region: 'us-west-2',
  credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret' },
};
const iam = new IAMClient(config);
const eks = new EKSClient(config);
const thumbprint = 'a'.repeat(40);

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected the call to be rejected');
}

async function createProvider(url: string, clientIds: string[] = []): Promise<string> {
  const out = await iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: url, ThumbprintList: [thumbprint], ClientIDList: clientIds }),
  );
  if (!out.OpenIDConnectProviderArn) throw new Error('no provider ARN');
  return out.OpenIDConnectProviderArn;
}

async function clientIds(arn: string): Promise<string[]> {
  const out = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  return out.ClientIDList ?? [];
}

/** A compact (whitespace-free) IRSA trust policy of exactly `length` characters. */
function trustPolicy(length: number): string {
  const build = (pad: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF:sub': `system:serviceaccount:ns:${pad}`,
            },
          },
        },
      ],
    });
  const policy = build('a'.repeat(length - build('').length));
  expect(policy).toHaveLength(length);
  return policy;
}

beforeAll(async () => {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  expect(res.ok).toBe(true);
});

afterAll(() => {
  iam.destroy();
  eks.destroy();
});

describe('EKS: a unique OIDC issuer per cluster', () => {
  it('gives two clusters two different AWS-shaped issuers', async () => {
    const issuers: string[] = [];
    for (const name of ['alpha', 'beta']) {
      const out = await eks.send(
        new CreateClusterCommand({
          name,
          roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
          resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
        }),
      );
      issuers.push(out.cluster?.identity?.oidc?.issuer ?? '');
    }
    for (const issuer of issuers) {
      expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    }
    expect(issuers[0]).not.toBe(issuers[1]);
  });
});

describe('Partitions: issuers and ARNs of the cluster partition', () => {
  it.each([
    ['cn-northwest-1', 'aws-cn', 'amazonaws.com.cn'],
    ['us-gov-east-1', 'aws-us-gov', 'amazonaws.com'],
  ])(
    'in %s: the issuer is under the partition domain and add-on, association and access entry ARNs are %s',
    async (region, partition, domain) => {
      const regional = new EKSClient({ ...config, region });
      try {
        const name = `partition-${region}`;
        const out = await regional.send(
          new CreateClusterCommand({
            name,
            roleArn: `arn:${partition}:iam::123456789012:role/eks-cluster`,
            resourcesVpcConfig: { subnetIds: ['subnet-1'] },
          }),
        );
        expect(out.cluster?.arn).toBe(`arn:${partition}:eks:${region}:123456789012:cluster/${name}`);
        expect(out.cluster?.identity?.oidc?.issuer).toMatch(
          new RegExp(`^https://oidc\\.eks\\.${region}\\.${domain.replaceAll('.', '\\.')}/id/[0-9A-F]{32}$`),
        );
        const role = `arn:${partition}:iam::123456789012:role/app`;
        const addon = await regional.send(
          new CreateAddonCommand({ clusterName: name, addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.2' }),
        );
        expect(addon.addon?.addonArn).toMatch(new RegExp(`^arn:${partition}:eks:${region}:123456789012:addon/`));
        const association = await regional.send(
          new CreatePodIdentityAssociationCommand({
            clusterName: name,
            namespace: 'apps',
            serviceAccount: 'app',
            roleArn: role,
          }),
        );
        expect(association.association?.associationArn).toMatch(new RegExp(`^arn:${partition}:eks:${region}:`));
        const entry = await regional.send(new CreateAccessEntryCommand({ clusterName: name, principalArn: role }));
        expect(entry.accessEntry?.accessEntryArn).toMatch(new RegExp(`^arn:${partition}:eks:${region}:`));
        // The access policies are the partition's: its own ARN is accepted, the commercial one is not
        const policy = (p: string) => `arn:${p}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`;
        await regional.send(
          new AssociateAccessPolicyCommand({
            clusterName: name,
            principalArn: role,
            policyArn: policy(partition),
            accessScope: { type: 'cluster' },
          }),
        );
        const refused = await rejection(
          regional.send(
            new AssociateAccessPolicyCommand({
              clusterName: name,
              principalArn: role,
              policyArn: policy('aws'),
              accessScope: { type: 'cluster' },
            }),
          ),
        );
        expect(refused.name).toBe('InvalidParameterException');
      } finally {
        regional.destroy();
      }
    },
  );
});

describe('IAM: Add/RemoveClientIDToOpenIDConnectProvider', () => {
  it('adds idempotently and removes', async () => {
    const arn = await createProvider('https://oidc.example.com/clients', ['sts.amazonaws.com']);
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'extra' }));
    expect(await clientIds(arn)).toEqual(['sts.amazonaws.com', 'extra']);
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'extra' }));
    expect(await clientIds(arn)).toEqual(['sts.amazonaws.com', 'extra']);
    await iam.send(
      new RemoveClientIDFromOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: arn,
        ClientID: 'sts.amazonaws.com',
      }),
    );
    expect(await clientIds(arn)).toEqual(['extra']);
  });

  it('rejects an unknown provider with NoSuchEntity', async () => {
    const arn = 'arn:aws:iam::123456789012:oidc-provider/oidc.example.com/missing';
    const add = await rejection(
      iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'x' })),
    );
    expect(add.name).toBe('NoSuchEntityException');
    const remove = await rejection(
      iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'x' })),
    );
    expect(remove.name).toBe('NoSuchEntityException');
  });
});

describe('IAM: provider input validation', () => {
  it('rejects an http:// URL', async () => {
    const error = await rejection(createProvider('http://oidc.example.com/plain'));
    expect(error.name).toBe('ValidationError');
  });

  it('rejects a 39-character thumbprint', async () => {
    const error = await rejection(
      iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://oidc.example.com/short',
          ThumbprintList: ['a'.repeat(39)],
        }),
      ),
    );
    expect(error.name).toBe('ValidationError');
  });

  it('accepts a well-formed provider', async () => {
    await expect(createProvider('https://oidc.example.com/fine')).resolves.toMatch(
      /:oidc-provider\/oidc\.example\.com\/fine$/,
    );
  });
});

describe('IAM: trust policy checks', () => {
  it('accepts a 2,048-character trust policy, also pretty-printed, and rejects 2,049', async () => {
    const exact = trustPolicy(2048);
    await iam.send(new CreateRoleCommand({ RoleName: 'exact', AssumeRolePolicyDocument: exact }));
    const pretty = JSON.stringify(JSON.parse(exact), null, 2);
    expect(pretty.length).toBeGreaterThan(2048);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'exact', PolicyDocument: pretty }));

    const create = await rejection(
      iam.send(new CreateRoleCommand({ RoleName: 'too-big', AssumeRolePolicyDocument: trustPolicy(2049) })),
    );
    expect(create.name).toBe('LimitExceededException');
    expect(create.message).toBe('Cannot exceed quota for ACLSizePerRole: 2048');
    expect(create.$metadata?.httpStatusCode).toBe(409);
    const update = await rejection(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'exact', PolicyDocument: trustPolicy(2049) })),
    );
    expect(update.name).toBe('LimitExceededException');
  });

  it('rejects invalid JSON as MalformedPolicyDocument', async () => {
    const create = await rejection(
      iam.send(new CreateRoleCommand({ RoleName: 'bad-json', AssumeRolePolicyDocument: '{"Version": "2012-10-17",' })),
    );
    expect(create.name).toBe('MalformedPolicyDocumentException');
    expect(create.message).toBe('This policy contains invalid Json');
    const update = await rejection(
      iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'exact', PolicyDocument: 'not json' })),
    );
    expect(update.name).toBe('MalformedPolicyDocumentException');
  });
});
