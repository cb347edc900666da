/** The limits and names shared by the converter and the kubectl-output reader. */

import type { KubernetesKind } from '../snapshot';

/** What the user runs to make a `--kube-objects` file. */
export const KUBECTL_COMMAND = 'kubectl get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json';

/**
 * The largest `--kube-objects` file read: 256 MiB. V8 cannot hold a string of more than about 512 MiB (2^29 - 24
 * UTF-16 units), and JSON.parse needs several times the text in memory; 256 MiB of kubectl output is about 25,000
 * pods with managed fields. A larger cluster is read with `scan --kubeconfig` (paginated), or per namespace.
 */
export const MAX_KUBE_OBJECTS_BYTES = 256 * 1024 * 1024;

/**
 * Objects kept per kind: 200,000 (ours: above Kubernetes' scalability threshold of 150,000 pods per cluster). A list
 * with more keeps the first 200,000 and makes the cluster `partial`.
 */
export const MAX_OBJECTS_PER_KIND = 200_000;

/** Problems listed in a snapshot's `errors`: the first 100, then one entry that counts the rest. */
export const MAX_READ_ERRORS = 100;

/** The `kind` of each list's items, as the API and kubectl write it. */
export const KIND_OF: Readonly<Record<KubernetesKind, string>> = {
  serviceaccounts: 'ServiceAccount',
  pods: 'Pod',
  mutatingwebhookconfigurations: 'MutatingWebhookConfiguration',
};

/** Plural words for messages. */
export const KIND_WORDS: Readonly<Record<KubernetesKind, string>> = {
  serviceaccounts: 'service accounts',
  pods: 'pods',
  mutatingwebhookconfigurations: 'mutating webhook configurations',
};
