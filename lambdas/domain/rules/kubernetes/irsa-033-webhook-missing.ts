import { firstOf } from '../../brief';
import type { KubePod } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC, NODE_ROLE_FALLBACK } from '../rule-docs';
import { annotatedRole, irsaInjected, type KubeClusterScope, wellFormedRole } from './kube-scope';

export interface WebhookMissingEvidence {
  /** The first service accounts (namespace/name) that name a role and whose pods were not mutated, and how many. */
  readonly serviceAccounts: readonly string[];
  readonly serviceAccountCount: number;
  /** The first pods (namespace/name) without the injected variables, and how many. */
  readonly pods: readonly string[];
  readonly podCount: number;
}

/**
 * IRSA-033: no pod identity webhook (its MutatingWebhookConfiguration was not among those listed completely), and
 * pods of service accounts that name a role are not mutated.
 */
export function checkWebhook(scope: KubeClusterScope): void {
  if (!scope.webhookMissing) return;
  const accounts: string[] = [];
  const pods: KubePod[] = [];
  for (const sa of scope.allServiceAccounts()) {
    if (!wellFormedRole(annotatedRole(sa)) || scope.podIdentityRole(sa.namespace, sa.name)) continue;
    const bare = scope.podsOf(sa.namespace, sa.name).filter((p) => !irsaInjected(p));
    if (bare.length === 0) continue;
    accounts.push(`${sa.namespace}/${sa.name}`);
    pods.push(...bare);
  }
  if (pods.length === 0) return;
  const a = firstOf(accounts);
  const p = firstOf(pods.map((pod) => `${pod.namespace}/${pod.name}`));
  const c = scope.cluster.cluster;
  scope.ctx.emit({
    ruleId: 'IRSA-033',
    ...scope.onCluster({ kind: 'MutatingWebhookConfiguration', name: 'pod-identity-webhook' }),
    message: `Cluster ${c.name} (${c.region}) has no pod identity webhook (MutatingWebhookConfiguration pod-identity-webhook), so no pod gets IRSA credentials: ${p.total} pod(s) of ${a.total} service account(s) that name a role (${a.items.join(', ')}${a.total > a.items.length ? ', ...' : ''}) have no AWS_ROLE_ARN and fall back to the node role.`,
    evidence: { serviceAccounts: a.items, serviceAccountCount: a.total, pods: p.items, podCount: p.total },
  });
}

export const IRSA_033 = defineRule<WebhookMissingEvidence>()({
  id: 'IRSA-033',
  severity: 'critical',
  title: 'Pod identity webhook missing',
  explanation:
    'IRSA works only through the amazon-eks-pod-identity-webhook, a mutating admission webhook that injects the role, the token file and the token volume into new pods. Without its MutatingWebhookConfiguration, no pod of the cluster gets IRSA credentials.',
  podError: NODE_ROLE_FALLBACK,
  remediation:
    'On EKS the webhook is managed: restore the pod-identity-webhook MutatingWebhookConfiguration if it was deleted or edited, or open a support case. On a self-managed cluster, redeploy amazon-eks-pod-identity-webhook. Then restart the workloads.',
  references: [DOC.webhook, DOC.irsaErrors],
});
