import { issuerKey, parseEksIssuer, stripScheme } from './arn';
import { AUDIENCE_ANNOTATION, ROLE_ARN_ANNOTATION } from './kube-annotations';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  EstateSnapshot,
  KubeServiceAccount,
  OidcProviderSnapshot,
  PodIdentityAssociationSnapshot,
  RoleSnapshot,
  ServiceAccountSnapshot,
} from './snapshot';

export interface ClusterRef {
  readonly accountId: string;
  readonly cluster: ClusterSnapshot;
  /** Issuer as DescribeCluster spells it, without the scheme: the provider URL and key prefix to use. */
  readonly hostPath: string;
  readonly key: string;
  readonly issuerId?: string;
  readonly hostPathLower: string;
  /** Lower-cased condition keys a pod's request carries: `<issuer>:sub` and `<issuer>:aud`. */
  readonly subKeyLower: string;
  readonly audKeyLower: string;
}

export interface ProviderRef {
  readonly accountId: string;
  readonly provider: OidcProviderSnapshot;
  readonly key: string;
}

export interface RoleRef {
  readonly accountId: string;
  readonly role: RoleSnapshot;
}

export interface ServiceAccountRef {
  readonly accountId: string;
  readonly serviceAccount: ServiceAccountSnapshot;
  /** Set when it was read from the cluster's Kubernetes API (ClusterSnapshot.kubernetes): the object as read. */
  readonly kube?: KubeServiceAccount;
}

export interface AssociationRef {
  readonly accountId: string;
  readonly association: PodIdentityAssociationSnapshot;
}

/** Lookups across every account of the estate: a cluster in one account may be used by roles in another. */
export class EstateIndex {
  readonly partition: string;
  readonly accounts = new Map<string, AccountSnapshot>();
  readonly clusters: ClusterRef[] = [];
  readonly clustersByKey = new Map<string, ClusterRef[]>();
  /** Issuer host/path exactly as DescribeCluster spells it (what a provider URL must equal). */
  readonly clustersByHostPath = new Map<string, ClusterRef>();
  readonly clustersByIssuerId = new Map<string, ClusterRef[]>();
  readonly providersByArn = new Map<string, ProviderRef>();
  readonly roles: RoleRef[] = [];
  readonly serviceAccountsByRole = new Map<string, ServiceAccountRef[]>();
  readonly serviceAccounts: ServiceAccountRef[] = [];
  readonly associations: AssociationRef[] = [];

  constructor(snapshot: EstateSnapshot) {
    this.partition = snapshot.partition;
    for (const account of snapshot.accounts) {
      this.accounts.set(account.accountId, account);
      for (const cluster of account.clusters) this.addCluster(account.accountId, cluster);
      for (const provider of account.oidcProviders) {
        this.providersByArn.set(provider.arn, { accountId: account.accountId, provider, key: issuerKey(provider.url) });
      }
      for (const role of account.roles) this.roles.push({ accountId: account.accountId, role });
      for (const serviceAccount of account.serviceAccounts ?? [])
        this.addServiceAccount(account.accountId, serviceAccount);
      this.addKubernetesServiceAccounts(account);
      for (const association of account.podIdentityAssociations ?? []) {
        this.associations.push({ accountId: account.accountId, association });
      }
    }
  }

  private addServiceAccount(
    accountId: string,
    serviceAccount: ServiceAccountSnapshot,
    kube?: KubeServiceAccount,
  ): void {
    const ref: ServiceAccountRef = kube ? { accountId, serviceAccount, kube } : { accountId, serviceAccount };
    this.serviceAccounts.push(ref);
    if (serviceAccount.roleArn) push(this.serviceAccountsByRole, serviceAccount.roleArn, ref);
  }

  /**
   * The service accounts read from each cluster's Kubernetes API (complete or partial reads) become known workloads
   * (source `kubernetes`), with role and audience from their annotations. One the account already lists (an EKS
   * add-on's, a declared one) is not added again.
   */
  private addKubernetesServiceAccounts(account: AccountSnapshot): void {
    const read = account.clusters.filter((c) => c.kubernetes && c.kubernetes.status !== 'unreadable');
    if (read.length === 0) return;
    const listed = new Set(
      (account.serviceAccounts ?? []).map((s) => JSON.stringify([s.cluster, s.region, s.namespace, s.name])),
    );
    for (const cluster of read) {
      for (const kube of cluster.kubernetes?.serviceAccounts ?? []) {
        const key = JSON.stringify([cluster.name, cluster.region, kube.namespace, kube.name]);
        if (listed.has(key)) continue;
        listed.add(key);
        this.addServiceAccount(account.accountId, kubernetesServiceAccount(cluster, kube), kube);
      }
    }
  }

