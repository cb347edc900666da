/**
 * Raw Kubernetes objects (as the API lists them, or as `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations
 * -A -o json` prints them) to the snapshot's KubernetesSnapshot, and that into an estate snapshot. Pure: no I/O.
 *
 * Never throws on bad objects: an object that cannot be understood is skipped and named in `errors`, and the
 * cluster is `partial`; a kind that was not read makes it `partial` too; nothing usable makes it `unreadable`.
 */

import { ClusterLookupError } from '../../shared/errors';
import { clip, showValue } from '../../shared/text';
import {
  type EstateSnapshot,
  KUBERNETES_KINDS,
  type KubePod,
  type KubernetesKind,
  type KubernetesReadError,
  type KubernetesSnapshot,
  type KubeServiceAccount,
} from '../snapshot';
import { KIND_OF, KIND_WORDS, KUBECTL_COMMAND, MAX_OBJECTS_PER_KIND, MAX_READ_ERRORS } from './kube-read-limits';
import { InvalidField, isObject, type JsonObject } from './object-fields';
import { podFrom } from './pod-object';
import { type SoftProblem, serviceAccountFrom } from './service-account-object';
import { webhookConfigurationFrom, webhookState } from './webhook-object';

export { KUBECTL_COMMAND, MAX_KUBE_OBJECTS_BYTES, MAX_OBJECTS_PER_KIND, MAX_READ_ERRORS } from './kube-read-limits';
export { listsFromKubectlOutput } from './kubectl-output';

/** Raw items per kind; a kind left undefined was not read. */
export interface KubeLists {
  readonly serviceaccounts?: readonly unknown[];
  readonly pods?: readonly unknown[];
  readonly mutatingwebhookconfigurations?: readonly unknown[];
  /** Problems found before conversion (items of a kubectl List without a kind, a kind absent from a file). */
  readonly errors?: readonly KubernetesReadError[];
}

export interface KubeReadMeta {
  readonly source: 'api' | 'kube-objects';
  readonly readAt?: string;
  readonly serverVersion?: string;
  /** What went wrong while reading (a kind forbidden, a page that failed), listed before the converter's own. */
  readonly errors?: readonly KubernetesReadError[];
  /** Overrides the computed reason (e.g. the API server could not be reached). */
  readonly reason?: string;
  /** Overrides the computed fix. */
  readonly fix?: string;
}

/**
 * Collects errors, keeping the first MAX_READ_ERRORS and counting the rest per kind: one `MoreErrors` entry per kind
 * whose errors were left out, so every kind with a problem is still named (rules tell complete kinds by that).
 */
class ErrorLog {
  readonly kept: KubernetesReadError[] = [];
  private readonly omitted = new Map<KubernetesReadError['kind'], number>();
  private omittedCount = 0;

  add(error: KubernetesReadError): void {
    if (this.kept.length < MAX_READ_ERRORS) {
      this.kept.push(error);
      return;
    }
    this.omittedCount++;
    this.omitted.set(error.kind, (this.omitted.get(error.kind) ?? 0) + 1);
  }

  get count(): number {
    return this.kept.length + this.omittedCount;
  }

  list(): KubernetesReadError[] {
    if (this.omittedCount === 0) return this.kept;
    return [
      ...this.kept,
      ...[...this.omitted].map(([kind, n]) => ({
        kind,
        code: 'MoreErrors',
        message: `${n} more problems with ${kind} were not listed (only the first ${MAX_READ_ERRORS} problems are)`,
      })),
    ];
  }
}

interface Converted<T> {
  readonly values: T[];
  readonly given: number;
  readonly failed: number;
}

/** `namespace/name` of a raw object as far as it can be told, escaped and cut short, or `item N`. */
function describe(item: unknown, index: number): string {
  const metadata = isObject(item) && isObject(item.metadata) ? item.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? clip(metadata.name, 100) : undefined;
  if (name === undefined) return `item ${index}`;
  return typeof metadata.namespace === 'string' && metadata.namespace !== ''
    ? `${clip(metadata.namespace, 100)}/${name}`
    : name;
}

type Outcome<T> = { readonly value: T } | { readonly code: string; readonly message: string };

/** One raw item converted, or why it was skipped. */
function convertOne<T>(
  kind: KubernetesKind,
  item: unknown,
  convert: (item: JsonObject, soft: SoftProblem) => T,
  soft: SoftProblem,
): Outcome<T> {
  if (!isObject(item)) return { code: 'InvalidObject', message: 'is not a JSON object; skipped' };
  if (item.kind !== undefined && item.kind !== KIND_OF[kind]) {
    return {
      code: 'UnexpectedKind',
      message: `has kind ${showValue(item.kind, 60)} in the ${KIND_WORDS[kind]} list; skipped, nothing of it kept`,
    };
  }
  try {
    return { value: convert(item, soft) };
  } catch (err) {
    if (!(err instanceof InvalidField)) throw err;
    return { code: 'InvalidObject', message: `${err.message}; skipped` };
  }
}

