import { FIX_ORDER, type Fixer } from './fixer';
import { proposeKubernetesChange } from './kube-plan';

/** IRSA-033: no pod identity webhook; propose restoring it (the workflow cannot: it is the cluster's). */
export const irsa033RestoreWebhook: Fixer<'IRSA-033'> = {
  rule: 'IRSA-033',
  order: FIX_ORDER.additions,
  serviceAccount: (f, ctx) => {
    proposeKubernetesChange(f, ctx, {
      why: 'Restore the pod identity webhook: on EKS it is managed (the pod-identity-webhook MutatingWebhookConfiguration must not be deleted or edited; open a support case if it is gone); on a self-managed cluster, redeploy amazon-eks-pod-identity-webhook (its README). Then recreate the pods of the service accounts that name a role.',
      commands: [
        'kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml',
        ...f.evidence.serviceAccounts.map((sa) => `kubectl get pods -n ${sa.split('/')[0]} -o wide`),
      ],
      manifest: '',
      risk: 'high',
    });
  },
};
