/**
 * The hub's read of one EKS cluster's Kubernetes API as the member scanner role: the reachability and
 * authentication-mode rules first (lambdas/domain/kubernetes/eks-read-access.ts: a cluster the Lambda cannot reach
 * or enter is `unreadable` with the reason and the fix, and nothing is called), then the EKS bearer token of the
 * scanner role's credentials and the cluster's CA from DescribeCluster, handed to the Kubernetes read. A 401 is
 * `NoAccessEntry` (the finding KUBE-001 plans the access entry); anything else that stops the read is `unreadable`
 * with its code. The read itself (paginated lists through the Kubernetes client) is injected, so this file does not
 * depend on how it is made.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import {
  type EksEndpointFacts,
  eksReadBlocker,
  noAccessEntry,
  unreadableKubernetes,
} from '../../domain/kubernetes/eks-read-access';
import type { KubernetesSnapshot } from '../../domain/snapshot';
import { eksBearerToken } from './eks-token';

/** How to reach one API server as one identity: what the Kubernetes read needs. */
export interface EksApiAccess {
  /** https URL of the API server. */
  readonly server: string;
  /** The cluster's CA bundle (PEM), from DescribeCluster. */
  readonly ca?: string;
  /** The EKS bearer token. */
  readonly token: string;
}

/** Reads one cluster's Kubernetes side (the three kinds, paginated) with the access given. */
export type KubernetesRead = (access: EksApiAccess) => Promise<KubernetesSnapshot>;

/** Reads one EKS cluster as the identity of `credentials`; never throws: a failure is an `unreadable` snapshot. */
export type EksClusterReader = (
  facts: EksEndpointFacts,
  identity: {
    readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    /** The scanner role's ARN, named in the reason, the fix and `readAs`. */
    readonly roleArn?: string;
  },
) => Promise<KubernetesSnapshot>;

export interface EksClusterReaderOptions {
  readonly read: KubernetesRead;
  /** STS endpoint override for the token (the emulator). */
  readonly stsEndpoint?: string;
  readonly now?: () => Date;
}

/** The PEM bundle of DescribeCluster's `certificateAuthority.data` (base64 of the PEM text). */
export function caFromDescribeCluster(data: string | undefined): string | undefined {
  if (!data) return undefined;
  const pem = Buffer.from(data, 'base64').toString('utf8');
  return pem.includes('-----BEGIN CERTIFICATE-----') ? pem : undefined;
}

/** Whether an error of the Kubernetes read is the API server's 401 (the token's identity is not let in). */
function isUnauthorized(err: unknown): boolean {
  const e = err as { name?: unknown; status?: unknown; code?: unknown } | null;
  return e?.name === 'KubeUnauthorizedError' || e?.status === 401 || e?.code === 'Unauthorized';
}

function failureCode(err: unknown): 'Unreachable' | 'ReadFailed' {
  const e = err as { name?: unknown; code?: unknown } | null;
  return e?.name === 'KubeUnreachableError' || e?.code === 'Unreachable' ? 'Unreachable' : 'ReadFailed';
}

/** The unreadable record of a read that failed: 401 is NoAccessEntry, the rest Unreachable or ReadFailed. */
function readFailure(
  err: unknown,
  roleArn: string | undefined,
  meta: { readonly readAt: string; readonly readAs?: string },
): KubernetesSnapshot {
  const message = (err as { message?: string })?.message ?? String(err);
  if (isUnauthorized(err)) return unreadableKubernetes(noAccessEntry(roleArn), { ...meta, message });
  const code = failureCode(err);
  const fix =
    code === 'Unreachable'
      ? "check that the endpoint is reachable from the hub's network, then scan again"
      : 'scan again; if it persists, read the cluster with irsa-doctor scan --kubeconfig or --kube-objects';
  return unreadableKubernetes(
    { code, reason: `the cluster's API could not be read: ${message.slice(0, 500)}`, fix },
    { ...meta, message },
  );
}

export function eksClusterReader(options: EksClusterReaderOptions): EksClusterReader {
  const now = options.now ?? (() => new Date());
  const sts = options.stsEndpoint ? { endpoint: options.stsEndpoint } : {};
  return async (facts, identity) => {
    const { roleArn } = identity;
    const meta = { readAt: now().toISOString(), ...(roleArn ? { readAs: roleArn } : {}) };
    const blocked = eksReadBlocker(facts, roleArn);
    if (blocked) return unreadableKubernetes(blocked, meta);
    try {
      const { clusterName, region } = { clusterName: facts.name, region: facts.region };
      const { token } = await eksBearerToken({ clusterName, region, credentials: identity.credentials, ...sts });
      const ca = caFromDescribeCluster(facts.certificateAuthority);
      const read = await options.read({ server: facts.endpoint as string, token, ...(ca ? { ca } : {}) });
      // A read that reports the server's 401 instead of throwing it: the scanner role has no access entry.
      const refused = read.status === 'unreadable' && read.errors?.some((e) => e.code === 'Unauthorized');
      if (refused) return unreadableKubernetes(noAccessEntry(roleArn), { ...meta, message: read.reason ?? '401' });
      return roleArn ? { ...read, readAs: roleArn } : read;
    } catch (err) {
      return readFailure(err, roleArn, meta);
    }
  };
}
