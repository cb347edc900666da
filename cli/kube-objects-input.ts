/**
 * `analyze|plan --kube-objects CLUSTER@REGION=FILE`: what `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations
 * -A -o json` printed for a cluster, read into that cluster of the snapshot, for users who cannot give the tool
 * access to the cluster. The merged snapshot is what analysis and planning see.
 */

import { readFile, stat } from 'node:fs/promises';
import {
  KUBECTL_COMMAND,
  kubernetesSnapshotFromLists,
  listsFromKubectlOutput,
  MAX_KUBE_OBJECTS_BYTES,
  withClusterKubernetes,
} from '../lambdas/domain/kubernetes/kube-objects';
import type { EstateSnapshot, KubernetesSnapshot } from '../lambdas/domain/snapshot';
import { InputReadError, KubeObjectsFileError, UsageError } from '../lambdas/shared/errors';
import { clip } from '../lambdas/shared/text';

export interface KubeObjectsSpec {
  readonly accountId?: string;
  readonly cluster: string;
  readonly region: string;
  readonly file: string;
}

/** An optional 12-digit account, a cluster name as EKS CreateCluster allows it, a region code, a file. */
const SPEC = /^(?:(\d{12})\/)?([0-9A-Za-z][A-Za-z0-9_-]{0,99})@([a-z0-9][a-z0-9-]{0,31})=(.+)$/s;

export function parseKubeObjectsSpec(value: string): KubeObjectsSpec {
  const match = SPEC.exec(value);
  if (!match) {
    throw new UsageError(
      `--kube-objects takes CLUSTER@REGION=FILE (e.g. prod@us-west-2=prod-objects.json, or 111111111111/prod@us-west-2=FILE); got ${clip(JSON.stringify(value), 200)}`,
    );
  }
  const [, accountId, cluster = '', region = '', file = ''] = match;
  if (file === '-') throw new UsageError('--kube-objects needs a file; "-" (stdin) is not read for it');
  return { ...(accountId === undefined ? {} : { accountId }), cluster, region, file };
}

function sameCluster(a: KubeObjectsSpec, b: KubeObjectsSpec): boolean {
  if (a.cluster !== b.cluster || a.region !== b.region) return false;
  return a.accountId === undefined || b.accountId === undefined || a.accountId === b.accountId;
}

/** Parses every value; refuses the same cluster named twice. */
export function parseKubeObjectsSpecs(values: readonly string[]): KubeObjectsSpec[] {
  const specs = values.map(parseKubeObjectsSpec);
  specs.forEach((spec, i) => {
    const earlier = specs.slice(0, i).find((other) => sameCluster(other, spec));
    if (earlier) {
      throw new UsageError(
        `--kube-objects names ${spec.cluster}@${spec.region} twice (${clip(earlier.file, 200)} and ${clip(spec.file, 200)}): give one file per cluster`,
      );
    }
  });
  return specs;
}

/** The file's text: UTF-8 (a byte order mark is dropped), or UTF-16 with its byte order mark (PowerShell's `>`). */
function decode(bytes: Buffer, file: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new KubeObjectsFileError(
      `${clip(file, 300)} is not UTF-8 text; run ${KUBECTL_COMMAND} > FILE and pass that file`,
      file,
      { cause: err },
    );
  }
}

async function readKubeObjectsFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (info.size > MAX_KUBE_OBJECTS_BYTES) {
      throw new KubeObjectsFileError(
        `${clip(file, 300)} is ${info.size} bytes, more than the ${MAX_KUBE_OBJECTS_BYTES / 1024 / 1024} MiB --kube-objects reads; read a cluster this large with scan --kubeconfig, which pages through it`,
        file,
      );
    }
    return decode(await readFile(file), file);
  } catch (err) {
    if (err instanceof InputReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new InputReadError(`cannot read --kube-objects file ${clip(file, 300)}: ${clip(reason, 300)}`, {
      cause: err,
    });
  }
}

/** What one file says about its cluster. */
export async function kubeObjectsFromFile(file: string): Promise<KubernetesSnapshot> {
  const text = await readKubeObjectsFile(file);
  return kubernetesSnapshotFromLists(listsFromKubectlOutput(text, file), { source: 'kube-objects' });
}

/**
 * The snapshot with each named cluster's `kubernetes` read from its file (replacing what the snapshot had). Every
 * cluster is looked up before any file is read, so a typo fails fast and names the clusters the snapshot holds.
 */
export async function withKubeObjects(snapshot: EstateSnapshot, values: readonly string[]): Promise<EstateSnapshot> {
  if (values.length === 0) return snapshot;
  const specs = parseKubeObjectsSpecs(values);
  const probe: KubernetesSnapshot = {
    status: 'unreadable',
    source: 'kube-objects',
    serviceAccounts: [],
    pods: [],
    podIdentityWebhook: null,
  };
  for (const spec of specs) withClusterKubernetes(snapshot, spec.cluster, spec.region, probe, spec.accountId);
  let merged = snapshot;
  for (const spec of specs) {
    const kubernetes = await kubeObjectsFromFile(spec.file);
    merged = withClusterKubernetes(merged, spec.cluster, spec.region, kubernetes, spec.accountId);
  }
  return merged;
}
