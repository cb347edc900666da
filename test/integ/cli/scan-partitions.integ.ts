/**
 * `irsa-doctor scan` of a China (aws-cn) and a GovCloud (aws-us-gov) estate, each created in the emulator through the
 * real SDK in its own partition's regions: the scan reaches STS, IAM and EKS in that partition and its findings are
 * those of the same estate written as a snapshot fixture. A healthy cluster and its roles give no IRSA-001 (no
 * provider) and no IRSA-044 (other partition), which a sweep labelled `aws` reported; the estate's one real fault (a
 * role trusting an `arn:aws:` provider) is found.
 */
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { main } from '../../../cli/main';
import { seedClients } from '../../../emulator/seed';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../lambdas/domain/finding';
import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
import { captureIo } from '../../support/cli-io';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

/** moto's account for the emulator's own credentials: the hub, whose scanner role the members trust. */
const HUB = '123456789012';
const SCANNER_ROLE = 'IrsaDoctorScanner';
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

interface PartitionEstate {
  readonly partition: 'aws-cn' | 'aws-us-gov';
  readonly account: string;
  /** The region IAM is signed in (the partition's IAM region). */
  readonly iamRegion: string;
  readonly clusters: ReadonlyArray<{ readonly name: string; readonly region: string }>;
}

const CHINA: PartitionEstate = {
  partition: 'aws-cn',
  account: '310000000001',
  iamRegion: 'cn-north-1',
  clusters: [
    { name: 'prod', region: 'cn-north-1' },
    { name: 'batch', region: 'cn-northwest-1' },
  ],
};
const GOVCLOUD: PartitionEstate = {
  partition: 'aws-us-gov',
  account: '320000000001',
  iamRegion: 'us-gov-west-1',
  clusters: [{ name: 'prod', region: 'us-gov-west-1' }],
};

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** The estate's roles, given the issuers (host/path) the emulator handed its clusters. */
function roles(e: PartitionEstate, issuers: readonly string[]): Array<{ name: string; trust: object }> {
  const provider = (issuer: string, partition: string = e.partition) =>
    `arn:${partition}:iam::${e.account}:oidc-provider/${issuer}`;
  const irsa = (issuer: string, sa: string, partition?: string) => ({
    Effect: 'Allow',
    Principal: { Federated: provider(issuer, partition) },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${sa}`, [`${issuer}:aud`]: 'sts.amazonaws.com' },
    },
  });
  const [first] = issuers as [string];
  return [
    // One healthy role per cluster
    ...issuers.map((issuer, i) => ({ name: `healthy-${i}`, trust: doc(irsa(issuer, `apps:app-${i}`)) })),
    // The one fault: the provider ARN copied from a commercial account (arn:aws:)
    { name: 'commercial-arn', trust: doc(irsa(first, 'apps:copied', 'aws')) },
    {
      name: SCANNER_ROLE,
      trust: doc({
        Effect: 'Allow',
        Principal: { AWS: `arn:${e.partition}:iam::${HUB}:root` },
        Action: 'sts:AssumeRole',
      }),
    },
  ];
}

/** Creates the estate in the emulator, in its partition (clusters in its regions, IAM signed in its IAM region). */
async function seed(e: PartitionEstate): Promise<string[]> {
  const clients = seedClients(endpointUrl(), e.account, e.iamRegion);
  const issuers: string[] = [];
  for (const c of e.clusters) {
    const out = await clients.eks(c.region).send(
      new CreateClusterCommand({
        name: c.name,
        roleArn: `arn:${e.partition}:iam::${e.account}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      }),
    );
    issuers.push((out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', ''));
  }
  for (const issuer of issuers) {
    await clients.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${issuer}`,
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: [THUMBPRINT],
      }),
    );
  }
  for (const r of roles(e, issuers)) {
    await clients.iam.send(
      new CreateRoleCommand({ RoleName: r.name, AssumeRolePolicyDocument: JSON.stringify(r.trust) }),
    );
  }
  return issuers;
}

/** The same estate as a hand-written snapshot. */
function fixture(e: PartitionEstate, issuers: readonly string[], partition: string = e.partition): EstateSnapshot {
  return {
    schemaVersion: 1,
    partition,
    accounts: [
      {
        accountId: e.account,
        collection: { status: 'complete', regions: [...new Set(e.clusters.map((c) => c.region))] },
        clusters: e.clusters.map((c, i) => ({
          name: c.name,
          region: c.region,
          status: 'ACTIVE',
          oidcIssuer: `https://${issuers[i]}`,
        })),
        oidcProviders: issuers.map((issuer) => ({
          arn: `arn:${e.partition}:iam::${e.account}:oidc-provider/${issuer}`,
          url: issuer,
          clientIds: ['sts.amazonaws.com'],
          thumbprints: [THUMBPRINT],
        })),
        roles: roles(e, issuers).map((r) => ({
          arn: `arn:${e.partition}:iam::${e.account}:role/${r.name}`,
          name: r.name,
          trustPolicy: JSON.stringify(r.trust),
        })),
      },
    ],
  };
}

