import { issuerKey, parseEksIssuer, stripScheme } from './arn';
import type {
  AccountSnapshot,
  ClusterSnapshot,
  EstateSnapshot,
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
      for (const cluster of account.clusters) {
        if (!cluster.oidcIssuer) continue;
        const hostPath = stripScheme(cluster.oidcIssuer.trim());
        const eks = parseEksIssuer(cluster.oidcIssuer);
        const ref: ClusterRef = {
          accountId: account.accountId,
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
      for (const provider of account.oidcProviders) {
        this.providersByArn.set(provider.arn, { accountId: account.accountId, provider, key: issuerKey(provider.url) });
      }
      for (const role of account.roles) this.roles.push({ accountId: account.accountId, role });
      for (const serviceAccount of account.serviceAccounts ?? []) {
        const ref = { accountId: account.accountId, serviceAccount };
        this.serviceAccounts.push(ref);
        if (serviceAccount.roleArn) push(this.serviceAccountsByRole, serviceAccount.roleArn, ref);
      }
      for (const association of account.podIdentityAssociations ?? []) {
        this.associations.push({ accountId: account.accountId, association });
      }
    }
  }

  clusterByName(accountId: string, name: string, region: string): ClusterRef | undefined {
    return this.clusters.find(
      (c) => c.accountId === accountId && c.cluster.name === name && c.cluster.region === region,
    );
  }

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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
