import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';

/** PI-055: the Pod Identity statement, and what else it lets in (absent for the standard trust, an info finding). */
export interface PodIdentityTrustEvidence extends StatementEvidence {
  readonly alsoTrusted?: readonly string[];
}

// Checked by checkPodIdentityTrust (../pod-identity-rules.ts).

export const PI_055 = defineRule<PodIdentityTrustEvidence>()({
  id: 'PI-055',
  severity: 'medium',
  title: 'Over-broad Pod Identity trust (info for the standard trust of the EKS user guide)',
  explanation:
    "A trust for pods.eks.amazonaws.com without conditions lets any Pod Identity association in the role's account use the role. That is the standard trust the EKS user guide shows and the console creates, and only associations of the role's own account can pass it (iam:PassRole): a hardening suggestion (info). It is medium when the statement also lets in other principals.",
  remediation:
    'Optionally restrict with aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account (EKS user guide), or aws:SourceOrgId / aws:SourceAccount (confused-deputy keys); give other principals a statement of their own.',
  references: [DOC.podIdRole],
});
