import type { PodIdentityAssociationSnapshot } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';

export interface DeniedAction {
  readonly action: string;
  readonly explanation: string;
}

export interface AssociationEvidence {
  readonly association: PodIdentityAssociationSnapshot;
}

export interface AssociationDeniedEvidence extends AssociationEvidence {
  readonly denied: readonly DeniedAction[];
}

// Checked by checkAssociations (../pod-identity-rules.ts).

export const PI_050 = defineRule<AssociationDeniedEvidence>()({
  id: 'PI-050',
  severity: 'high',
  title: 'Pod Identity role does not trust pods.eks.amazonaws.com for AssumeRole and TagSession',
  explanation:
    "A Pod Identity association's role must trust the service principal pods.eks.amazonaws.com for both sts:AssumeRole and sts:TagSession.",
  podError: 'is not authorized to perform: sts:TagSession on resource: <role ARN>',
  remediation: 'Add the missing action or principal to the Pod Identity statement.',
  references: [DOC.podIdRole],
});
