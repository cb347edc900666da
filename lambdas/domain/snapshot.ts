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
  /** The Kubernetes API server endpoint (DescribeCluster `endpoint`, https URL); matches kubeconfig contexts. */
  readonly endpoint?: string;
  /** DescribeCluster `accessConfig.authenticationMode` (API, API_AND_CONFIG_MAP, CONFIG_MAP): access entries need API. */
  readonly authenticationMode?: string;
  /**
   * What was read from the cluster's Kubernetes API (scan with a kubeconfig, or the hub as the scanner role) or
   * from `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json` output. Absent: the cluster
   * side was not read, and no cluster-side rule runs for this cluster.
   */
  readonly kubernetes?: KubernetesSnapshot;
}

/**
 * `complete`: every kind was listed to its last page and every object was understood. `partial`: some objects or
 * kinds could not be read or understood (`errors` says which); rules that need the whole set (anything "missing")
 * do not run. `unreadable`: nothing could be read (`reason` and `fix` say why and what to do); no cluster-side rule runs.
 */
export type KubernetesReadStatus = 'complete' | 'partial' | 'unreadable';

/** The three kinds IRSA Doctor reads, by their plural resource names. */
export const KUBERNETES_KINDS = ['serviceaccounts', 'pods', 'mutatingwebhookconfigurations'] as const;
export type KubernetesKind = (typeof KUBERNETES_KINDS)[number];

export interface KubernetesSnapshot {
  readonly status: KubernetesReadStatus;
  /** `api`: read from the API server (paginated lists); `kube-objects`: a file of `kubectl get -o json` output. */
  readonly source: 'api' | 'kube-objects';
  /** Why the read is not complete, in one sentence (required unless complete). */
  readonly reason?: string;
  /** What to do so that it is (an access entry, a network path, a flag). */
  readonly fix?: string;
  readonly readAt?: string;
  /** The IAM principal the hub read (or tried to read) the cluster as: the member scanner role's ARN. */
  readonly readAs?: string;
  /** The API server's version (`/version` gitVersion), when read. */
  readonly serverVersion?: string;
  /** What went wrong per kind or per object (bounded); empty or absent when complete. */
  readonly errors?: readonly KubernetesReadError[];
  readonly serviceAccounts: readonly KubeServiceAccount[];
  readonly pods: readonly KubePod[];
  /**
   * The pod identity webhook's MutatingWebhookConfiguration (`pod-identity-webhook` on EKS), or null when
   * mutating webhook configurations could not be listed (then nothing is concluded about the webhook).
   */
  readonly podIdentityWebhook: KubeWebhookState | null;
}

export interface KubernetesReadError {
  readonly kind: KubernetesKind | 'version' | 'connection';
  /** `namespace/name` (or `name`) of the object when one object was bad. */
  readonly object?: string;
  /** HTTP status or a short code such as `Forbidden`, `Unreachable`, `InvalidObject`, `TooLarge`. */
  readonly code: string;
  readonly message: string;
}

export interface KubeObjectRef {
  readonly kind: 'ServiceAccount' | 'Pod' | 'MutatingWebhookConfiguration' | 'Cluster';
  readonly namespace?: string;
  readonly name: string;
}

export interface KubeServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly createdAt?: string;
  /** The `eks.amazonaws.com/*` annotations only, as written (role-arn, audience, sts-regional-endpoints, token-expiration). */
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * When each of those annotations was last set, from `metadata.managedFields` (the `time` of the entry whose
   * fieldsV1 owns `f:metadata.f:annotations.f:<key>`). Absent when managed fields were not given.
   */
  readonly annotationTimes?: Readonly<Record<string, string>>;
}

export interface KubePod {
  readonly namespace: string;
  readonly name: string;
  /** The first controller owner reference (ReplicaSet, StatefulSet, DaemonSet, Job...). */
  readonly owner?: { readonly kind: string; readonly name: string };
  /** `spec.serviceAccountName` (`default` when unset, as Kubernetes does). */
  readonly serviceAccountName: string;
  readonly createdAt?: string;
  readonly phase?: string;
  /** The pod's `eks.amazonaws.com/*` annotations (skip-containers, token-expiration). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly hostNetwork?: boolean;
  /** Pod-level securityContext: only the user and group fields. */
  readonly securityContext?: KubeSecurityContext;
  /** The projected service account token volume the webhook adds (`aws-iam-token`), when present. */
  readonly tokenVolume?: KubeTokenVolume;
  readonly containers: readonly KubeContainer[];
}

export interface KubeSecurityContext {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly runAsNonRoot?: boolean;
  readonly fsGroup?: number;
}

export interface KubeTokenVolume {
  readonly name: string;
  readonly audience?: string;
  readonly expirationSeconds?: number;
  /** `path` of the serviceAccountToken projection (the webhook uses `token`). */
  readonly path: string;
}

/** The env variables the pod identity webhook injects (and the region ones); their values are kept. */
export const WEBHOOK_ENV = [
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_STS_REGIONAL_ENDPOINTS',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
] as const;
export type WebhookEnvName = (typeof WEBHOOK_ENV)[number];

/** Env variables that put other credentials ahead of web identity in the SDKs' chains: only their names are kept. */
export const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
] as const;

export interface KubeContainer {
  readonly name: string;
  /** An init container. */
  readonly init?: boolean;
  /** The WEBHOOK_ENV variables set on the container: the literal value, or null when set from valueFrom. */
  readonly awsEnv: Readonly<Partial<Record<WebhookEnvName, string | null>>>;
  /** Names (never values) of CREDENTIAL_ENV variables set on the container. */
  readonly credentialEnv?: readonly string[];
  /** Whether the container mounts the token volume. */
  readonly mountsToken?: boolean;
  /** Container-level securityContext user and group fields (override the pod's). */
  readonly securityContext?: KubeSecurityContext;
}

export interface KubeWebhookState {
  /** Whether a MutatingWebhookConfiguration of the pod identity webhook exists. */
  readonly configured: boolean;
  /** Its name when configured. */
  readonly name?: string;
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
