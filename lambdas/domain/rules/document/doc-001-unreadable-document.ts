import type { ReadFailure, ReadFailureKind } from '../../trust-policy/model';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { RoleScope } from './role-pass';

export interface UnreadableDocumentEvidence {
  readonly failure: ReadFailureKind;
  readonly excerpt: string;
}

/** DOC-001: the trust policy is not a JSON policy document (or too large to be one IAM holds). */
export function reportUnreadableDocument(r: RoleScope, read: ReadFailure): void {
  r.emit('DOC-001', `Role ${r.ref.role.name}: ${read.message}.`, { failure: read.kind, excerpt: read.excerpt });
}

export const DOC_001 = defineRule<UnreadableDocumentEvidence>()({
  id: 'DOC-001',
  severity: 'high',
  title: 'Trust policy cannot be read',
  explanation:
    'The trust policy in the snapshot is not a JSON policy document (bad URL encoding, invalid JSON, not an object, or far too large). Nothing about this role can be verified.',
  remediation: 'Re-collect the role, or fix the document in the source that produced the snapshot.',
  references: [DOC.policyGrammar],
});
