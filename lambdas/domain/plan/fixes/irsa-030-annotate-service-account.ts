import { stableId } from '../../finding';
import { FIX_ORDER, type Fixer } from './fixer';

/** IRSA-030: the service account's role-arn annotation is malformed; propose the kubectl command (Kubernetes side). */
export const irsa030AnnotateServiceAccount: Fixer<'IRSA-030'> = {
  rule: 'IRSA-030',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    const sa = f.evidence.serviceAccount;
    const command = `kubectl annotate serviceaccount -n ${sa.namespace} ${sa.name} eks.amazonaws.com/role-arn=arn:${ctx.partition}:iam::<account>:role/<name> --overwrite`;
    ctx.propose({
      id: stableId('plan', 'update-service-account', f.accountId, f.resourceArn, f.id),
      ruleIds: [f.ruleId],
      findingIds: [f.id],
      accountId: f.accountId,
      resourceArn: f.resourceArn,
      ...(f.cluster ? { cluster: f.cluster, region: f.region } : {}),
      action: 'update-service-account',
      before: null,
      after: null,
      diff: '',
      rationale: `The annotation is a Kubernetes change this tool does not make: ${command}, then restart the pods.`,
      requiresApproval: true,
      applicable: false,
      proposeOnlyReason: 'a Kubernetes change, outside AWS',
      risk: { level: 'low', notes: ['Pods pick the new annotation up only when recreated.'] },
      dependsOn: [],
    });
  },
};