/** What a finding says, without ids or evidence text. */
const gist = (findings: readonly Pick<Finding, 'ruleId' | 'severity' | 'accountId' | 'resourceArn'>[]) =>
  findings.map((f) => [f.ruleId, f.severity, f.accountId, f.resourceArn].join(' | ')).sort();

async function scan(args: string[]): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const { io, out, err } = captureIo('', { env: {} });
  const code = await main(['scan', '--endpoint-url', endpointUrl(), '--no-tls', '-o', 'json', ...args], io);
  return { code, findings: code === 2 ? [] : JSON.parse(out()).findings, stderr: err() };
}

const seeded = new Map<PartitionEstate, string[]>();

beforeAll(async () => {
  useEmulatorCredentials();
  for (const e of [CHINA, GOVCLOUD]) seeded.set(e, await seed(e));
});

describe('irsa-doctor scan in the other partitions', () => {
  it.each([
    ['China, by --partition (its two regions by default)', CHINA, ['--partition', 'aws-cn']],
    ['GovCloud, by --region', GOVCLOUD, ['--region', 'us-gov-west-1']],
  ])("%s: the findings are the fixture's, and the healthy roles have none", async (_name, e, args) => {
    const issuers = seeded.get(e) ?? [];
    // The emulator gives the clusters issuers of the partition's domain
    expect(issuers[0]).toMatch(
      e.partition === 'aws-cn'
        ? /^oidc\.eks\.cn-north-1\.amazonaws\.com\.cn\/id\//
        : /^oidc\.eks\.us-gov-west-1\.amazonaws\.com\/id\//,
    );

    // When the member account is scanned in the partition
    const { code, findings, stderr } = await scan([...args, '--accounts', e.account]);

    // Then the scan ran, and its findings are those of the same estate written as a fixture, one for one
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const expected = analyzeEstate(fixture(e, issuers)).findings;
    expect(gist(findings)).toEqual(gist(expected));
    // And no provider is reported missing, no healthy role from another partition
    expect(findings.filter((f) => f.ruleId === 'IRSA-001')).toEqual([]);
    expect(findings.filter((f) => f.ruleId === 'IRSA-044').map((f) => f.resourceArn)).toEqual([
      `arn:${e.partition}:iam::${e.account}:role/commercial-arn`,
    ]);
    // Which is what labelling the estate `aws` got wrong: every provider "missing", every healthy role "foreign"
    const mislabelled = analyzeEstate(fixture(e, issuers, 'aws')).findings;
    expect(mislabelled.filter((f) => f.ruleId === 'IRSA-001' && f.severity === 'critical').length).toBeGreaterThan(0);
    expect(mislabelled.filter((f) => f.ruleId === 'IRSA-044').map((f) => f.resourceArn)).toContain(
      `arn:${e.partition}:iam::${e.account}:role/healthy-0`,
    );
  });

  it('refuses regions of another partition than the one asked for, before any call', async () => {
    const { code, stderr } = await scan(['--partition', 'aws-cn', '--regions', 'cn-north-1,us-west-2']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--regions must be regions of partition aws-cn .*not in it: us-west-2/);
  });
});
