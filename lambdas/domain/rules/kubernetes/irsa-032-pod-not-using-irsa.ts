import { ROLE_ARN_ANNOTATION, SKIP_CONTAINERS_ANNOTATION } from '../../kube-annotations';
import type { KubePod, KubeServiceAccount } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC, NODE_ROLE_FALLBACK } from '../rule-docs';
import {
  annotatedRole,
  byWorkload,
  envValue,
  irsaInjected,
  type KubeClusterScope,
  type PodGroupEvidence,
  podRef,
  wellFormedRole,
  workloadText,
} from './kube-scope';

/**
 * Why the pods do not use the role the service account names now. `created-before-annotation`: created before the
 * annotation was set (annotation times known). `not-mutated`: not mutated although the webhook is (or may be)
 * there. `role-changed`: mutated for another role. `annotation-removed`: mutated, but the annotation is gone.
 */
export type NotUsingIrsaReason = 'created-before-annotation' | 'not-mutated' | 'role-changed' | 'annotation-removed';

export interface PodNotUsingIrsaEvidence {
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  readonly reason: NotUsingIrsaReason;
  /** The service account's role-arn annotation now; null when it has none. */
  readonly roleArn: string | null;
  /** The AWS_ROLE_ARN the pods carry, when they carry one. */
  readonly podRoleArn?: string;
  /** When the annotation was last set (from managed fields), and when the first pod was created. */
  readonly annotationSetAt?: string;
  readonly podCreatedAt?: string;
  /** Whether the pod identity webhook is configured; null when unknown. */
  readonly webhookConfigured: boolean | null;
  readonly skipContainers?: string;
  readonly workload: PodGroupEvidence;
}

/** IRSA-032: pods of a service account that do not use the role it names (restart needed). */
export function checkPodsUseIrsa(scope: KubeClusterScope, sa: KubeServiceAccount, pods: readonly KubePod[]): void {
  const role = annotatedRole(sa);
  if (role !== undefined && !wellFormedRole(role)) return; // IRSA-030 says it
  const setAt = role === undefined ? undefined : sa.annotationTimes?.[ROLE_ARN_ANNOTATION];
  const byReason = new Map<NotUsingIrsaReason, KubePod[]>();
  for (const pod of pods) {
    const reason = reasonOf(pod, role, setAt, scope.webhookMissing);
    if (!reason) continue;
    const list = byReason.get(reason);
    if (list) list.push(pod);
    else byReason.set(reason, [pod]);
  }
  for (const [reason, list] of byReason) {
    for (const { first, evidence } of byWorkload(list)) report(scope, sa, { reason, role, setAt, first, evidence });
  }
}

function reasonOf(
  pod: KubePod,
  role: string | undefined,
  setAt: string | undefined,
  webhookMissing: boolean,
): NotUsingIrsaReason | undefined {
  if (irsaInjected(pod)) {
    const podRole = envValue(pod, 'AWS_ROLE_ARN');
    if (typeof podRole !== 'string') return undefined;
    if (role === undefined) return 'annotation-removed';
    return podRole === role ? undefined : 'role-changed';
  }
  if (role === undefined) return undefined;
  if (setAt !== undefined && pod.createdAt !== undefined && Date.parse(pod.createdAt) < Date.parse(setAt))
    return 'created-before-annotation';
  // Without the webhook, IRSA-033 says it once for the cluster.
  return webhookMissing ? undefined : 'not-mutated';
}

interface Case {
  readonly reason: NotUsingIrsaReason;
  readonly role: string | undefined;
  readonly setAt: string | undefined;
  readonly first: KubePod;
  readonly evidence: PodGroupEvidence;
}

function report(scope: KubeClusterScope, sa: KubeServiceAccount, c: Case): void {
  const podRole = envValue(c.first, 'AWS_ROLE_ARN');
  const resource = c.role ?? (typeof podRole === 'string' ? podRole : undefined);
  if (resource === undefined) return;
  const webhook = scope.kube.podIdentityWebhook;
  const skip = c.first.annotations?.[SKIP_CONTAINERS_ANNOTATION];
  const who = `${workloadText(c.evidence)} on cluster ${scope.cluster.cluster.name}, service account ${sa.namespace}/${sa.name}`;
  scope.ctx.emit({
    ruleId: 'IRSA-032',
    ...scope.onRole(
      resource,
      podRef(c.first),
      c.reason,
      sa.namespace,
      sa.name,
      c.evidence.owner?.kind ?? '',
      c.evidence.owner?.name ?? c.first.name,
    ),
    message: `${who}: ${explain(c, podRole, webhook?.configured ?? null, skip)} Restart the pods so the webhook mutates them again.`,
    evidence: {
      serviceAccount: { namespace: sa.namespace, name: sa.name },
      reason: c.reason,
      roleArn: c.role ?? null,
      ...(typeof podRole === 'string' ? { podRoleArn: podRole } : {}),
      ...(c.setAt !== undefined ? { annotationSetAt: c.setAt } : {}),
      ...(c.first.createdAt !== undefined ? { podCreatedAt: c.first.createdAt } : {}),
      webhookConfigured: webhook ? webhook.configured : null,
      ...(skip !== undefined ? { skipContainers: skip } : {}),
      workload: c.evidence,
    },
  });
}

function explain(
  c: Case,
  podRole: string | null | undefined,
  webhook: boolean | null,
  skip: string | undefined,
): string {
  switch (c.reason) {
    case 'created-before-annotation':
      return `the pods were created (${c.first.createdAt}) before the role annotation was set (${c.setAt}); the webhook mutates pods only when they are created, so they have no AWS_ROLE_ARN and fall back to the node role.`;
    case 'role-changed':
      return `the pods carry AWS_ROLE_ARN=${podRole}, but the service account now names ${c.role}: they keep assuming the old role until recreated.`;
    case 'annotation-removed':
      return `the pods still carry AWS_ROLE_ARN=${podRole}, but the service account no longer has the eks.amazonaws.com/role-arn annotation: they keep assuming that role until recreated.`;
    default:
      return `the service account names ${c.role}, yet the pods have neither AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE nor the aws-iam-token volume although the pod identity webhook ${
        webhook === null ? 'may be configured (its configuration was not read)' : 'is configured'
      }: they were created before the annotation, lost the race with the webhook's service account cache, ${
        skip !== undefined ? `list their containers in ${SKIP_CONTAINERS_ANNOTATION} ("${skip}"), ` : ''
      }or set the variables themselves. They fall back to the node role.`;
  }
}

export const IRSA_032 = defineRule<PodNotUsingIrsaEvidence>()({
  id: 'IRSA-032',
  severity: 'high',
  title: 'Pod is not using the role its service account names',
  explanation:
    'The pod identity webhook injects AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and the token volume only when a pod is created. Pods created before the annotation was set or changed, or that the webhook skipped, use another role or fall back to the node role.',
  podError: NODE_ROLE_FALLBACK,
  remediation:
    'Recreate the pods: kubectl rollout restart <deployment|statefulset|daemonset>/<name> -n <namespace>, or delete a pod that has no controller.',
  references: [DOC.stsEndpoint, DOC.webhook, DOC.irsaErrors],
});
