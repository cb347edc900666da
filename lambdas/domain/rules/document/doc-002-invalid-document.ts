import type { Quirk, ReadSuccess } from '../../trust-policy/model';
import { invalidCharacterSampleInJson } from '../../trust-policy/parse-trust-policy';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { RoleScope } from './role-pass';

export interface InvalidDocumentEvidence {
  readonly problems: readonly Quirk[];
}

const INVALID_QUIRKS = new Set<Quirk['kind']>([
  'unknown-operator',
  'prohibited-element',
  'invalid-effect',
  'invalid-value',
  'missing-principal',
  'missing-action',
  'invalid-characters',
  'unknown-element',
]);

/** DOC-002: something IAM would reject in a trust policy. */
export function checkInvalidDocument(r: RoleScope, read: ReadSuccess): void {
  const odd = invalidCharacterSampleInJson(read.decodedText);
  const quirks: readonly Quirk[] =
    odd === undefined ? read.quirks : [...read.quirks, { kind: 'invalid-characters', sample: odd }];
  const invalid = quirks.filter((q) => INVALID_QUIRKS.has(q.kind));
  if (invalid.length === 0) return;
  r.emit('DOC-002', `Role ${r.ref.role.name}: ${invalid.map(describeQuirk).join('; ')}.`, { problems: invalid });
}

function describeQuirk(q: Quirk): string {
  switch (q.kind) {
    case 'unknown-operator':
      return `unknown condition operator "${q.operator}" at ${q.path}`;
    case 'prohibited-element':
      return `${q.name} is not allowed in a trust policy (${q.path})`;
    case 'invalid-effect':
      return `Effect must be "Allow" or "Deny", got ${JSON.stringify(q.value)} at ${q.path}`;
    case 'invalid-value':
      return `${q.path} must be ${q.expected}, got ${JSON.stringify(q.value)}`;
    case 'missing-principal':
      return `statement ${q.path} has no Principal`;
    case 'missing-action':
      return `statement ${q.path} has no Action`;
    case 'invalid-characters':
      return `characters IAM does not accept, near "${q.sample}"`;
    case 'unknown-element':
      return `unknown element "${q.name}" in ${q.path}`;
    default:
      return q.kind;
  }
}

export const DOC_002 = defineRule<InvalidDocumentEvidence>()({
  id: 'DOC-002',
  severity: 'medium',
  title: 'Trust policy IAM would reject',
  explanation:
    'The document uses something IAM does not accept in a trust policy: an unknown condition operator, a Resource element, an invalid Effect, a missing Principal or Action, or characters outside the allowed set. IAM refuses such a document on write, and its meaning cannot be relied on.',
  remediation: 'Correct the element named in the evidence.',
  references: [DOC.policyGrammar, DOC.conditionOps],
});