  private addCluster(accountId: string, cluster: ClusterSnapshot): void {
    if (!cluster.oidcIssuer) return;
    const hostPath = stripScheme(cluster.oidcIssuer.trim());
    const eks = parseEksIssuer(cluster.oidcIssuer);
    const ref: ClusterRef = {
      accountId,
      cluster,
      hostPath,
      key: issuerKey(cluster.oidcIssuer),
      hostPathLower: hostPath.toLowerCase(),
      subKeyLower: `${hostPath.toLowerCase()}:sub`,
      audKeyLower: `${hostPath.toLowerCase()}:aud`,
      ...(eks ? { issuerId: eks.id.toUpperCase() } : {}),
    };
    this.clusters.push(ref);
    push(this.clustersByKey, ref.key, ref);
    if (!this.clustersByHostPath.has(hostPath)) this.clustersByHostPath.set(hostPath, ref);
    if (ref.issuerId) push(this.clustersByIssuerId, ref.issuerId, ref);
  }

  clusterByName(accountId: string, name: string, region: string): ClusterRef | undefined {
    // A map built on first use: every service account and association asks, and a scan per question would cost
    // workloads x clusters. The first cluster of a name wins, as the scan did.
    if (!this.byName) {
      this.byName = new Map();
      for (const c of this.clusters) {
        const key = JSON.stringify([c.accountId, c.cluster.name, c.cluster.region]);
        if (!this.byName.has(key)) this.byName.set(key, c);
      }
    }
    return this.byName.get(JSON.stringify([accountId, name, region]));
  }
  private byName: Map<string, ClusterRef> | undefined;

  /** The first service account of that name that names a role (for IRSA), looked up in a map built on first use. */
  annotatedServiceAccount(
    accountId: string,
    cluster: string,
    region: string,
    namespace: string,
    name: string,
  ): ServiceAccountRef | undefined {
    if (!this.annotated) {
      this.annotated = new Map();
      for (const s of this.serviceAccounts) {
        if (s.serviceAccount.roleArn === undefined) continue;
        const a = s.serviceAccount;
        const key = JSON.stringify([s.accountId, a.cluster, a.region, a.namespace, a.name]);
        if (!this.annotated.has(key)) this.annotated.set(key, s);
      }
    }
    return this.annotated.get(JSON.stringify([accountId, cluster, region, namespace, name]));
  }
  private annotated: Map<string, ServiceAccountRef> | undefined;

  /** The providers of an account whose URL has the issuer key `key` (map built on first use). */
  providersByAccountAndKey(accountId: string, key: string): readonly ProviderRef[] {
    if (!this.providerKeys) {
      this.providerKeys = new Map();
      for (const p of this.providersByArn.values()) push(this.providerKeys, JSON.stringify([p.accountId, p.key]), p);
    }
    return this.providerKeys.get(JSON.stringify([accountId, key])) ?? [];
  }
  private providerKeys: Map<string, ProviderRef[]> | undefined;

  /** The clusters of the accounts in a region, in snapshot order (maps built on first use). */
  clustersInAccounts(accountIds: Iterable<string>, region: string): readonly ClusterRef[] {
    const accounts = [...new Set(accountIds)].sort();
    const key = JSON.stringify([accounts, region]);
    const cached = this.inAccounts.get(key);
    if (cached) return cached;
    if (!this.position) this.position = new Map(this.clusters.map((c, i) => [c, i]));
    const position = this.position;
    const out = accounts
      .flatMap((a) => this.clustersIn(a, region))
      .sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    this.inAccounts.set(key, out);
    return out;
  }
  private position: Map<ClusterRef, number> | undefined;
  private readonly inAccounts = new Map<string, readonly ClusterRef[]>();

  /** The clusters of an account in a region, in snapshot order (map built on first use). */
  clustersIn(accountId: string, region: string): readonly ClusterRef[] {
    if (!this.byRegion) {
      this.byRegion = new Map();
      for (const c of this.clusters) push(this.byRegion, JSON.stringify([c.accountId, c.cluster.region]), c);
    }
    return this.byRegion.get(JSON.stringify([accountId, region])) ?? [];
  }
  private byRegion: Map<string, ClusterRef[]> | undefined;

  /** Whether the account was fully read: only then may something missing from it be reported as absent. */
  isComplete(accountId: string): boolean {
    const status = this.accounts.get(accountId)?.collection?.status;
    return status === undefined || status === 'complete';
  }

  /** Whether clusters of `region` in `accountId` were listed (so a cluster missing there is really missing). */
  regionScanned(accountId: string, region: string): boolean {
    const account = this.accounts.get(accountId);
    if (!account) return false;
    const regions = account.collection?.regions;
    return regions === undefined ? this.isComplete(accountId) : regions.includes(region);
  }

  /** Whether any account of the estate listed clusters in `region`. */
  regionScannedAnywhere(region: string): boolean {
    for (const id of this.accounts.keys()) if (this.regionScanned(id, region)) return true;
    return false;
  }
}

/** A service account read from Kubernetes as a known workload: its role and audience from its annotations. */
export function kubernetesServiceAccount(cluster: ClusterSnapshot, kube: KubeServiceAccount): ServiceAccountSnapshot {
  const roleArn = kube.annotations[ROLE_ARN_ANNOTATION];
  const audience = kube.annotations[AUDIENCE_ANNOTATION];
  return {
    cluster: cluster.name,
    region: cluster.region,
    namespace: kube.namespace,
    name: kube.name,
    ...(roleArn !== undefined ? { roleArn } : {}),
    ...(audience !== undefined && audience !== '' ? { audience } : {}),
    source: 'kubernetes',
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
