import type { Quirk, ReadSuccess } from '../../trust-policy/model';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { RoleScope } from './role-pass';

export type DuplicateKeyQuirk = Extract<Quirk, { readonly kind: 'duplicate-key' }>;

export interface DuplicateKeysEvidence {
  readonly duplicates: readonly DuplicateKeyQuirk[];
}

/** IRSA-022: the document repeats a JSON key; parsers keep only the last. */
export function checkDuplicateKeys(r: RoleScope, read: ReadSuccess): void {
  const duplicates = read.quirks.filter((q): q is DuplicateKeyQuirk => q.kind === 'duplicate-key');
  if (duplicates.length === 0) return;
  r.emit(
    'IRSA-022',
    `Role ${r.ref.role.name} repeats ${duplicates
      .map((d) => `"${d.key}" in ${d.path}`)
      .join(', ')}; only the last of each is kept by JSON parsers, so the others are silently ignored.`,
    { duplicates },
  );
}

export const IRSA_022 = defineRule<DuplicateKeysEvidence>()({
  id: 'IRSA-022',
  severity: 'medium',
  title: 'Duplicate keys in the trust policy',
  explanation:
    'The document repeats a JSON key (a condition key, or a whole operator block). JSON parsers keep only one of them, and which one IAM honours is not documented: part of what the author wrote is silently ignored.',
  remediation: 'Merge the repeated entries into one key with an array of values (values in one key are ORed).',
  references: [DOC.associate],
});
