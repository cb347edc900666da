import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';

// Checked by checkPodIdentityTrust (../pod-identity-rules.ts).

export const PI_055 = defineRule<StatementEvidence>()({
  id: 'PI-055',
  severity: 'medium',
  title: 'Over-broad Pod Identity trust',
  explanation:
    'A trust for pods.eks.amazonaws.com without conditions lets any Pod Identity association in the account use the role.',
  remediation:
    'Restrict with aws:SourceAccount, aws:SourceArn or aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account.',
  references: [DOC.podIdRole],
});
