import {
  type Addon,
  type Cluster,
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  type EKSClient,
  paginateListAddons,
  paginateListClusters,
  paginateListPodIdentityAssociations,
} from '@aws-sdk/client-eks';
import {
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  paginateGetAccountAuthorizationDetails,
  type RoleDetail,
} from '@aws-sdk/client-iam';
import { addonServiceAccounts } from '../domain/addons';
import type { EksEndpointFacts } from '../domain/kubernetes/eks-read-access';
import {
  type AccountSnapshot,
  type ClusterSnapshot,
  type CollectionError,
  type OidcProviderSnapshot,
  type PodIdentityAssociationSnapshot,
  type RoleSnapshot,
  type ServiceAccountSnapshot,
  unreachableAccount,
} from '../domain/snapshot';
import { mapLimit } from '../shared/concurrency';
import type { AwsClientFactory } from './aws-clients';
import { decodePolicyText } from './iam-text';
import type { EksClusterReader } from './kubernetes/eks-cluster-reader';
import type { ThumbprintObserver } from './oidc-thumbprint';

export interface CollectAccountOptions {
  /** Regions whose EKS clusters are listed. */
  readonly regions: readonly string[];
  /** Read EKS add-on service accounts and Pod Identity associations (default true). */
  readonly workloads?: boolean;
  /** Check each provider's issuer over TLS (once per host for the observer's lifetime); no check when absent. */
  readonly tls?: ThumbprintObserver;
  /** DescribeAddonConfiguration answers, shared across the accounts of one sweep (they depend only on name@version). */
  readonly addonConfigurations?: AddonConfigurationCache;
  /** Reads of one account in flight at once (cluster describes, provider reads). Default 8. */
  readonly concurrency?: number;
  /** Called when a region of this account has been read, for progress. */
  readonly onRegionDone?: (region: string) => void;
  /**
   * Read each ACTIVE cluster's Kubernetes API as the account's scanner role (its credentials make the EKS token);
   * not read when absent. The reader never throws: a cluster it cannot read is `unreadable` with reason and fix.
   */
  readonly kubernetes?: EksClusterReader;
  /** Clusters of one account read at once (Kubernetes lists are the heavy calls). Default 2. */
  readonly kubernetesConcurrency?: number;
}

/** name@version -> service account names, or the error that reading it gave. */
export type AddonConfigurationCache = Map<string, Promise<readonly string[]>>;

interface Recorder {
  readonly errors: CollectionError[];
  record(operation: string, err: unknown, region?: string): void;
}

/**
 * Reads one account into the snapshot shape with the fewest calls that see everything:
 * - enters the account first (the one STS AssumeRole, for a member account); failing that, the account is
 *   `unreachable` and nothing else is called;
 * - IAM roles with trust policies and tags: GetAccountAuthorizationDetails(Filter=Role), 1,000 roles per call, no
 *   per-role reads; trust policies decoded once and kept as JSON text;
 * - OIDC providers: one ListOpenIDConnectProviders, one GetOpenIDConnectProvider each, plus the TLS observation;
 * - per region: ListClusters (100 per page), one DescribeCluster each; with `workloads`, per cluster ListAddons,
 *   DescribeAddon each (DescribeAddonConfiguration once per add-on version when it runs with a role), and
 *   ListPodIdentityAssociations with DescribePodIdentityAssociation each.
 * A failed read is recorded and the rest goes on; the account is then `partial`, never reported as healthy.
 */
