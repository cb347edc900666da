import type { ClusterRef } from '../../estate-index';
import type { KubeServiceAccount } from '../../snapshot';
import type { AnalysisContext } from '../context';
import { checkPodsUseIrsa } from './irsa-032-pod-not-using-irsa';
import { checkWebhook } from './irsa-033-webhook-missing';
import { checkTokenReadable } from './irsa-034-token-unreadable';
import { checkCredentialEnv } from './irsa-035-credential-env';
import { checkTokenExpiration } from './irsa-037-token-expiration';
import { checkStsPartition } from './irsa-040-sts-partition-region';
import { checkGlobalSts } from './irsa-041-global-sts-endpoint';
import { checkPodServiceAccounts } from './kube-002-pod-service-account-missing';
import { annotatedRole, irsaInjected, KubeClusterScope, wellFormedRole } from './kube-scope';

const scopesOf = new WeakMap<AnalysisContext, Map<ClusterRef, KubeClusterScope>>();

/** The clusters whose Kubernetes objects were read (complete or partial), each scoped once per analysis. */
export function kubeScopes(ctx: AnalysisContext): ReadonlyMap<ClusterRef, KubeClusterScope> {
  let scopes = scopesOf.get(ctx);
  if (!scopes) {
    scopes = new Map();
    for (const cluster of ctx.index.clusters) {
      const kube = cluster.cluster.kubernetes;
      if (kube && kube.status !== 'unreadable') scopes.set(cluster, new KubeClusterScope(cluster, ctx, kube));
    }
    scopesOf.set(ctx, scopes);
  }
  return scopes;
}

/**
 * The cluster-side rules, per cluster whose Kubernetes objects were read: an unreadable cluster gets none, and a
 * partial one only those its complete kinds support (kindComplete). The workload rules (IRSA-016, 030, 031, 036,
 * PI-056) run on its service accounts through the known workloads (EstateIndex), and KUBE-003 in the role pass.
 */
export function checkKubernetes(ctx: AnalysisContext): void {
  for (const scope of kubeScopes(ctx).values()) {
    checkPodServiceAccounts(scope);
    checkWebhook(scope);
    for (const sa of scope.allServiceAccounts()) checkServiceAccount(scope, sa);
  }
}

function checkServiceAccount(scope: KubeClusterScope, sa: KubeServiceAccount): void {
  const pods = scope.podsOf(sa.namespace, sa.name);
  checkTokenExpiration(scope, sa, pods);
  const role = annotatedRole(sa);
  const podIdentity = scope.podIdentityRole(sa.namespace, sa.name);
  if (podIdentity) {
    // The webhook gives these pods Pod Identity's container credentials, not IRSA (PI-056 says which wins).
    checkCredentialEnv(scope, podIdentity, 'pod-identity', pods);
    return;
  }
  checkPodsUseIrsa(scope, sa, pods);
  if (!wellFormedRole(role)) return;
  checkCredentialEnv(scope, role, 'irsa', pods);
  const injected = pods.filter(irsaInjected);
  checkTokenReadable(scope, role, injected);
  checkStsPartition(scope, sa, role, injected);
  checkGlobalSts(scope, sa, role, injected);
}
