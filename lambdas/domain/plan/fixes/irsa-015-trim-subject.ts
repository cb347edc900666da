import { isWellFormedSubject, normalizeSubject } from '../../trust-policy/classify';
import { FIX_ORDER, type Fixer, ok, open, statementIndexOf } from './fixer';

/** IRSA-015: a :sub value is malformed; when it is only stray whitespace, remove it. */
export const irsa015TrimSubject: Fixer<'IRSA-015'> = {
  rule: 'IRSA-015',
  order: FIX_ORDER.keys,
  role: (finding, { patch, views }) => {
    const idx = statementIndexOf(finding);
    const { value, conditionKey } = finding.evidence;
    const clean = normalizeSubject(value);
    const entry = views[idx]?.issuerConditions.find((c) => c.entry.key === conditionKey)?.entry;
    const like = entry?.operator?.base === 'StringLike';
    if (clean === value || !isWellFormedSubject(clean, like) || !entry)
      return open('the intended service account cannot be derived from this value');
    const values = entry.values.map((v) => (v === value ? clean : v));
    return ok(patch.setValues(idx, entry.key, values, `removed the stray whitespace from "${value}"`), 'key not found');
  },
};
