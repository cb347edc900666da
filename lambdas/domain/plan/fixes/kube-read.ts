import type { ClusterRef } from '../../estate-index';

/**
 * Why a trust change built from the service accounts read from a cluster must be shown to a person rather than
 * applied: the read was not complete, so a service account that was not read may use the role (or be the one the
 * finding is about). Undefined when the read was complete, or when the cluster side was not read at all (then the
 * known workloads are the add-ons' and the declared ones, as before).
 */
export function incompleteReadReason(cluster: ClusterRef, what: string): string | undefined {
  const kube = cluster.cluster.kubernetes;
  if (!kube || kube.status === 'complete') return undefined;
  const how = kube.status === 'partial' ? 'only in part' : 'not at all';
  return `cluster ${cluster.cluster.name}'s Kubernetes objects were read ${how} (${kube.reason ?? 'no reason given'}): ${what}; applicable only from a complete read`;
}
