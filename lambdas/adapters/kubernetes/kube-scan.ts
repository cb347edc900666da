/**
 * `scan --kubeconfig`: which kubeconfig context reads which swept cluster, and reading them into the snapshot.
 * A context is matched to a cluster by its API endpoint (the server URL equals DescribeCluster's `endpoint`), or
 * named explicitly as `CONTEXT=CLUSTER@REGION` (or `CONTEXT=ACCOUNT/CLUSTER@REGION`). Nothing is guessed: a context
 * that matches no cluster, or several, is reported and not used.
 */
import { withClusterKubernetes } from '../../domain/kubernetes/kube-objects';
import type { EstateSnapshot, KubernetesSnapshot } from '../../domain/snapshot';
import { mapLimit } from '../../shared/concurrency';
import { KubeconfigError, UsageError } from '../../shared/errors';
import { clip, escapeControls } from '../../shared/text';
import { KubeApiClient, type KubeApiClientOptions } from './kube-api-client';
import type { KubeContext, Kubeconfig } from './kubeconfig';
import { readClusterKubernetes } from './read-cluster';

/** One `--kube-context` value: a context, and the cluster it reads when named explicitly. */
export interface KubeContextRequest {
  readonly context: string;
  readonly cluster?: { readonly accountId?: string; readonly name: string; readonly region: string };
}

export interface KubeTarget {
  readonly context: KubeContext;
  readonly accountId: string;
  readonly cluster: string;
  readonly region: string;
  readonly matchedBy: 'endpoint' | 'name';
}

export interface KubeMatch {
  readonly targets: readonly KubeTarget[];
  /** Contexts not used, each with why (one line each, safe to print). */
  readonly unmatched: readonly string[];
}

const EXPLICIT = /^(?:(\d{12})\/)?([^@/]+)@([a-z0-9-]+)$/;

/** Parses `NAME` or `NAME=CLUSTER@REGION` (or `NAME=ACCOUNT/CLUSTER@REGION`). */
export function parseKubeContextOption(value: string): KubeContextRequest {
  const eq = value.lastIndexOf('=');
  const target = eq < 0 ? undefined : EXPLICIT.exec(value.slice(eq + 1));
  if (eq >= 0 && !target) {
    throw new UsageError(
      `--kube-context takes NAME or NAME=CLUSTER@REGION (or NAME=ACCOUNT/CLUSTER@REGION); got "${escapeControls(clip(value, 200))}"`,
    );
  }
  const context = eq < 0 ? value : value.slice(0, eq);
  if (context === '') throw new UsageError('--kube-context needs a context name');
  if (!target) return { context };
  const [, accountId, name, region] = target;
  return { context, cluster: { ...(accountId ? { accountId } : {}), name: name as string, region: region as string } };
}

