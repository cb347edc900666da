/**
 * A small organization with IRSA faults from the catalog, seeded into the emulator as an administrator would set it
 * up, and the same estate written directly as a snapshot fixture. A scan of the emulator must analyze exactly like
 * the fixture: that is how the integration tests hold collection to the snapshot contract.
 *
 * Accounts (created through Organizations CreateAccount, so their ids are the emulator's): platform and payments
 * (in OU "workloads", each with the scanner role), sandbox (no scanner role: unreachable).
 */
import { CreateAddonCommand, CreateClusterCommand, CreatePodIdentityAssociationCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, TagRoleCommand } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  DescribeOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import { type SeedClients, seedClients } from '../emulator/seed';
import { OPT_IN_TAG, OPT_IN_VALUE } from '../lambdas/domain/remediation-scope';
import { type AccountSnapshot, type EstateSnapshot, unreachableAccount } from '../lambdas/domain/snapshot';

export const HUB = '123456789012';
export const SCANNER_ROLE = 'IrsaDoctorScanner';
export const REGIONS = ['us-west-2', 'eu-west-1'] as const;
const GOOD_THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

type AccountKey = 'platform' | 'payments' | 'sandbox';
type ClusterKey = 'prod' | 'stage' | 'pay' | 'batch' | 'dev';

const CLUSTERS: Record<ClusterKey, { account: AccountKey; region: string }> = {
  prod: { account: 'platform', region: 'us-west-2' },
  stage: { account: 'platform', region: 'eu-west-1' },
  pay: { account: 'payments', region: 'us-west-2' },
  batch: { account: 'payments', region: 'eu-west-1' },
  dev: { account: 'sandbox', region: 'us-west-2' },
};

export interface OrgEstate {
  readonly ids: Record<AccountKey, string>;
  /** Issuer host/path (no scheme) of each cluster. */
  readonly issuers: Record<ClusterKey, string>;
  readonly ouId: string;
}

