import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import { byWorkload, type KubeClusterScope, type PodGroupEvidence, podRef, workloadText } from './kube-scope';

export interface MissingServiceAccountEvidence {
  /** The service account the pods name, which the cluster does not have. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly workload: PodGroupEvidence;
}

/**
 * KUBE-002: pods name a service account the cluster does not have. Said only when the service accounts were read
 * completely (a partial read may have missed it).
 */
export function checkPodServiceAccounts(scope: KubeClusterScope): void {
  if (!scope.kindComplete('serviceaccounts')) return;
  const missing = scope.allPods().filter((pod) => !scope.serviceAccount(pod.namespace, pod.serviceAccountName));
  for (const { first, evidence } of byWorkload(missing)) {
    const name = first.serviceAccountName;
    scope.ctx.emit({
      ruleId: 'KUBE-002',
      ...scope.onCluster(
        podRef(first),
        first.namespace,
        name,
        evidence.owner?.kind ?? '',
        evidence.owner?.name ?? first.name,
      ),
      message: `${capitalize(workloadText(evidence))} on cluster ${scope.cluster.cluster.name} runs as service account ${first.namespace}/${name}, which does not exist: new pods cannot be created, and running ones get no IRSA credentials from it.`,
      evidence: { serviceAccount: { namespace: first.namespace, name }, workload: evidence },
    });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const KUBE_002 = defineRule<MissingServiceAccountEvidence>()({
  id: 'KUBE-002',
  severity: 'high',
  title: "Pod's service account does not exist",
  explanation:
    'The pod spec names a service account (serviceAccountName) that is not in its namespace: it was deleted, renamed, or created in another namespace. Kubernetes refuses to create new pods for it, and the pod identity webhook has no annotation to read.',
  podError:
    'Error creating: pods "<pod>" is forbidden: error looking up service account <namespace>/<name>: serviceaccount "<name>" not found',
  remediation:
    "Create the service account in the pod's namespace with the eks.amazonaws.com/role-arn annotation (kubectl create serviceaccount -n <namespace> <name>, then kubectl annotate), or fix serviceAccountName in the workload.",
  references: [DOC.configureServiceAccounts, DOC.associate],
});
