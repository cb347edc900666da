import type { KubeContainer, KubePod } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import {
  appContainers,
  byWorkload,
  type KubeClusterScope,
  kubernetesVersion,
  type PodGroupEvidence,
  podRef,
  workloadText,
} from './kube-scope';

export interface TokenUnreadableEvidence {
  /** The Kubernetes version the check used (the cluster's, else the API server's). */
  readonly kubernetesVersion: string;
  /** The containers that run as a non-root user, with what says so. */
  readonly containers: ReadonlyArray<{
    readonly name: string;
    readonly runAsUser?: number;
    readonly runAsNonRoot?: boolean;
  }>;
  readonly workload: PodGroupEvidence;
}

/**
 * IRSA-034: before Kubernetes 1.19 the projected token is readable by root only unless the pod sets fsGroup
 * (EKS user guide, IRSA technical overview: "not required for 1.19 or later clusters"). Checked only when the
 * version is known.
 */
export function checkTokenReadable(scope: KubeClusterScope, roleArn: string, pods: readonly KubePod[]): void {
  const text = scope.cluster.cluster.version ?? scope.kube.serverVersion;
  const version = kubernetesVersion(text);
  if (!version || version[0] > 1 || (version[0] === 1 && version[1] >= 19)) return;
  const unreadable = pods.filter((pod) => pod.securityContext?.fsGroup === undefined && nonRoot(pod).length > 0);
  for (const { first, evidence } of byWorkload(unreadable)) {
    const containers = nonRoot(first).map((c) => ({ name: c.name, ...effective(first, c) }));
    scope.ctx.emit({
      ruleId: 'IRSA-034',
      ...scope.onRole(
        roleArn,
        podRef(first),
        evidence.namespace,
        evidence.owner?.kind ?? '',
        evidence.owner?.name ?? first.name,
      ),
      message: `${workloadText(evidence)} on cluster ${scope.cluster.cluster.name} (Kubernetes ${text}) runs container(s) ${containers.map((c) => c.name).join(', ')} as a non-root user without a pod fsGroup: before 1.19 they cannot read the web identity token.`,
      evidence: { kubernetesVersion: text ?? '', containers, workload: evidence },
    });
  }
}

/** The pod's app containers that run as a non-root user (the container's securityContext overrides the pod's). */
function nonRoot(pod: KubePod): KubeContainer[] {
  return appContainers(pod).filter((c) => {
    const { runAsUser, runAsNonRoot } = effective(pod, c);
    return (runAsUser !== undefined && runAsUser !== 0) || (runAsUser === undefined && runAsNonRoot === true);
  });
}

function effective(pod: KubePod, c: KubeContainer): { runAsUser?: number; runAsNonRoot?: boolean } {
  const runAsUser = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  const runAsNonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  return {
    ...(runAsUser !== undefined ? { runAsUser } : {}),
    ...(runAsNonRoot !== undefined ? { runAsNonRoot } : {}),
  };
}

export const IRSA_034 = defineRule<TokenUnreadableEvidence>()({
  id: 'IRSA-034',
  severity: 'high',
  title: 'Token file not readable by a non-root container',
  explanation:
    'On clusters before Kubernetes 1.19 the projected service account token is mounted readable by root only. A container that runs as another user cannot read it unless the pod sets securityContext.fsGroup.',
  podError:
    'WebIdentityErr: failed fetching WebIdentity token: caused by: WebIdentityErr: unable to read file at /var/run/secrets/eks.amazonaws.com/serviceaccount/token\ncaused by: open /var/run/secrets/eks.amazonaws.com/serviceaccount/token: permission denied',
  remediation:
    "Set the pod's securityContext.fsGroup (e.g. the group the container runs as) in the workload's pod template, or upgrade the cluster to 1.19 or later.",
  references: [DOC.irsaTechnical, DOC.webhook],
});