interface AccountDefinition {
  readonly scanner: boolean;
  readonly providers: ReadonlyArray<{ cluster: ClusterKey; clientIds: string[]; thumbprints: string[] }>;
  readonly roles: ReadonlyArray<{ name: string; trust: object; tags?: Record<string, string> }>;
  readonly addons: ReadonlyArray<{ cluster: ClusterKey; name: string; version: string; role?: string }>;
  readonly podIdentity: ReadonlyArray<{ cluster: ClusterKey; namespace: string; serviceAccount: string; role: string }>;
}

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** The whole estate, given the ids and issuers the emulator handed out. */
function definition(e: Omit<OrgEstate, 'ouId'>): Record<AccountKey, AccountDefinition> {
  const providerArn = (cluster: ClusterKey) =>
    `arn:aws:iam::${e.ids[CLUSTERS[cluster].account]}:oidc-provider/${e.issuers[cluster]}`;
  const irsa = (
    cluster: ClusterKey,
    conditions: Record<string, Record<string, unknown>>,
    action = 'sts:AssumeRoleWithWebIdentity',
  ) => ({
    Effect: 'Allow',
    Principal: { Federated: providerArn(cluster) },
    Action: action,
    Condition: conditions,
  });
  const subAud = (cluster: ClusterKey, sub: string) => ({
    StringEquals: { [`${e.issuers[cluster]}:sub`]: sub, [`${e.issuers[cluster]}:aud`]: 'sts.amazonaws.com' },
  });
  const scannerTrust = doc({
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${HUB}:root` },
    Action: 'sts:AssumeRole',
  });
  return {
    platform: {
      scanner: true,
      providers: [{ cluster: 'prod', clientIds: ['sts.amazonaws.com'], thumbprints: [GOOD_THUMBPRINT] }],
      roles: [
        {
          name: 'healthy-lbc',
          trust: doc(irsa('prod', subAud('prod', 'system:serviceaccount:kube-system:aws-load-balancer-controller'))),
          tags: { team: 'platform' },
        },
        {
          name: 'assume-role-action',
          trust: doc(irsa('prod', subAud('prod', 'system:serviceaccount:apps:api'), 'sts:AssumeRole')),
        },
        {
          name: 'service-principal',
          trust: doc({
            Effect: 'Allow',
            Principal: { Service: providerArn('prod') },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: subAud('prod', 'system:serviceaccount:apps:web'),
          }),
        },
        {
          name: 'stray-space',
          trust: doc(irsa('prod', subAud('prod', 'system:serviceaccount: kube-system:external-dns'))),
        },
        {
          name: 'no-aud',
          trust: doc(irsa('prod', { StringEquals: { [`${e.issuers.prod}:sub`]: 'system:serviceaccount:apps:jobs' } })),
        },
        { name: 'stage-app', trust: doc(irsa('stage', subAud('stage', 'system:serviceaccount:apps:api'))) },
        {
          name: 'wrong-region',
          trust: doc({
            ...irsa('prod', subAud('prod', 'system:serviceaccount:apps:reports')),
            Principal: { Federated: providerArn('prod').replace('us-west-2', 'us-east-1') },
          }),
        },
        {
          name: 'ebs-csi',
          trust: doc(irsa('prod', subAud('prod', 'system:serviceaccount:kube-system:ebs-csi-node-sa'))),
        },
      ].concat([{ name: SCANNER_ROLE, trust: scannerTrust }]),
      addons: [
        { cluster: 'prod', name: 'aws-ebs-csi-driver', version: 'v1.40.0-eksbuild.1', role: 'ebs-csi' },
        { cluster: 'prod', name: 'coredns', version: 'v1.11.4-eksbuild.2' },
      ],
      podIdentity: [],
    },
    payments: {
      scanner: true,
      providers: [
        { cluster: 'pay', clientIds: [], thumbprints: [GOOD_THUMBPRINT] },
        { cluster: 'batch', clientIds: ['sts.amazonaws.com'], thumbprints: [GOOD_THUMBPRINT] },
      ],
      roles: [
        { name: 'healthy-batch', trust: doc(irsa('batch', subAud('batch', 'system:serviceaccount:jobs:runner'))) },
        {
          name: 'merged-clusters',
          trust: doc(
            irsa('pay', {
              StringEquals: {
                [`${e.issuers.pay}:sub`]: 'system:serviceaccount:apps:ledger',
                [`${e.issuers.batch}:sub`]: 'system:serviceaccount:apps:ledger',
              },
            }),
          ),
        },
        { name: 'wildcard-equals', trust: doc(irsa('pay', subAud('pay', 'system:serviceaccount:apps:*'))) },
        { name: 'pi-worker', trust: doc(irsa('batch', subAud('batch', 'system:serviceaccount:jobs:worker'))) },
        { name: SCANNER_ROLE, trust: scannerTrust },
      ],
      addons: [],
      podIdentity: [{ cluster: 'batch', namespace: 'jobs', serviceAccount: 'worker', role: 'pi-worker' }],
    },
    sandbox: {
      scanner: false,
      providers: [],
      roles: [{ name: 'dev-app', trust: doc(irsa('dev', subAud('dev', 'system:serviceaccount:apps:api'))) }],
      addons: [],
      podIdentity: [],
    },
  };
}

/** The trust policy Organizations puts on OrganizationAccountAccessRole in the accounts it creates. */
function organizationAccessTrust() {
  return doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' });
}

export interface SeedOptions {
  /** Also deploy the remediator role (member stack) where the scanner role is, trusting the hub. */
  readonly remediatorRole?: string;
  /** Deploy the member roles to the hub account too (the workflow assumes them there as well). */
  readonly hubMemberRoles?: boolean;
}

export async function seedOrgEstate(endpoint: string, options: SeedOptions = {}): Promise<OrgEstate> {
  const hub = seedClients(endpoint, HUB);
  const { ids, ouId } = await createOrganization(hub);
  const issuers = await createClusters(endpoint, ids);
  const defs = definition({ ids, issuers });
  for (const key of ['platform', 'payments', 'sandbox'] as const) {
    await seedAccount(seedClients(endpoint, ids[key]), ids[key], defs[key], issuers, options);
  }
  if (options.hubMemberRoles) {
    const seed = seedClients(endpoint, HUB);
    for (const name of [SCANNER_ROLE, ...(options.remediatorRole ? [options.remediatorRole] : [])]) {
      await seed.iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(hubRootTrust()) }),
      );
    }
  }
  return { ids, issuers, ouId };
}

/** The organization, its OU "workloads" with platform and payments in it, and sandbox under the root. */
async function createOrganization(hub: SeedClients): Promise<{ ids: Record<AccountKey, string>; ouId: string }> {
  try {
    await hub.organizations.send(new DescribeOrganizationCommand({}));
    throw new Error('the emulator already has an organization: run the organization tests on a fresh emulator');
  } catch (err) {
    if ((err as Error).name !== 'AWSOrganizationsNotInUseException') throw err;
  }
  await hub.organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await hub.organizations.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  const ou = await hub.organizations.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'workloads' }));
  const ouId = ou.OrganizationalUnit?.Id ?? '';
  const ids = {} as Record<AccountKey, string>;
  for (const key of ['platform', 'payments', 'sandbox'] as const) {
    const created = await hub.organizations.send(
      new CreateAccountCommand({ AccountName: key, Email: `${key}@example.com` }),
    );
    const id = created.CreateAccountStatus?.AccountId ?? '';
    ids[key] = id;
    if (key !== 'sandbox') {
      await hub.organizations.send(
        new MoveAccountCommand({ AccountId: id, SourceParentId: rootId, DestinationParentId: ouId }),
      );
    }
  }
  return { ids, ouId };
}

/** Each cluster in its account and region; their issuers (no scheme), as the emulator hands them out. */
async function createClusters(endpoint: string, ids: Record<AccountKey, string>): Promise<Record<ClusterKey, string>> {
  const issuers = {} as Record<ClusterKey, string>;
  for (const [key, where] of Object.entries(CLUSTERS) as Array<[ClusterKey, (typeof CLUSTERS)[ClusterKey]]>) {
    const out = await seedClients(endpoint, ids[where.account])
      .eks(where.region)
      .send(
        new CreateClusterCommand({
          name: key,
          roleArn: `arn:aws:iam::${ids[where.account]}:role/eks-cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-1'] },
        }),
      );
    issuers[key] = (out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
  }
  return issuers;
}

