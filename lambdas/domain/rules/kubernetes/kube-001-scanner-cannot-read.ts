import { ACCESS_ENTRY_MODES, eksViewPolicyArn } from '../../kubernetes/eks-read-access';
import type { AnalysisContext } from '../context';
import { defineRule } from '../rule';

export interface ScannerCannotReadEvidence {
  /** The cluster's ARN (the access entry's cluster). */
  readonly clusterArn: string;
  /** The IAM principal the hub read the cluster as, and the one the access entry is for: the member scanner role. */
  readonly principalArn: string;
  readonly authenticationMode: string;
  /** The access policy to associate (view only) and its scope. */
  readonly policyArn: string;
  readonly accessScope: 'cluster';
  /** Why the read failed, as recorded. */
  readonly reason: string;
}

/**
 * KUBE-001: the hub's scanner role was refused by the cluster's API server (401: no access entry) on a cluster
 * whose authentication mode takes access entries; its cluster side is unread, so no cluster-side rule runs there.
 */
export function checkScannerAccess(ctx: AnalysisContext): void {
  for (const ref of ctx.index.clusters) {
    const { cluster } = ref;
    const k = cluster.kubernetes;
    if (k?.status !== 'unreadable' || k.errors?.[0]?.code !== 'NoAccessEntry') continue;
    const mode = cluster.authenticationMode;
    if (!mode || !ACCESS_ENTRY_MODES.includes(mode) || !k.readAs) continue;
    const clusterArn =
      cluster.arn ?? `arn:${ctx.index.partition}:eks:${cluster.region}:${ref.accountId}:cluster/${cluster.name}`;
    ctx.emit({
      ruleId: 'KUBE-001',
      accountId: ref.accountId,
      resourceArn: clusterArn,
      resourceType: 'cluster',
      cluster: ref,
      message: `The scanner role ${k.readAs} cannot read cluster ${cluster.name} (${cluster.region}): it has no access entry, so the cluster's service accounts and pods are not checked.`,
      evidence: {
        clusterArn,
        principalArn: k.readAs,
        authenticationMode: mode,
        policyArn: eksViewPolicyArn(ctx.index.partition),
        accessScope: 'cluster',
        reason: k.reason ?? '',
      },
    });
  }
}

export const KUBE_001 = defineRule<ScannerCannotReadEvidence>()({
  id: 'KUBE-001',
  severity: 'medium',
  title: 'The scanner role cannot read the cluster',
  explanation:
    "The hub reads each cluster's service accounts and pods as the member scanner role, which the API server lets in only through an EKS access entry. Without one every request is 401, the cluster side stays unread, and none of the cluster-side checks (annotations, pods not restarted, webhook) run for this cluster.",
  remediation:
    'Create an access entry (type STANDARD) for the scanner role and associate AmazonEKSViewPolicy with scope cluster: the create-access-entry plan does exactly that and nothing else (approval required). IRSA Doctor never edits aws-auth.',
  references: [
    'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html',
    'https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html',
  ],
});
