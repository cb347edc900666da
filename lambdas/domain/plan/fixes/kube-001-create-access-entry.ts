import { stableId } from '../../finding';
import type { AccessEntryState } from '../plan-model';
import { FIX_ORDER, type Fixer } from './fixer';

/**
 * The access entry's ARN without its id, from the cluster's ARN and the principal (a role):
 * `arn:<p>:eks:<region>:<account>:access-entry/<cluster>/role/<role account>/<role name>`. EKS appends a UUID; the
 * remediator's IAM allows the writes on `<this>/*` only.
 */
export function accessEntryArn(clusterArn: string, principalArn: string): string | undefined {
  const cluster = /^arn:([^:]+):eks:([^:]+):(\d{12}):cluster\/([^/]+)$/.exec(clusterArn);
  const role = /^arn:[^:]+:iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(principalArn);
  if (!cluster || !role) return undefined;
  const [, partition, region, account, name] = cluster;
  return `arn:${partition}:eks:${region}:${account}:access-entry/${name}/role/${role[1]}/${role[2]}`;
}

/**
 * KUBE-001: the scanner role cannot read the cluster. Plans one access entry for exactly that role (type STANDARD,
 * no Kubernetes groups) with the view policy at cluster scope, and nothing else; applied only after approval, like
 * every plan, and rolled back by deleting exactly that entry.
 */
export const kube001CreateAccessEntry: Fixer<'KUBE-001'> = {
  rule: 'KUBE-001',
  order: FIX_ORDER.additions,
  cluster: (f, ctx) => {
    const e = f.evidence;
    const arn = accessEntryArn(e.clusterArn, e.principalArn);
    if (!arn) return;
    const clusterName = e.clusterArn.slice(e.clusterArn.lastIndexOf('/') + 1);
    const after: AccessEntryState = {
      clusterName,
      principalArn: e.principalArn,
      type: 'STANDARD',
      kubernetesGroups: [],
      policies: [{ policyArn: e.policyArn, accessScope: { type: e.accessScope, namespaces: [] } }],
    };
    ctx.propose({
      id: stableId('plan', 'create-access-entry', f.accountId, arn),
      ruleIds: [f.ruleId],
      findingIds: [f.id],
      accountId: f.accountId,
      resourceArn: arn,
      ...(f.cluster ? { cluster: f.cluster, region: f.region } : {}),
      action: 'create-access-entry',
      before: null,
      after,
      diff: [
        `+ access entry on cluster ${clusterName} for ${e.principalArn} (type STANDARD, no Kubernetes groups)`,
        `+ associate ${e.policyArn}, scope cluster`,
      ].join('\n'),
      rationale: `Lets the scanner role read cluster ${clusterName} (get/list/watch through the view policy), so that its service accounts and pods are checked. Nothing is written to aws-auth or to the cluster itself.`,
      requiresApproval: true,
      applicable: true,
      risk: {
        level: 'low',
        notes: [
          'Read-only Kubernetes access (AmazonEKSViewPolicy: no Secrets) for the scanner role only.',
          'Rollback deletes the access entry, and refuses when it was changed since.',
        ],
      },
      dependsOn: [],
    });
  },
};