function convertKind<T extends { namespace?: string; name: string }>(
  kind: KubernetesKind,
  items: readonly unknown[],
  convert: (item: JsonObject, soft: SoftProblem) => T,
  log: ErrorLog,
): Converted<T> {
  if (items.length > MAX_OBJECTS_PER_KIND) {
    log.add({
      kind,
      code: 'TooLarge',
      message: `${items.length} ${KIND_WORDS[kind]}; only the first ${MAX_OBJECTS_PER_KIND} were kept`,
    });
  }
  const kept = items.length > MAX_OBJECTS_PER_KIND ? items.slice(0, MAX_OBJECTS_PER_KIND) : items;
  const byKey = new Map<string, T>();
  let failed = 0;
  kept.forEach((item, index) => {
    const object = describe(item, index);
    const say = (code: string, message: string) =>
      log.add({ kind, object, code, message: clip(`${KIND_OF[kind]} ${object}: ${message}`, 1000) });
    const outcome = convertOne(kind, item, convert, (path, problem) => say('PartlyUnderstood', `${path} ${problem}`));
    if (!('value' in outcome)) {
      failed++;
      say(outcome.code, outcome.message);
      return;
    }
    const key = `${outcome.value.namespace ?? ''}/${outcome.value.name}`;
    if (byKey.has(key)) {
      failed++;
      say('Duplicate', 'appears more than once; the first was kept');
      return;
    }
    byKey.set(key, outcome.value);
  });
  const values = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { values, given: kept.length, failed };
}

/** Adds a NotRead error for each kind that was not read and that no earlier error already accounts for. */
function noteMissingKinds(lists: KubeLists, source: KubeReadMeta['source'], log: ErrorLog): void {
  for (const kind of KUBERNETES_KINDS) {
    if (lists[kind] !== undefined || log.kept.some((e) => e.kind === kind)) continue;
    log.add({
      kind,
      code: 'NotRead',
      message:
        source === 'api'
          ? `${KIND_WORDS[kind]} were not listed; nothing is concluded about them`
          : `no ${KIND_WORDS[kind]} were given; nothing is concluded about them`,
    });
  }
}

function fixFor(source: KubeReadMeta['source'], errors: readonly KubernetesReadError[]): string {
  if (errors.length > 0 && errors.every((e) => e.object !== undefined)) {
    return 'the objects named in errors were skipped: check them with kubectl get KIND -n NAMESPACE NAME -o json; everything else was read';
  }
  return source === 'api'
    ? 'let the reader get and list serviceaccounts, pods and mutatingwebhookconfigurations in every namespace (an EKS access entry with a view access policy), make the API endpoint reachable, and read the cluster again'
    : `run ${KUBECTL_COMMAND} --show-managed-fields > FILE as a user who can list all three kinds in every namespace, and pass it with --kube-objects CLUSTER@REGION=FILE`;
}

function reasonFor(
  status: KubernetesSnapshot['status'],
  errors: readonly KubernetesReadError[],
  count: number,
  objects: { given: number; understood: number },
): string | undefined {
  if (status === 'complete') return undefined;
  const first = errors[0]?.message;
  if (status === 'unreadable' && objects.given > 0 && objects.understood === 0) {
    return clip(
      `none of the ${objects.given} objects could be understood; the first problem: ${first ?? 'unknown'}`,
      1000,
    );
  }
  if (status === 'unreadable' && errors.length > 0 && errors.every((e) => e.code === 'NotInFile')) {
    return 'the file holds no service accounts, pods or mutating webhook configurations: kubectl could not list them (see the errors it printed on stderr, e.g. Forbidden)';
  }
  if (status === 'unreadable') {
    return clip(first ?? 'no service accounts, pods or mutating webhook configurations were read', 1000);
  }
  return clip(count === 1 ? (first ?? 'one problem') : `${count} problems; the first: ${first ?? 'unknown'}`, 1000);
}

interface ConvertedLists {
  readonly accounts: Converted<KubeServiceAccount> | undefined;
  readonly pods: Converted<KubePod> | undefined;
  readonly hooks: Converted<{ name: string; podIdentity: boolean }> | undefined;
}

function convertLists(lists: KubeLists, log: ErrorLog): ConvertedLists {
  const { serviceaccounts, pods, mutatingwebhookconfigurations: hooks } = lists;
  return {
    accounts: serviceaccounts && convertKind('serviceaccounts', serviceaccounts, serviceAccountFrom, log),
    pods: pods && convertKind('pods', pods, (item) => podFrom(item), log),
    hooks: hooks && convertKind('mutatingwebhookconfigurations', hooks, (item) => webhookConfigurationFrom(item), log),
  };
}

