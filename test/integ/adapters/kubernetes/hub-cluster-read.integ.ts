/**
 * The hub collector's cluster path end to end, against the emulator (EKS, STS) and the real kube-apiserver: the
 * collector describes an emulated cluster (API_AND_CONFIG_MAP, public endpoint open to any address), signs the EKS
 * token as the member scanner role, and reads through kapi's KubeApiClient and readClusterKubernetes. The emulated
 * cluster's endpoint does not exist, so the read is pointed at the local API server (its URL and CA): that server
 * does not run aws-iam-authenticator, so it refuses the EKS token with a real 401 (KUBE-001's "no access entry");
 * the same path with the viewer's static token reads the cluster, complete.
 */
import { readFileSync } from 'node:fs';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../../../emulator/seed';
import { kubeEnv } from '../../../../kube/local-cluster';
import { collectAccount } from '../../../../lambdas/adapters/account-collector';
import { AwsClientFactory } from '../../../../lambdas/adapters/aws-clients';
import { type EksApiAccess, eksClusterReader } from '../../../../lambdas/adapters/kubernetes/eks-cluster-reader';
import { hubKubernetesRead } from '../../../../lambdas/adapters/kubernetes/hub-cluster-read';
import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import type { AccountSnapshot } from '../../../../lambdas/domain/snapshot';
import { endpointUrl } from '../../emulator-env';

const HUB = '123456789012';
const MEMBER = '666677778888';
const SCANNER = `arn:aws:iam::${MEMBER}:role/IrsaDoctorScanner`;

const factory = new AwsClientFactory({
  endpoint: endpointUrl(),
  roleName: 'IrsaDoctorScanner',
  hubAccountId: HUB,
  credentials: { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret' },
  maxAttempts: 3,
});

/** The local API server in place of the emulated cluster's endpoint, with `token` when given (else the EKS token). */
function localServer(token?: string) {
  const env = kubeEnv();
  const read = hubKubernetesRead({}, SCANNER);
  const seen: EksApiAccess[] = [];
  return {
    seen,
    read: (access: EksApiAccess) => {
      seen.push(access);
      return read({ server: env.server, ca: readFileSync(env.caFile, 'utf8'), token: token ?? access.token });
    },
  };
}

async function collect(read: (access: EksApiAccess) => ReturnType<ReturnType<typeof hubKubernetesRead>>) {
  return collectAccount(factory, MEMBER, {
    regions: ['us-west-2'],
    workloads: false,
    kubernetes: eksClusterReader({ read, stsEndpoint: endpointUrl() }),
  });
}

beforeAll(async () => {
  const seed = seedClients(endpointUrl(), MEMBER);
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: 'IrsaDoctorScanner',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await seed.eks('us-west-2').send(
    new CreateClusterCommand({
      name: 'shop',
      roleArn: `arn:aws:iam::${MEMBER}:role/eks`,
      resourcesVpcConfig: { subnetIds: ['subnet-1'], endpointPublicAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    }),
  );
});

describe('the hub reads a cluster as the scanner role', () => {
  let account: AccountSnapshot;
  const server = localServer();

  beforeAll(async () => {
    account = await collect(server.read);
  });

  it('sends the EKS token of the scanner role, and the API server refuses it: NoAccessEntry, nothing read', () => {
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0]?.token.startsWith('k8s-aws-v1.')).toBe(true);
    const k = account.clusters[0]?.kubernetes;
    expect(k?.status).toBe('unreadable');
    expect(k?.errors?.[0]?.code).toBe('NoAccessEntry');
    expect(k?.readAs).toBe(SCANNER);
    expect(k?.serviceAccounts).toEqual([]);
  });

  it('gives KUBE-001 and its create-access-entry plan for the scanner role, and no cluster-side "missing" finding', () => {
    const estate = { schemaVersion: 1 as const, partition: 'aws', accounts: [account] };
    const findings = analyzeEstate(estate).findings;
    expect(findings.filter((f) => f.ruleId === 'KUBE-001')).toHaveLength(1);
    expect(findings.filter((f) => f.ruleId.startsWith('KUBE-') && f.ruleId !== 'KUBE-001')).toEqual([]);
    const plan = planEstate(estate).plans.find((p) => p.action === 'create-access-entry');
    expect(plan?.action === 'create-access-entry' && plan.after.principalArn).toBe(SCANNER);
  });
});

describe('the same path with an identity the API server knows', () => {
  it('reads the cluster complete through the paginated lists', async () => {
    const viewer = localServer(kubeEnv().identities.viewer.token);
    const account = await collect(viewer.read);
    const k = account.clusters[0]?.kubernetes;
    expect(k?.status).toBe('complete');
    expect(k?.serverVersion).toMatch(/^v1\./);
    expect(k?.readAs).toBe(SCANNER);
  });
});
