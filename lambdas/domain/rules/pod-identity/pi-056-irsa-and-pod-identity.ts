import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { AssociationEvidence } from './pi-050-pods-service-not-trusted';

export interface DualIdentityEvidence extends AssociationEvidence {
  readonly irsaRoleArn: string | undefined;
}

// Checked by checkAssociations (../pod-identity-rules.ts).

export const PI_056 = defineRule<DualIdentityEvidence>()({
  id: 'PI-056',
  severity: 'info',
  title: 'Service account uses both IRSA and Pod Identity',
  explanation:
    'When a Pod Identity association exists, the webhook injects container credentials instead of IRSA: the role annotation is dead configuration and IRSA fixes have no effect.',
  remediation: 'Remove the IRSA annotation and trust once the Pod Identity association is confirmed to work.',
  references: [DOC.podId],
});