export async function collectAccount(
  factory: AwsClientFactory,
  accountId: string,
  options: CollectAccountOptions,
): Promise<AccountSnapshot> {
  const { regions } = options;
  const limit = options.concurrency ?? 8;
  const recorder: Recorder = {
    errors: [],
    record(operation, err, region) {
      const e = err as { name?: string; message?: string };
      this.errors.push({
        operation,
        ...(region ? { region } : {}),
        // The snapshot schema bounds these (code 256, message 4096 characters): an SDK error can carry a whole body.
        code: (e.name ?? 'Error').slice(0, 256),
        message: (e.message ?? String(err)).slice(0, 2048),
      });
    },
  };

  try {
    await factory.enter(accountId);
  } catch (err) {
    recorder.record('sts:AssumeRole', err);
    for (const region of regions) options.onRegionDone?.(region);
    return unreachableAccount(accountId, recorder.errors);
  }

  const [roles, oidcProviders] = await Promise.all([
    readRoles(factory, accountId, recorder),
    readProviders(factory, accountId, recorder, options.tls, limit),
  ]);

  const clusters: ClusterSnapshot[] = [];
  const serviceAccounts: ServiceAccountSnapshot[] = [];
  const podIdentityAssociations: PodIdentityAssociationSnapshot[] = [];
  const scanned: string[] = [];
  const scannerRoleArn = factory.roleArn(accountId);
  for (const region of regions) {
    const read = await readRegion(factory.eks(accountId, region), region, recorder, options, limit, scannerRoleArn);
    if (read) {
      scanned.push(region);
      clusters.push(...read.clusters);
      serviceAccounts.push(...read.serviceAccounts);
      podIdentityAssociations.push(...read.podIdentityAssociations);
    }
    options.onRegionDone?.(region);
  }

  const { errors } = recorder;
  return {
    accountId,
    clusters,
    oidcProviders,
    roles,
    ...(options.workloads !== false ? { serviceAccounts, podIdentityAssociations } : {}),
    collection: {
      status: errors.length === 0 ? 'complete' : 'partial',
      regions: scanned,
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}

/** One region's clusters and (with `workloads`) their add-on service accounts and Pod Identity associations;
 * undefined when the clusters could not be listed (recorded). */
async function readRegion(
  eks: EKSClient,
  region: string,
  recorder: Recorder,
  options: CollectAccountOptions,
  limit: number,
  scannerRoleArn?: string,
): Promise<
  | {
      clusters: ClusterSnapshot[];
      serviceAccounts: ServiceAccountSnapshot[];
      podIdentityAssociations: PodIdentityAssociationSnapshot[];
    }
  | undefined
> {
  const names: string[] = [];
  try {
    for await (const page of paginateListClusters({ client: eks, pageSize: 100 }, {})) {
      names.push(...(page.clusters ?? []));
    }
  } catch (err) {
    recorder.record('eks:ListClusters', err, region);
    return undefined;
  }
  const described = await mapLimit(names, limit, (name) => describeCluster(eks, name, region, recorder));
  const found = described.filter((c): c is DescribedCluster => c !== undefined);
  const clusters = options.kubernetes
    ? await readKubernetes(eks, found, options.kubernetes, options.kubernetesConcurrency ?? 2, scannerRoleArn)
    : found.map((c) => c.snapshot);
  const serviceAccounts: ServiceAccountSnapshot[] = [];
  const podIdentityAssociations: PodIdentityAssociationSnapshot[] = [];
  if (options.workloads !== false) {
    const cache = options.addonConfigurations ?? new Map();
    const perCluster = await mapLimit(clusters, limit, async (cluster) => ({
      addons: await readAddonServiceAccounts(eks, cluster.name, region, recorder, cache, limit),
      associations: await readPodIdentity(eks, cluster.name, region, recorder, limit),
    }));
    for (const { addons, associations } of perCluster) {
      serviceAccounts.push(...addons);
      podIdentityAssociations.push(...associations);
    }
  }
  return { clusters, serviceAccounts, podIdentityAssociations };
}

async function readRoles(factory: AwsClientFactory, accountId: string, recorder: Recorder): Promise<RoleSnapshot[]> {
  const roles: RoleSnapshot[] = [];
  try {
    for await (const page of paginateGetAccountAuthorizationDetails(
      { client: factory.iam(accountId), pageSize: 1000 },
      { Filter: ['Role'] },
    )) {
      for (const r of page.RoleDetailList ?? []) {
        const role = roleSnapshot(r);
        if (role) roles.push(role);
      }
    }
  } catch (err) {
    recorder.record('iam:GetAccountAuthorizationDetails', err);
  }
  return roles;
}

/** A role of GetAccountAuthorizationDetails as the snapshot holds it; undefined without an ARN or a name. */
function roleSnapshot(r: RoleDetail): RoleSnapshot | undefined {
  if (!r.Arn || !r.RoleName) return undefined;
  return {
    arn: r.Arn,
    name: r.RoleName,
    ...(r.Path ? { path: r.Path } : {}),
    trustPolicy: decodePolicyText(r.AssumeRolePolicyDocument ?? ''),
    tags: tagMap(r.Tags),
    ...(r.CreateDate ? { createDate: r.CreateDate.toISOString() } : {}),
    ...(r.RoleLastUsed?.LastUsedDate ? { lastUsedDate: r.RoleLastUsed.LastUsedDate.toISOString() } : {}),
  };
}

async function readProviders(
  factory: AwsClientFactory,
  accountId: string,
  recorder: Recorder,
  tls: ThumbprintObserver | undefined,
  limit: number,
): Promise<OidcProviderSnapshot[]> {
  const iam = factory.iam(accountId);
  let arns: string[];
  try {
    const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    arns = (list.OpenIDConnectProviderList ?? []).flatMap((e) => (e.Arn ? [e.Arn] : []));
  } catch (err) {
    recorder.record('iam:ListOpenIDConnectProviders', err);
    return [];
  }
  const read = await mapLimit(arns, limit, async (arn): Promise<OidcProviderSnapshot | undefined> => {
    try {
      const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
      const url = p.Url ?? '';
      const observation = tls && url ? await tls.observe(url) : undefined;
      return {
        arn,
        url,
        clientIds: p.ClientIDList ?? [],
        thumbprints: p.ThumbprintList ?? [],
        tags: tagMap(p.Tags),
        ...(p.CreateDate ? { createDate: p.CreateDate.toISOString() } : {}),
        ...(observation ? { tls: observation } : {}),
      };
    } catch (err) {
      recorder.record('iam:GetOpenIDConnectProvider', err);
      return undefined;
    }
  });
  return read.filter((p): p is OidcProviderSnapshot => p !== undefined);
}

interface DescribedCluster {
  readonly snapshot: ClusterSnapshot;
  readonly cluster: Cluster;
}

async function describeCluster(
  eks: EKSClient,
  name: string,
  region: string,
  recorder: Recorder,
): Promise<DescribedCluster | undefined> {
  try {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    if (!cluster) return undefined;
    const snapshot: ClusterSnapshot = {
      name,
      region,
      status: cluster.status ?? 'UNKNOWN',
      ...(cluster.version ? { version: cluster.version } : {}),
      ...(cluster.platformVersion ? { platformVersion: cluster.platformVersion } : {}),
      ...(cluster.arn ? { arn: cluster.arn } : {}),
      oidcIssuer: cluster.identity?.oidc?.issuer ?? null,
      ...(cluster.endpoint ? { endpoint: cluster.endpoint } : {}),
      tags: cluster.tags ?? {},
      ...(cluster.accessConfig?.authenticationMode
        ? { authenticationMode: cluster.accessConfig.authenticationMode }
        : {}),
    };
    return { snapshot, cluster };
  } catch (err) {
    recorder.record('eks:DescribeCluster', err, region);
    return undefined;
  }
}

/** What DescribeCluster says about reaching and entering the cluster's API. */
function endpointFacts({ snapshot, cluster }: DescribedCluster): EksEndpointFacts {
  const vpc = cluster.resourcesVpcConfig;
  return {
    name: snapshot.name,
    region: snapshot.region,
    status: snapshot.status,
    ...(cluster.endpoint ? { endpoint: cluster.endpoint } : {}),
    ...(cluster.certificateAuthority?.data ? { certificateAuthority: cluster.certificateAuthority.data } : {}),
    ...(vpc?.endpointPublicAccess !== undefined ? { endpointPublicAccess: vpc.endpointPublicAccess } : {}),
    ...(vpc?.endpointPrivateAccess !== undefined ? { endpointPrivateAccess: vpc.endpointPrivateAccess } : {}),
    ...(vpc?.publicAccessCidrs ? { publicAccessCidrs: vpc.publicAccessCidrs } : {}),
    ...(cluster.accessConfig?.authenticationMode
      ? { authenticationMode: cluster.accessConfig.authenticationMode }
      : {}),
  };
}

/**
 * Each ACTIVE cluster's Kubernetes side, a few clusters at a time, as the identity of the EKS client's credentials
 * (the scanner role of the account). Clusters that are not ACTIVE are left unread (no `kubernetes`).
 */
async function readKubernetes(
  eks: EKSClient,
  clusters: readonly DescribedCluster[],
  reader: EksClusterReader,
  concurrency: number,
  roleArn: string | undefined,
): Promise<ClusterSnapshot[]> {
  const credentials = eks.config.credentials;
  return mapLimit(clusters, concurrency, async (described) => {
    if (described.snapshot.status !== 'ACTIVE') return described.snapshot;
    const kubernetes = await reader(endpointFacts(described), { credentials, ...(roleArn ? { roleArn } : {}) });
    return { ...described.snapshot, kubernetes };
  });
}

/** Add-ons that run with an IAM role (IRSA: serviceAccountRoleArn) become service-account records. */
async function readAddonServiceAccounts(
  eks: EKSClient,
  cluster: string,
  region: string,
  recorder: Recorder,
  cache: AddonConfigurationCache,
  limit: number,
): Promise<ServiceAccountSnapshot[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateListAddons({ client: eks, pageSize: 100 }, { clusterName: cluster })) {
      names.push(...(page.addons ?? []));
    }
  } catch (err) {
    recorder.record('eks:ListAddons', err, region);
    return [];
  }
  const perAddon = await mapLimit(names, limit, async (addonName): Promise<ServiceAccountSnapshot[]> => {
    let addon: Addon;
    try {
      const out = await eks.send(new DescribeAddonCommand({ clusterName: cluster, addonName }));
      if (!out.addon) return [];
      addon = out.addon;
    } catch (err) {
      recorder.record('eks:DescribeAddon', err, region);
      return [];
    }
    const roleArn = addon.serviceAccountRoleArn;
    if (!roleArn) return [];
    const version = addon.addonVersion ?? '';
    const key = `${addonName}@${version}`;
    let pending = cache.get(key);
    if (!pending) {
      pending = eks
        .send(new DescribeAddonConfigurationCommand({ addonName, addonVersion: version }))
        .then((c) => (c.podIdentityConfiguration ?? []).flatMap((p) => (p.serviceAccount ? [p.serviceAccount] : [])));
      cache.set(key, pending);
    }
    let reported: readonly string[] | undefined;
    try {
      reported = await pending;
    } catch (err) {
      recorder.record('eks:DescribeAddonConfiguration', err, region);
    }
    const { namespace, names: accounts } = addonServiceAccounts(addonName, reported, addon.namespaceConfig?.namespace);
    return accounts.map((name) => ({ cluster, region, namespace, name, roleArn, source: 'addon', addon: addonName }));
  });
  return perAddon.flat();
}

