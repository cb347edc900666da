/**
 * The hub collector's cluster path against the emulator: DescribeCluster's endpoint access and authentication mode
 * decide which clusters are read; those read get the EKS token of the member scanner role (the token's URL, called
 * against the emulator's STS as EKS's authenticator calls it, answers with the scanner role's assumed-role ARN) and
 * the endpoint; the others are unreadable with reason and fix, and nothing is called for them.
 */
import { CreateClusterCommand, type CreateClusterCommandInput } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../../../emulator/seed';
import { collectAccount } from '../../../../lambdas/adapters/account-collector';
import { AwsClientFactory } from '../../../../lambdas/adapters/aws-clients';
import { type EksApiAccess, eksClusterReader } from '../../../../lambdas/adapters/kubernetes/eks-cluster-reader';
import { decodeEksToken } from '../../../../lambdas/adapters/kubernetes/eks-token';
import type { ClusterSnapshot } from '../../../../lambdas/domain/snapshot';
import { endpointUrl } from '../../emulator-env';

const HUB = '123456789012';
const MEMBER = '777788889999';
const SCANNER = `arn:aws:iam::${MEMBER}:role/IrsaDoctorScanner`;
const seed = seedClients(endpointUrl(), MEMBER);
const factory = new AwsClientFactory({
  endpoint: endpointUrl(),
  roleName: 'IrsaDoctorScanner',
  hubAccountId: HUB,
  credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret' },
  maxAttempts: 3,
});

function cluster(name: string, extra: Partial<CreateClusterCommandInput>): Promise<unknown> {
  return seed.eks('us-west-2').send(
    new CreateClusterCommand({
      name,
      roleArn: `arn:aws:iam::${MEMBER}:role/eks`,
      resourcesVpcConfig: { subnetIds: ['subnet-1'], endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      ...extra,
    }),
  );
}

describe('collectAccount with the cluster read', () => {
  const reads: EksApiAccess[] = [];
  let clusters: Map<string, ClusterSnapshot>;
  let callerOfToken = '';

  beforeAll(async () => {
    await seed.iam.send(
      new CreateRoleCommand({
        RoleName: 'IrsaDoctorScanner',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await cluster('open', {});
    await cluster('private', {
      resourcesVpcConfig: { subnetIds: ['subnet-1'], endpointPublicAccess: false, endpointPrivateAccess: true },
    });
    await cluster('restricted', {
      resourcesVpcConfig: {
        subnetIds: ['subnet-1'],
        endpointPublicAccess: true,
        publicAccessCidrs: ['203.0.113.0/24'],
      },
    });
    await cluster('configmap', { accessConfig: { authenticationMode: 'CONFIG_MAP' } });

    const reader = eksClusterReader({
      stsEndpoint: endpointUrl(),
      // The API server of "open" refuses the token as EKS does without an access entry (401); before that, the
      // token's URL is called on the emulator's STS, as EKS's authenticator calls it, to see whose token it is.
      read: async (access) => {
        reads.push(access);
        const url = decodeEksToken(access.token);
        const res = await fetch(url?.href ?? '', { headers: { 'x-k8s-aws-id': 'open' } });
        callerOfToken = /<Arn>([^<]+)<\/Arn>/.exec(await res.text())?.[1] ?? '';
        throw Object.assign(new Error('open: 401 Unauthorized'), { name: 'KubeUnauthorizedError', status: 401 });
      },
    });
    const account = await collectAccount(factory, MEMBER, {
      regions: ['us-west-2'],
      workloads: false,
      kubernetes: reader,
    });
    clusters = new Map(account.clusters.map((c) => [c.name, c]));
  });

  it('reads only the cluster with a public endpoint open to any address, in an access-entry mode', () => {
    expect(reads.map((r) => r.server)).toEqual([clusters.get('open')?.endpoint]);
    expect(clusters.get('open')?.authenticationMode).toBe('API_AND_CONFIG_MAP');
  });

  it("signs the token as the member account's scanner role", () => {
    expect(callerOfToken).toMatch(new RegExp(`^arn:aws:sts::${MEMBER}:assumed-role/IrsaDoctorScanner/`));
  });

  it('records the 401 as NoAccessEntry, read as the scanner role', () => {
    const k = clusters.get('open')?.kubernetes;
    expect(k?.status).toBe('unreadable');
    expect(k?.errors?.[0]?.code).toBe('NoAccessEntry');
    expect(k?.readAs).toBe(SCANNER);
  });

  it.each([
    ['private', 'PrivateEndpoint'],
    ['restricted', 'RestrictedEndpoint'],
    ['configmap', 'ConfigMapOnly'],
  ])('records %s as unreadable (%s) with a reason and a fix, never as empty', (name, code) => {
    const k = clusters.get(name)?.kubernetes;
    expect(k?.status).toBe('unreadable');
    expect(k?.errors?.[0]?.code).toBe(code);
    expect(k?.reason).toBeTruthy();
    expect(k?.fix).toBeTruthy();
  });
});