/** Null (nothing concluded) when the configurations were not read, or some were not understood and none matched. */
function webhookOf(hooks: ConvertedLists['hooks']): KubernetesSnapshot['podIdentityWebhook'] {
  if (hooks === undefined) return null;
  if (hooks.failed > 0 && !hooks.values.some((h) => h.podIdentity)) return null;
  return webhookState(hooks.values);
}

function statusOf(
  converted: ConvertedLists,
  problems: number,
): { status: KubernetesSnapshot['status']; given: number; understood: number } {
  const read = [converted.accounts, converted.pods, converted.hooks].filter((c) => c !== undefined);
  const given = read.reduce((n, c) => n + c.given, 0);
  const understood = read.reduce((n, c) => n + c.given - c.failed, 0);
  const unreadable = read.length === 0 || (given > 0 && understood === 0);
  return { status: unreadable ? 'unreadable' : problems > 0 ? 'partial' : 'complete', given, understood };
}

/** reason, fix, readAt, serverVersion and errors, each only when it has a value. */
function describeRead(
  status: KubernetesSnapshot['status'],
  meta: KubeReadMeta,
  errors: readonly KubernetesReadError[],
  count: number,
  objects: { given: number; understood: number },
): Partial<KubernetesSnapshot> {
  const out: { -readonly [K in keyof KubernetesSnapshot]?: KubernetesSnapshot[K] } = {};
  if (status !== 'complete') {
    const reason = meta.reason ?? reasonFor(status, errors, count, objects);
    if (reason !== undefined) out.reason = reason;
    out.fix = meta.fix ?? fixFor(meta.source, errors);
  }
  if (meta.readAt !== undefined) out.readAt = meta.readAt;
  if (meta.serverVersion !== undefined) out.serverVersion = meta.serverVersion;
  if (errors.length > 0) out.errors = errors;
  return out;
}

/**
 * Converts raw objects per kind to the snapshot's model. `lists.X` undefined means kind X was not read. Never throws
 * on bad objects.
 */
export function kubernetesSnapshotFromLists(lists: KubeLists, meta: KubeReadMeta): KubernetesSnapshot {
  const log = new ErrorLog();
  for (const e of [...(meta.errors ?? []), ...(lists.errors ?? [])]) log.add(e);
  noteMissingKinds(lists, meta.source, log);
  const converted = convertLists(lists, log);
  const { status, given, understood } = statusOf(converted, log.count);
  const errors = log.list();
  const usable = status !== 'unreadable';
  return {
    status,
    source: meta.source,
    ...describeRead(status, meta, errors, log.count, { given, understood }),
    serviceAccounts: usable ? (converted.accounts?.values ?? []) : [],
    pods: usable ? (converted.pods?.values ?? []) : [],
    podIdentityWebhook: usable ? webhookOf(converted.hooks) : null,
  };
}

/**
 * The snapshot with `kubernetes` set on cluster `cluster` in `region` (replacing what it had). `accountId` picks the
 * account when two hold a cluster of that name and region. Throws ClusterLookupError, naming the clusters the
 * snapshot holds, when there is no such cluster or more than one.
 */
export function withClusterKubernetes(
  snapshot: EstateSnapshot,
  cluster: string,
  region: string,
  kubernetes: KubernetesSnapshot,
  accountId?: string,
): EstateSnapshot {
  const holders = snapshot.accounts.filter(
    (a) =>
      (accountId === undefined || a.accountId === accountId) &&
      a.clusters.some((c) => c.name === cluster && c.region === region),
  );
  const named = `${accountId === undefined ? '' : `${accountId}/`}${cluster}@${region}`;
  if (holders.length === 0) {
    throw new ClusterLookupError(
      `${clip(named, 200)} is not in the snapshot; it holds ${knownClusters(snapshot)}`,
      cluster,
      region,
    );
  }
  if (holders.length > 1) {
    const ids = holders.map((a) => a.accountId);
    throw new ClusterLookupError(
      `${clip(named, 200)} is in ${ids.length} accounts (${ids.slice(0, 10).join(', ')}): name one, as ${ids[0]}/${clip(cluster, 100)}@${clip(region, 40)}`,
      cluster,
      region,
    );
  }
  const holder = holders[0];
  return {
    ...snapshot,
    accounts: snapshot.accounts.map((a) =>
      a !== holder
        ? a
        : {
            ...a,
            clusters: a.clusters.map((c) => (c.name === cluster && c.region === region ? { ...c, kubernetes } : c)),
          },
    ),
  };
}

/** `a@r1, b@r2, ...` (the first 20), or `no clusters`. */
function knownClusters(snapshot: EstateSnapshot): string {
  const all = snapshot.accounts.flatMap((a) => a.clusters.map((c) => `${c.name}@${c.region}`));
  if (all.length === 0) return 'no clusters';
  const shown = all.slice(0, 20).map((n) => clip(n, 140));
  return `${all.length === 1 ? 'one cluster' : `${all.length} clusters`}: ${shown.join(', ')}${all.length > 20 ? `, and ${all.length - 20} more` : ''}`;
}