async function readPodIdentity(
  eks: EKSClient,
  cluster: string,
  region: string,
  recorder: Recorder,
  limit: number,
): Promise<PodIdentityAssociationSnapshot[]> {
  const ids: string[] = [];
  try {
    for await (const page of paginateListPodIdentityAssociations(
      { client: eks, pageSize: 100 },
      { clusterName: cluster },
    )) {
      for (const a of page.associations ?? []) if (a.associationId) ids.push(a.associationId);
    }
  } catch (err) {
    recorder.record('eks:ListPodIdentityAssociations', err, region);
    return [];
  }
  const read = await mapLimit(ids, limit, async (associationId) => {
    try {
      const { association: a } = await eks.send(
        new DescribePodIdentityAssociationCommand({ clusterName: cluster, associationId }),
      );
      if (!a?.namespace || !a.serviceAccount || !a.roleArn) return undefined;
      const snapshot: PodIdentityAssociationSnapshot = {
        cluster,
        region,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn,
        associationId,
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
        ...(a.disableSessionTags !== undefined ? { disableSessionTags: a.disableSessionTags } : {}),
      };
      return snapshot;
    } catch (err) {
      recorder.record('eks:DescribePodIdentityAssociation', err, region);
      return undefined;
    }
  });
  return read.filter((a): a is PodIdentityAssociationSnapshot => a !== undefined);
}

function tagMap(tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined) {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
