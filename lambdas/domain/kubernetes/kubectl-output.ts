/**
 * What `kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json` prints, split into raw items per
 * kind. kubectl prints one `kind: List` whose items each carry their `kind`; the API's typed lists
 * (`ServiceAccountList`, ...) and `kubectl get pods -o json` carry items without it; `kubectl get sa NAME -o json`
 * prints the object alone. All four are read. Items of other kinds (a Secret, a ConfigMap) are skipped unread.
 */

import { KubeObjectsFileError } from '../../shared/errors';
import { clip, showValue } from '../../shared/text';
import { KUBERNETES_KINDS, type KubernetesKind, type KubernetesReadError } from '../snapshot';
import type { KubeLists } from './kube-objects';
import { KIND_OF, KIND_WORDS, KUBECTL_COMMAND, MAX_KUBE_OBJECTS_BYTES } from './kube-read-limits';
import { isObject } from './object-fields';

const KIND_BY_NAME: ReadonlyMap<string, KubernetesKind> = new Map(KUBERNETES_KINDS.map((k) => [KIND_OF[k], k]));
const KIND_BY_LIST: ReadonlyMap<string, KubernetesKind> = new Map(
  KUBERNETES_KINDS.map((k) => [`${KIND_OF[k]}List`, k]),
);
const WHAT_TO_RUN = `run ${KUBECTL_COMMAND} > FILE (add --show-managed-fields for annotation times) and pass that file`;

function refuse(file: string, problem: string, cause?: unknown): never {
  throw new KubeObjectsFileError(
    `${clip(file, 300)} ${problem}; ${WHAT_TO_RUN}`,
    file,
    cause === undefined ? undefined : { cause },
  );
}

function parse(text: string, file: string, maxChars: number): unknown {
  if (text.length > maxChars) {
    refuse(
      file,
      `is ${text.length} characters, more than the ${maxChars} this reads (read a cluster this large with scan --kubeconfig, which pages through it)`,
    );
  }
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (body.trim() === '') refuse(file, 'is empty');
  try {
    return JSON.parse(body);
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    const where = position === undefined ? '' : ` at ${lineColumn(body, Number(position))}`;
    return refuse(file, `is not JSON${where}${formatHint(body)}: ${clip((err as Error).message, 200)}`, err);
  }
}

/** What the text looks like when it is another kubectl output format. */
function formatHint(body: string): string {
  const head = body.slice(0, 2000);
  if (/^\s*(apiVersion|items|kind)\s*:/m.test(head)) return ' (it looks like YAML: use -o json)';
  if (/^\s*(NAMESPACE|NAME)\s{2,}/.test(head)) return " (it looks like kubectl's table: add -o json)";
  return '';
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

/** Lists per kind from a kind-per-item `List` (kubectl's output for several kinds). */
function fromMixedList(items: readonly unknown[]): KubeLists {
  const byKind: Record<KubernetesKind, unknown[]> = {
    serviceaccounts: [],
    pods: [],
    mutatingwebhookconfigurations: [],
  };
  const errors: KubernetesReadError[] = [];
  items.forEach((item, index) => {
    const kindName = isObject(item) ? item.kind : undefined;
    const kind = typeof kindName === 'string' ? KIND_BY_NAME.get(kindName) : undefined;
    if (kind !== undefined) byKind[kind].push(item);
    else if (typeof kindName !== 'string') {
      // Cannot be routed; counted against the kind it most looks like, so that kind is not taken as complete.
      const guess = guessKind(item);
      errors.push({
        kind: guess,
        object: `item ${index}`,
        code: 'InvalidObject',
        message: `item ${index} of the List has no kind (${isObject(item) ? 'an object' : showValue(item, 40)}); skipped`,
      });
    }
  });
  const lists: { -readonly [K in KubernetesKind]?: unknown[] } = {};
  for (const kind of KUBERNETES_KINDS) {
    if (byKind[kind].length > 0) lists[kind] = byKind[kind];
    else errors.push(notInFile(kind));
  }
  return { ...lists, ...(errors.length > 0 ? { errors } : {}) };
}

function guessKind(item: unknown): KubernetesKind {
  if (!isObject(item)) return 'pods';
  if (Array.isArray(item.webhooks)) return 'mutatingwebhookconfigurations';
  if (isObject(item.spec)) return 'pods';
  return 'serviceaccounts';
}

function notInFile(kind: KubernetesKind): KubernetesReadError {
  return {
    kind,
    code: 'NotInFile',
    message: `the file holds no ${KIND_WORDS[kind]}: either kubectl could not list them (see what it printed on stderr) or the cluster has none; nothing is concluded about ${KIND_WORDS[kind]}`,
  };
}

/** Only `kind` of the lists holds items; the other kinds were not in the file. */
function onlyKind(kind: KubernetesKind, items: readonly unknown[]): KubeLists {
  return { [kind]: items, errors: KUBERNETES_KINDS.filter((k) => k !== kind).map(notInFile) };
}

/**
 * Splits kubectl's JSON output into raw items per kind. Throws KubeObjectsFileError (naming the file and the command
 * to run) only when the text is not JSON, not a Kubernetes object or List, or longer than `maxChars` (256 MiB);
 * bad items are left for the converter, which never throws on them.
 */
export function listsFromKubectlOutput(text: string, file: string, maxChars = MAX_KUBE_OBJECTS_BYTES): KubeLists {
  const value = parse(text, file, maxChars);
  if (!isObject(value) || typeof value.kind !== 'string') {
    return refuse(file, 'is JSON but not a Kubernetes object or List (no "kind")');
  }
  const kind = value.kind;
  if (kind === 'List' || kind.endsWith('List')) {
    if (!Array.isArray(value.items)) return refuse(file, `is a ${clip(kind, 60)} without an "items" array`);
    if (kind === 'List') return fromMixedList(value.items);
    const listed = KIND_BY_LIST.get(kind);
    if (listed === undefined)
      return refuse(file, `is a ${clip(kind, 60)}, not service accounts, pods or mutating webhook configurations`);
    return onlyKind(listed, value.items);
  }
  const single = KIND_BY_NAME.get(kind);
  if (single === undefined)
    return refuse(file, `is a ${clip(kind, 60)}, not service accounts, pods or mutating webhook configurations`);
  return onlyKind(single, [value]);
}
