import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { SubjectNotAllowedEvidence } from './irsa-016-subject-not-allowed';

// Reported by reportSubjectNotAllowed (IRSA-016's file) when the service account is an EKS add-on's.

export const IRSA_038 = defineRule<SubjectNotAllowedEvidence>()({
  id: 'IRSA-038',
  severity: 'high',
  title: "EKS add-on role does not trust the add-on's service account",
  explanation:
    "The add-on's serviceAccountRoleArn names a role whose trust policy does not allow the add-on's service account on this cluster.",
  podError: ACCESS_DENIED,
  remediation:
    "Add the add-on's subject to the role's :sub values for this cluster, or move the add-on to Pod Identity.",
  references: [DOC.addonIam, DOC.associate],
});
