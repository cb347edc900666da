/**
 * Reads one cluster's Kubernetes side (service accounts, pods, mutating webhook configurations) through the API into
 * the snapshot's KubernetesSnapshot, with kmodel's converter. Never throws for cluster-side trouble: each kind is
 * listed on its own, a kind that fails (403, a page that failed, too many objects) makes the cluster `partial` with
 * that error, and a cluster nothing could be read from is `unreadable` with the reason and what to do.
 */
import { type KubeReadMeta, kubernetesSnapshotFromLists } from '../../domain/kubernetes/kube-objects';
import {
  KUBERNETES_KINDS,
  type KubernetesKind,
  type KubernetesReadError,
  type KubernetesSnapshot,
} from '../../domain/snapshot';
import { KubeApiError } from '../../shared/errors';
import { clip } from '../../shared/text';
import type { KubeApiClient } from './kube-api-client';

export interface ReadClusterOptions {
  /** Who reads, for the fix text: the kubeconfig context and user, or the scanner role. */
  readonly identity?: string;
  readonly now?: () => Date;
}

/** Codes that mean no call to this server can succeed as this identity from here: nothing more is tried. */
const CONNECTION_CODES = new Set(['Unauthorized', 'Unreachable', 'TlsVerification', 'Credentials']);

/** What the read of a cluster can say about itself, beside the snapshot: the HTTP calls it made. */
export async function readClusterKubernetes(
  client: KubeApiClient,
  options: ReadClusterOptions = {},
): Promise<KubernetesSnapshot> {
  const readAt = (options.now ?? (() => new Date()))().toISOString();
  let serverVersion: string | undefined;
  try {
    // The schema bounds it (128 characters): a server could send anything.
    serverVersion = (await client.version()).gitVersion.slice(0, 128);
  } catch (err) {
    const e = asKubeError(err);
    // /version is open to every authenticated identity: failing it here means the lists would fail the same way.
    if (CONNECTION_CODES.has(e.code)) return unreadable(e, client, options, readAt);
  }

  const lists: { -readonly [K in KubernetesKind]?: readonly unknown[] } = {};
  const errors: KubernetesReadError[] = [];
  const failures: KubeApiError[] = [];
  // One kind at a time: the pages of one list are sequential anyway, and three lists in flight gain little against
  // a server the sweep may be reading for other clusters at the same time.
  for (const kind of KUBERNETES_KINDS) {
    try {
      const list = await client.list(kind);
      lists[kind] = list.items;
      if (list.error) errors.push(readError(kind, list.error));
    } catch (err) {
      const e = asKubeError(err);
      errors.push(readError(kind, e));
      failures.push(e);
    }
  }
  const [first] = failures;
  if (first && failures.length === KUBERNETES_KINDS.length) return unreadable(first, client, options, readAt, errors);
  const forbidden = failures.find((f) => f.code === 'Forbidden');
  const meta: KubeReadMeta = {
    source: 'api',
    readAt,
    ...(serverVersion !== undefined ? { serverVersion } : {}),
    errors,
    ...(forbidden ? { fix: fixFor(forbidden, client, options) } : {}),
  };
  return kubernetesSnapshotFromLists(lists, meta);
}

function unreadable(
  cause: KubeApiError,
  client: KubeApiClient,
  options: ReadClusterOptions,
  readAt: string,
  errors: readonly KubernetesReadError[] = [
    { kind: 'connection', code: cause.code, message: clip(cause.message, 2000) },
  ],
): KubernetesSnapshot {
  return kubernetesSnapshotFromLists(
    {},
    {
      source: 'api',
      readAt,
      errors,
      reason: clip(`nothing could be read from the API server: ${cause.message}`, 1000),
      fix: fixFor(cause, client, options),
    },
  );
}

function readError(kind: KubernetesReadError['kind'], e: KubeApiError): KubernetesReadError {
  return { kind, code: e.code.slice(0, 64), message: clip(e.message, 2000) };
}

function asKubeError(err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  return new KubeApiError(`${e.name}: ${e.message}`, 'Error', undefined, { cause: err });
}

/** What to do about `e`, in one sentence a person can act on. */
function fixFor(e: KubeApiError, client: KubeApiClient, options: ReadClusterOptions): string {
  const who = options.identity ? ` (${clip(options.identity, 200)})` : '';
  const view = `give this identity${who} view access: on EKS an access entry with the AmazonEKSViewPolicy access policy (cluster scope); elsewhere a ClusterRole with get and list on serviceaccounts, pods and mutatingwebhookconfigurations.admissionregistration.k8s.io, bound to it`;
  switch (e.code) {
    case 'Forbidden':
      return view;
    case 'Unauthorized':
      return `the API server does not know this identity${who}: on EKS create an access entry for the IAM principal with the AmazonEKSViewPolicy access policy (or check that the token is for this cluster); elsewhere renew the token or client certificate`;
    case 'Unreachable':
      return `open a network path from here to ${client.host}: on EKS, enable the public endpoint and add this address to its public access CIDRs, or run from inside the cluster's VPC for a private-only endpoint`;
    case 'TlsVerification':
      return `give the cluster's CA in the kubeconfig (certificate-authority-data; on EKS, DescribeCluster certificateAuthority.data), and check that the server URL is this cluster's endpoint`;
    case 'Credentials':
      return 'make the kubeconfig credentials work (run the exec command by hand: it must print an ExecCredential; for EKS, aws eks get-token needs working AWS credentials), then scan again';
    default:
      return `read the cluster again; if it keeps failing (${clip(e.code, 64)}), check the API server at ${client.host}`;
  }
}
