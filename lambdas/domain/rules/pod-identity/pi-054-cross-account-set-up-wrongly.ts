import type { Either } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { AssociationDeniedEvidence, AssociationEvidence } from './pi-050-pods-service-not-trusted';

// Checked by checkAssociations (../pod-identity-rules.ts): a role outside the cluster's account (association only),
// or a target role that does not let the association's role in (with the denied actions).

export const PI_054 = defineRule<Either<AssociationEvidence, AssociationDeniedEvidence>>()({
  id: 'PI-054',
  severity: 'high',
  title: 'Cross-account Pod Identity set up wrongly',
  explanation:
    "An association's role must be in the cluster's account; reaching another account goes through a target role, whose trust must allow the association role with sts:AssumeRole and sts:TagSession.",
  podError: 'is not authorized to perform: sts:TagSession on resource: <target role ARN>',
  remediation:
    "Use a role in the cluster's account with targetRoleArn, and let the target role trust it for AssumeRole and TagSession.",
  references: [DOC.podId, DOC.podIdRole],
});
