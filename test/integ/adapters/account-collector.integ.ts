/**
 * Collection against the emulator through the real SDK v3: the hub assumes the scanner role in a member account
 * (the emulator gives each account its own IAM and EKS data), reads it into the snapshot shape, and the analysis of
 * that snapshot finds what was seeded.
 */
import { CreateAddonCommand, CreateClusterCommand, CreatePodIdentityAssociationCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../../emulator/seed';
import { collectAccount } from '../../../lambdas/adapters/account-collector';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import { atLeast } from '../../../lambdas/domain/finding';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import { endpointUrl } from '../emulator-env';

const HUB = '123456789012';
const MEMBER = '333333333333';
const factory = new AwsClientFactory({
  endpoint: endpointUrl(),
  roleName: 'IrsaDoctorScanner',
  hubAccountId: HUB,
  credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret' },
  maxAttempts: 3,
});

const seed = seedClients(endpointUrl(), MEMBER);

const trust = (issuer: string, sub: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${MEMBER}:oidc-provider/${issuer.replace('https://', '')}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuer.replace('https://', '')}:sub`]: sub,
            [`${issuer.replace('https://', '')}:aud`]: 'sts.amazonaws.com',
          },
        },
      },
    ],
  });

async function createCluster(name: string, region: string): Promise<string> {
  const out = await seed.eks(region).send(
    new CreateClusterCommand({
      name,
      roleArn: `arn:aws:iam::${MEMBER}:role/eks`,
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
    }),
  );
  return out.cluster?.identity?.oidc?.issuer ?? '';
}

describe('collectAccount against the emulator', () => {
  let prod = '';
  let eu = '';

  beforeAll(async () => {
    // Given a member account with a cluster in each of two regions, a provider for one, and three roles
    const iam = seed.iam;
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'IrsaDoctorScanner',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    prod = await createCluster('prod', 'us-west-2');
    eu = await createCluster('eu', 'eu-west-1');
    await seed.eks('us-west-2').send(
      new CreateAddonCommand({
        clusterName: 'prod',
        addonName: 'aws-ebs-csi-driver',
        addonVersion: 'v1.40.0-eksbuild.1',
        serviceAccountRoleArn: `arn:aws:iam::${MEMBER}:role/ebs`,
      }),
    );
    await seed.eks('us-west-2').send(new CreateAddonCommand({ clusterName: 'prod', addonName: 'coredns' }));
    await seed.eks('eu-west-1').send(
      new CreatePodIdentityAssociationCommand({
        clusterName: 'eu',
        namespace: 'apps',
        serviceAccount: 'worker',
        roleArn: `arn:aws:iam::${MEMBER}:role/worker`,
      }),
    );
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: prod, ClientIDList: ['sts.amazonaws.com'] }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'lbc',
        AssumeRolePolicyDocument: trust(prod, 'system:serviceaccount:kube-system:lbc'),
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'eu-app',
        AssumeRolePolicyDocument: trust(eu, 'system:serviceaccount:apps:api'),
      }),
    );
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'ec2',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
  });

  it('reads clusters of every region, providers, and roles with decoded trust policies and tags', async () => {
    // When the account is collected
    const account = await collectAccount(factory, MEMBER, { regions: ['us-west-2', 'eu-west-1'] });
    // Then everything seeded is there, in the snapshot shape
    expect(account.collection).toEqual({ status: 'complete', regions: ['us-west-2', 'eu-west-1'] });
    expect(account.clusters.map((c) => [c.name, c.region, c.oidcIssuer])).toEqual([
      ['prod', 'us-west-2', prod],
      ['eu', 'eu-west-1', eu],
    ]);
    expect(prod).not.toBe(eu);
    // The API endpoint DescribeCluster gives, which scan --kubeconfig matches contexts against
    expect(account.clusters.map((c) => new URL(c.endpoint ?? 'http://none').hostname)).toEqual([
      expect.stringMatching(/\.us-west-2\.eks\.amazonaws\.com$/),
      expect.stringMatching(/\.eu-west-1\.eks\.amazonaws\.com$/),
    ]);
    expect(account.oidcProviders.map((p) => [p.url, p.clientIds])).toEqual([
      [prod.replace('https://', ''), ['sts.amazonaws.com']],
    ]);
    const lbc = account.roles.find((r) => r.name === 'lbc');
    expect(lbc?.tags).toEqual({ team: 'platform' });
    expect(typeof lbc?.trustPolicy === 'string' && JSON.parse(lbc.trustPolicy)).toEqual(
      JSON.parse(trust(prod, 'system:serviceaccount:kube-system:lbc')),
    );
  });

  it('reads add-ons that run with a role as service accounts, and Pod Identity associations with their roles', async () => {
    const account = await collectAccount(factory, MEMBER, { regions: ['us-west-2', 'eu-west-1'] });
    // The EBS CSI driver runs as kube-system/ebs-csi-controller-sa (from DescribeAddonConfiguration); coredns has no role
    expect(account.serviceAccounts).toEqual([
      {
        cluster: 'prod',
        region: 'us-west-2',
        namespace: 'kube-system',
        name: 'ebs-csi-controller-sa',
        roleArn: `arn:aws:iam::${MEMBER}:role/ebs`,
        source: 'addon',
        addon: 'aws-ebs-csi-driver',
      },
    ]);
    expect(
      account.podIdentityAssociations?.map((a) => [a.cluster, a.region, a.namespace, a.serviceAccount, a.roleArn]),
    ).toEqual([['eu', 'eu-west-1', 'apps', 'worker', `arn:aws:iam::${MEMBER}:role/worker`]]);
  });

  it('reports an account whose scanner role cannot be assumed as unreachable, after one refused AssumeRole', async () => {
    // Given an account nobody deployed the scanner role to
    const account = await collectAccount(factory, '444444444444', { regions: ['us-west-2'] });
    expect(account.collection?.status).toBe('unreachable');
    expect(account.collection?.errors).toEqual([
      expect.objectContaining({ operation: 'sts:AssumeRole', code: 'AccessDenied' }),
    ]);
    const { findings } = analyzeEstate(parseSnapshot({ schemaVersion: 1, partition: 'aws', accounts: [account] }));
    expect(findings.map((f) => f.ruleId)).toEqual(['SWEEP-001']);
  });

  it('keeps accounts apart: the hub does not see the member account roles', async () => {
    const hub = await collectAccount(factory, HUB, { regions: ['us-west-2'] });
    expect(hub.roles.map((r) => r.name)).not.toContain('eu-app');
  });

  it('gives a snapshot the analysis reads: the missing provider is found, the healthy role is clean', async () => {
    const account = await collectAccount(factory, MEMBER, { regions: ['us-west-2', 'eu-west-1'] });
    const snapshot = parseSnapshot({ schemaVersion: 1, partition: 'aws', accounts: [account] });
    const { findings } = analyzeEstate(snapshot);
    expect(findings.filter((f) => f.ruleId === 'IRSA-001' && f.severity === 'critical').map((f) => f.cluster)).toEqual([
      'eu',
    ]);
    expect(findings.filter((f) => f.resourceArn.endsWith('role/lbc') && atLeast(f.severity, 'medium'))).toEqual([]);
  });
});
