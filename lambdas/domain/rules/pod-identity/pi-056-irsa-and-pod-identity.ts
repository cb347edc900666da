import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { AssociationEvidence } from './pi-050-pods-service-not-trusted';

export interface DualIdentityEvidence extends AssociationEvidence {
  readonly irsaRoleArn: string | undefined;
  /** When the service account was read from the cluster: how many of its pods carry which credentials. */
  readonly pods?: DualIdentityPods;
}

/** Pods by the credential variables they carry: Pod Identity's only, IRSA's only, both, neither. */
export interface DualIdentityPods {
  readonly podIdentity: number;
  readonly irsa: number;
  readonly both: number;
  readonly neither: number;
}

// Checked by checkAssociations (../pod-identity-rules.ts).

export const PI_056 = defineRule<DualIdentityEvidence>()({
  id: 'PI-056',
  severity: 'info',
  title: 'Service account uses both IRSA and Pod Identity',
  explanation:
    'When a Pod Identity association exists, the webhook injects container credentials instead of IRSA: the role annotation is dead configuration and IRSA fixes have no effect. A pod that carries both sets of variables (created before the association, or set by hand) uses IRSA: the SDK default chains try web identity before container credentials (AWS SDKs and Tools reference, standardized credential providers).',
  remediation: 'Remove the IRSA annotation and trust once the Pod Identity association is confirmed to work.',
  references: [DOC.podId],
});