/** An API endpoint for comparison: lower-case host, explicit port, no trailing slash. */
export function endpointKey(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:') return undefined;
    return `${u.hostname.toLowerCase()}:${u.port || '443'}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

interface SweptCluster {
  readonly accountId: string;
  readonly name: string;
  readonly region: string;
  readonly endpoint?: string;
}

const label = (c: { accountId: string; name: string; region: string }) => `${c.accountId}/${c.name}@${c.region}`;
const show = (text: string) => escapeControls(clip(text, 200));

/**
 * Decides which context reads which cluster: the requested contexts (all of the kubeconfig's when none), each
 * matched by endpoint unless it names its cluster. The first context for a cluster wins; later ones are reported.
 */
export function matchKubeContexts(
  snapshot: EstateSnapshot,
  kubeconfig: Kubeconfig,
  requests: readonly KubeContextRequest[],
): KubeMatch {
  const clusters: SweptCluster[] = snapshot.accounts.flatMap((a) =>
    a.clusters.map((c) => ({
      accountId: a.accountId,
      name: c.name,
      region: c.region,
      ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    })),
  );
  const wanted: readonly KubeContextRequest[] =
    requests.length > 0 ? requests : kubeconfig.contextNames.map((context) => ({ context }));
  const targets: KubeTarget[] = [];
  const unmatched: string[] = [];
  const taken = new Map<string, string>();
  for (const request of wanted) {
    const found = matchOne(request, kubeconfig, clusters);
    if (typeof found === 'string') {
      unmatched.push(`context "${show(request.context)}": ${found}`);
      continue;
    }
    const key = label(found.cluster);
    const earlier = taken.get(key);
    if (earlier !== undefined) {
      unmatched.push(
        `context "${show(request.context)}": ${show(key)} is already read with context "${show(earlier)}"`,
      );
      continue;
    }
    taken.set(key, request.context);
    targets.push({
      context: found.context,
      accountId: found.cluster.accountId,
      cluster: found.cluster.name,
      region: found.cluster.region,
      matchedBy: request.cluster ? 'name' : 'endpoint',
    });
  }
  return { targets, unmatched };
}

/** The context and its cluster, or why there is none (a sentence). */
function matchOne(
  request: KubeContextRequest,
  kubeconfig: Kubeconfig,
  clusters: readonly SweptCluster[],
): { context: KubeContext; cluster: SweptCluster } | string {
  let context: KubeContext;
  try {
    context = kubeconfig.context(request.context);
  } catch (err) {
    if (err instanceof KubeconfigError) return escapeControls(clip(err.message, 500));
    throw err;
  }
  const named = request.cluster;
  const candidates = named
    ? clusters.filter(
        (c) =>
          c.name === named.name &&
          c.region === named.region &&
          (named.accountId === undefined || c.accountId === named.accountId),
      )
    : clusters.filter((c) => c.endpoint !== undefined && endpointKey(c.endpoint) === endpointKey(context.server));
  const [only] = candidates;
  if (only && candidates.length === 1) return { context, cluster: only };
  if (candidates.length > 1) {
    return `${candidates.length} swept clusters (${show(candidates.slice(0, 5).map(label).join(', '))}) match; name one with --kube-context ${show(request.context)}=ACCOUNT/CLUSTER@REGION`;
  }
  return named
    ? `${show(`${named.accountId ? `${named.accountId}/` : ''}${named.name}@${named.region}`)} is not among the swept clusters; not read`
    : `its server ${show(context.server)} is the endpoint of no swept cluster; not read (name its cluster with --kube-context ${show(request.context)}=CLUSTER@REGION)`;
}

export interface KubeClusterResult {
  readonly target: KubeTarget;
  readonly kubernetes: KubernetesSnapshot;
  /** HTTP calls made to read it. */
  readonly calls: number;
}

export interface ReadKubeClustersOptions {
  /** Clusters read at once. Default 4. */
  readonly concurrency?: number;
  readonly client?: KubeApiClientOptions;
  readonly onCluster?: (result: KubeClusterResult) => void;
  readonly now?: () => Date;
}

/** Reads every target (never throwing for cluster-side trouble) and returns the snapshot with `kubernetes` set. */
export async function readKubeClusters(
  snapshot: EstateSnapshot,
  targets: readonly KubeTarget[],
  options: ReadKubeClustersOptions = {},
): Promise<{ snapshot: EstateSnapshot; results: readonly KubeClusterResult[] }> {
  const results = await mapLimit(targets, options.concurrency ?? 4, async (target) => {
    const client = new KubeApiClient(target.context, options.client ?? {});
    try {
      const kubernetes = await readClusterKubernetes(client, {
        identity: `context ${target.context.name}, user ${target.context.user}`,
        ...(options.now ? { now: options.now } : {}),
      });
      const result = { target, kubernetes, calls: client.calls };
      options.onCluster?.(result);
      return result;
    } finally {
      client.close();
    }
  });
  let out = snapshot;
  for (const r of results) {
    out = withClusterKubernetes(out, r.target.cluster, r.target.region, r.kubernetes, r.target.accountId);
  }
  return { snapshot: out, results };
}

/** One progress line for a cluster read: where, how it ended, what was read, the calls it took. */
export function kubeResultLine(r: KubeClusterResult): string {
  const k = r.kubernetes;
  const where = `${r.target.cluster}@${r.target.region} (${r.target.accountId}) via context "${r.target.context.name}"`;
  const read = `${k.serviceAccounts.length} service accounts, ${k.pods.length} pods, pod identity webhook ${
    k.podIdentityWebhook === null ? 'unknown' : k.podIdentityWebhook.configured ? 'configured' : 'absent'
  }`;
  const why = k.status === 'complete' ? '' : `: ${k.reason ?? ''}${k.fix ? ` (fix: ${k.fix})` : ''}`;
  return escapeControls(clip(`kubernetes: ${where}: ${k.status}, ${read}, ${r.calls} calls${why}`, 2000));
}
