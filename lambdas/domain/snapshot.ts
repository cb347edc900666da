/**
 * Estate snapshot, version 1: the one data shape that collection produces and analysis consumes.
 * The JSON Schema in schema/estate-snapshot.v1.schema.json is the published contract; these types mirror it
 * (test/unit/shared/snapshot-schema.test.ts keeps the two in step).
 */

export type Partition = string; // 'aws' | 'aws-cn' | 'aws-us-gov' | 'aws-iso' | 'aws-iso-b' | ...

export interface EstateSnapshot {
  readonly schemaVersion: 1;
  readonly partition: Partition;
  readonly generatedAt?: string;
  readonly generator?: string;
  readonly accounts: readonly AccountSnapshot[];
}

export interface AccountSnapshot {
  readonly accountId: string;
  readonly name?: string;
  /** How completely collection read this account. Absent means "complete" (a hand-written snapshot). */
  readonly collection?: CollectionStatus;
  /** Live quota values when collection could read Service Quotas; defaults apply otherwise. */
  readonly quotas?: AccountQuotas;
  readonly clusters: readonly ClusterSnapshot[];
  readonly oidcProviders: readonly OidcProviderSnapshot[];
  readonly roles: readonly RoleSnapshot[];
  /** Known workloads (EKS add-ons, Kubernetes API, declarations). Optional. */
  readonly serviceAccounts?: readonly ServiceAccountSnapshot[];
  /** EKS Pod Identity associations of this account's clusters. Optional. */
  readonly podIdentityAssociations?: readonly PodIdentityAssociationSnapshot[];
}

export interface CollectionStatus {
  readonly status: 'complete' | 'partial' | 'unreachable';
  /** Regions whose EKS clusters were listed. Absent: every region that matters was read. */
  readonly regions?: readonly string[];
  readonly errors?: readonly CollectionError[];
}

export interface CollectionError {
  readonly operation: string;
  readonly region?: string;
  readonly code: string;
  readonly message: string;
}

export interface AccountQuotas {
  /** Service Quotas iam L-858F3967; default 100. */
  readonly oidcProvidersPerAccount?: number;
  /** Service Quotas iam L-C07B4B0D; default 2048. */
  readonly trustPolicyLength?: number;
}

export interface ClusterSnapshot {
  readonly name: string;
  readonly region: string;
  readonly status: string;
  readonly version?: string;
  readonly platformVersion?: string;
  readonly arn?: string;
  /** `cluster.identity.oidc.issuer` as DescribeCluster returns it; null when the cluster has none (e.g. still CREATING). */
  readonly oidcIssuer: string | null;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface OidcProviderSnapshot {
  readonly arn: string;
  /** As GetOpenIDConnectProvider returns it: without the https:// scheme. */
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
  readonly createDate?: string;
  /** What a live TLS check of the issuer's jwks_uri host saw, when collection made one. */
  readonly tls?: TlsObservation;
}

export interface TlsObservation {
  readonly host: string;
  /** SHA-1 (40 lowercase hex) of the top CA certificate of the chain the server sent. */
  readonly topCaThumbprint?: string;
  /** SHA-1 of the leaf (server) certificate. */
  readonly leafThumbprint?: string;
  /** Whether the chain verifies against a public root store, i.e. IAM does not need the thumbprint. */
  readonly publiclyTrusted?: boolean;
  readonly checkedAt?: string;
  readonly error?: string;
}

export interface RoleSnapshot {
  readonly arn: string;
  readonly name: string;
  readonly path?: string;
  /** Trust policy text as IAM returned it (possibly URL-encoded), or a parsed object. */
  readonly trustPolicy: string | Readonly<Record<string, unknown>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly createDate?: string;
  readonly lastUsedDate?: string;
}

export interface ServiceAccountSnapshot {
  readonly cluster: string;
  readonly region: string;
  readonly namespace: string;
  readonly name: string;
  /** The `eks.amazonaws.com/role-arn` annotation or the add-on's serviceAccountRoleArn, as written. */
  readonly roleArn?: string;
  /** The `eks.amazonaws.com/audience` annotation; default sts.amazonaws.com. */
  readonly audience?: string;
  /** Where this record came from. */
  readonly source?: 'addon' | 'kubernetes' | 'declared';
  /** Add-on name when source is 'addon'. */
  readonly addon?: string;
}

export interface PodIdentityAssociationSnapshot {
  readonly cluster: string;
  readonly region: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
  readonly targetRoleArn?: string;
  readonly associationId?: string;
  readonly disableSessionTags?: boolean;
}

export const DEFAULT_AUDIENCE = 'sts.amazonaws.com';
export const DEFAULT_TRUST_POLICY_QUOTA = 2048;
export const DEFAULT_OIDC_PROVIDER_QUOTA = 100;
export const MAX_THUMBPRINTS = 5;

/**
 * An account that could not be read at all: no resources, status `unreachable`, the errors that say why. The
 * analysis reports it (SWEEP-001) and reports nothing in it as missing.
 */
export function unreachableAccount(
  accountId: string,
  errors: readonly CollectionError[],
  name?: string,
): AccountSnapshot {
  return {
    accountId,
    ...(name ? { name } : {}),
    clusters: [],
    oidcProviders: [],
    roles: [],
    collection: { status: 'unreachable', regions: [], errors },
  };
}
