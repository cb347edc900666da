/**
 * The hub's Kubernetes read of one EKS cluster (eks-cluster-reader.ts's `read`): kapi's KubeApiClient with the EKS
 * bearer token and the cluster's CA, and readClusterKubernetes (paginated lists of the three kinds). Bounded per
 * cluster: a short timeout per call and few retries, so that a cluster that does not answer costs a sweep seconds,
 * not minutes; the kept-alive connections are closed when the read ends.
 */

import type { KubernetesRead } from './eks-cluster-reader';
import { KubeApiClient, type KubeApiClientOptions } from './kube-api-client';
import { readClusterKubernetes } from './read-cluster';

/** Per call: the hub reads clusters from a Lambda with a bounded duration. */
export const HUB_KUBE_CLIENT_OPTIONS: KubeApiClientOptions = { timeoutMs: 10_000, retries: 2 };

export function hubKubernetesRead(options: KubeApiClientOptions = {}, identity?: string): KubernetesRead {
  return async (access) => {
    const client = new KubeApiClient(
      { server: access.server, ...(access.ca ? { ca: access.ca } : {}), auth: { token: access.token } },
      { ...HUB_KUBE_CLIENT_OPTIONS, ...options },
    );
    try {
      return await readClusterKubernetes(client, identity ? { identity } : {});
    } finally {
      client.close();
    }
  };
}
