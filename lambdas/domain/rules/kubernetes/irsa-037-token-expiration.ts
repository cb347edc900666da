import { TOKEN_EXPIRATION_ANNOTATION } from '../../kube-annotations';
import type { KubePod, KubeServiceAccount } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import {
  annotatedRole,
  byWorkload,
  type KubeClusterScope,
  type PodGroupEvidence,
  podRef,
  serviceAccountRef,
  workloadText,
} from './kube-scope';

/** The webhook's bounds for a token's lifetime, in seconds (amazon-eks-pod-identity-webhook pkg/constants.go). */
export const MIN_TOKEN_SECONDS = 600;
export const MAX_TOKEN_SECONDS = 86400;

export interface TokenExpirationEvidence {
  /** The annotation's value as written. */
  readonly value: string;
  /** Where it is set: on the service account, or on the pods (which wins). */
  readonly on: 'ServiceAccount' | 'Pod';
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly workload?: PodGroupEvidence;
}

/** IRSA-037: a token-expiration annotation that is not a whole number of seconds from 600 to 86400. */
export function checkTokenExpiration(scope: KubeClusterScope, sa: KubeServiceAccount, pods: readonly KubePod[]): void {
  const role = annotatedRole(sa);
  const base = (ref: Parameters<KubeClusterScope['onCluster']>[0], ...parts: string[]) =>
    role ? scope.onRole(role, ref, ...parts) : scope.onCluster(ref, ...parts);
  const value = sa.annotations[TOKEN_EXPIRATION_ANNOTATION];
  const saEvidence = { namespace: sa.namespace, name: sa.name };
  if (value !== undefined && !inRange(value)) {
    scope.ctx.emit({
      ruleId: 'IRSA-037',
      ...base(serviceAccountRef(sa), 'sa', sa.namespace, sa.name),
      message: `Service account ${sa.namespace}/${sa.name} on cluster ${scope.cluster.cluster.name} sets ${TOKEN_EXPIRATION_ANNOTATION}: "${value}", ${why(value)}.`,
      evidence: { value, on: 'ServiceAccount', serviceAccount: saEvidence },
    });
  }
  const odd = pods.filter((p) => {
    const v = p.annotations?.[TOKEN_EXPIRATION_ANNOTATION];
    return v !== undefined && !inRange(v);
  });
  for (const { first, evidence } of byWorkload(odd)) {
    const v = first.annotations?.[TOKEN_EXPIRATION_ANNOTATION] ?? '';
    scope.ctx.emit({
      ruleId: 'IRSA-037',
      ...base(podRef(first), 'pod', evidence.namespace, evidence.owner?.kind ?? '', evidence.owner?.name ?? first.name),
      message: `${workloadText(evidence)} on cluster ${scope.cluster.cluster.name} sets ${TOKEN_EXPIRATION_ANNOTATION}: "${v}" (the pod's annotation wins over the service account's), ${why(v)}.`,
      evidence: { value: v, on: 'Pod', serviceAccount: saEvidence, workload: evidence },
    });
  }
}

function inRange(value: string): boolean {
  if (!/^\d+$/.test(value.trim())) return false;
  const n = Number(value.trim());
  return n >= MIN_TOKEN_SECONDS && n <= MAX_TOKEN_SECONDS;
}

function why(value: string): string {
  return /^\d+$/.test(value.trim())
    ? `outside the ${MIN_TOKEN_SECONDS} to ${MAX_TOKEN_SECONDS} seconds the webhook accepts: the token does not get that lifetime`
    : 'which is not a whole number of seconds: the webhook cannot use it';
}

export const IRSA_037 = defineRule<TokenExpirationEvidence>()({
  id: 'IRSA-037',
  severity: 'low',
  title: 'Token-expiration annotation out of range',
  explanation:
    "eks.amazonaws.com/token-expiration (on the service account, or on the pod, which wins) sets the projected token's lifetime. The API server refuses less than 600 seconds and the webhook allows at most 86400 (its default); the kubelet refreshes the token at 80% of its lifetime.",
  remediation:
    'Set the annotation to a whole number of seconds from 600 to 86400, or remove it for the default (86400), then restart the pods.',
  references: [DOC.webhook, DOC.irsaTechnical],
});