/** One account's providers, roles (the remediator too, where the scanner is), add-ons and Pod Identity associations. */
async function seedAccount(
  seed: SeedClients,
  accountId: string,
  def: AccountDefinition,
  issuers: Record<ClusterKey, string>,
  options: SeedOptions,
): Promise<void> {
  for (const p of def.providers) {
    await seed.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${issuers[p.cluster]}`,
        ClientIDList: p.clientIds,
        ThumbprintList: p.thumbprints,
      }),
    );
  }
  if (def.scanner && options.remediatorRole) {
    await seed.iam.send(
      new CreateRoleCommand({
        RoleName: options.remediatorRole,
        AssumeRolePolicyDocument: JSON.stringify(hubRootTrust()),
      }),
    );
  }
  for (const r of def.roles) {
    if (r.name === SCANNER_ROLE && !def.scanner) continue;
    await seedRole(seed, r);
  }
  for (const a of def.addons) {
    await seed.eks(CLUSTERS[a.cluster].region).send(
      new CreateAddonCommand({
        clusterName: a.cluster,
        addonName: a.name,
        addonVersion: a.version,
        ...(a.role ? { serviceAccountRoleArn: `arn:aws:iam::${accountId}:role/${a.role}` } : {}),
      }),
    );
  }
  for (const p of def.podIdentity) {
    await seed.eks(CLUSTERS[p.cluster].region).send(
      new CreatePodIdentityAssociationCommand({
        clusterName: p.cluster,
        namespace: p.namespace,
        serviceAccount: p.serviceAccount,
        roleArn: `arn:aws:iam::${accountId}:role/${p.role}`,
      }),
    );
  }
}

async function seedRole(seed: SeedClients, r: AccountDefinition['roles'][number]): Promise<void> {
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: r.name,
      AssumeRolePolicyDocument: JSON.stringify(r.trust),
      // The operator opted these roles in to remediation (the member stacks' default scope, remediableRoles).
      ...(r.name === SCANNER_ROLE ? {} : { Tags: [{ Key: OPT_IN_TAG, Value: OPT_IN_VALUE }] }),
    }),
  );
  if (r.tags) {
    await seed.iam.send(
      new TagRoleCommand({
        RoleName: r.name,
        Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
}

function hubRootTrust() {
  return doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' });
}

/** The same estate as a hand-built snapshot: what a complete scan of platform, payments and sandbox must analyze like. */
export function orgEstateFixture(e: OrgEstate): EstateSnapshot {
  const defs = definition(e);
  const account = (key: AccountKey): AccountSnapshot => {
    const id = e.ids[key];
    const def = defs[key];
    if (!def.scanner) {
      return unreachableAccount(
        id,
        [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized to perform: sts:AssumeRole' }],
        key,
      );
    }
    const clusters = (Object.entries(CLUSTERS) as Array<[ClusterKey, (typeof CLUSTERS)[ClusterKey]]>).filter(
      ([, c]) => c.account === key,
    );
    return {
      accountId: id,
      name: key,
      collection: { status: 'complete', regions: [...REGIONS] },
      clusters: clusters.map(([name, c]) => ({
        name,
        region: c.region,
        status: 'ACTIVE',
        oidcIssuer: `https://${e.issuers[name]}`,
      })),
      oidcProviders: def.providers.map((p) => ({
        arn: `arn:aws:iam::${id}:oidc-provider/${e.issuers[p.cluster]}`,
        url: e.issuers[p.cluster],
        clientIds: p.clientIds,
        thumbprints: p.thumbprints,
      })),
      roles: [{ name: 'OrganizationAccountAccessRole', trust: organizationAccessTrust() as object }, ...def.roles].map(
        (r) => ({ arn: `arn:aws:iam::${id}:role/${r.name}`, name: r.name, trustPolicy: JSON.stringify(r.trust) }),
      ),
      serviceAccounts: def.addons
        .filter((a) => a.role)
        .map((a) => ({
          cluster: a.cluster,
          region: CLUSTERS[a.cluster].region,
          namespace: 'kube-system',
          name: a.name === 'aws-ebs-csi-driver' ? 'ebs-csi-controller-sa' : a.name,
          roleArn: `arn:aws:iam::${id}:role/${a.role}`,
          source: 'addon' as const,
          addon: a.name,
        })),
      podIdentityAssociations: def.podIdentity.map((p) => ({
        cluster: p.cluster,
        region: CLUSTERS[p.cluster].region,
        namespace: p.namespace,
        serviceAccount: p.serviceAccount,
        roleArn: `arn:aws:iam::${id}:role/${p.role}`,
      })),
    };
  };
  return {
    schemaVersion: 1,
    partition: 'aws',
    accounts: (['platform', 'payments', 'sandbox'] as const)
      .map(account)
      .sort((a, b) => a.accountId.localeCompare(b.accountId)),
  };
}
