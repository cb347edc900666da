import type { Finding } from '../../finding';
import type { DuplicateKeyQuirk } from '../../rules/evidence';
import { FIX_ORDER, type Fixer, ok, type RoleFixContext } from './fixer';
import { letsAnyServiceAccountIn, unique } from './subject-patterns';

type Duplicate = DuplicateKeyQuirk;

const isText = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));

/**
 * IRSA-022: a condition key is written twice and parsers keep only the last. Merge the values into one key; each
 * value the parser dropped is declared (it was written, but did not apply). Anything but text is left for a person.
 */
export const irsa022MergeDuplicates: Fixer<'IRSA-022'> = {
  rule: 'IRSA-022',
  order: FIX_ORDER.keys,
  role: (finding, ctx) =>
    ok(mergeDuplicates(finding, ctx), 'the repeated element is not a condition key; merge it by hand'),
};

function mergeDuplicates(finding: Finding<'IRSA-022'>, ctx: RoleFixContext): boolean {
  const { duplicates } = finding.evidence;
  let done = duplicates.length > 0;
  for (const d of duplicates) done = mergeOne(d, ctx) && done;
  return done;
}

function mergeOne(d: Duplicate, { patch, views, declared, merged }: RoleFixContext): boolean {
  const m = /^\$\.Statement(?:\[(\d+)\])?\.Condition\.([^.]+)$/.exec(d.path);
  // Only values that are strings or lists of strings merge into one key; anything else is left for a person.
  if (!m || !d.values.every(isText)) return false;
  const idx = m[1] === undefined ? 0 : Number(m[1]);
  const values = unique(d.values.flatMap((v) => (Array.isArray(v) ? v : [v])).map(String));
  const kept = d.values.at(-1);
  const keptValues = Array.isArray(kept) ? kept.map(String) : [String(kept)];
  const fed = views[idx]?.providers.length === 1 ? views[idx]?.providers[0]?.arn : undefined;
  for (const v of values) {
    if (keptValues.includes(v)) continue;
    declared.push({
      class: letsAnyServiceAccountIn(v) ? 'any-service-account' : 'dropped-duplicate',
      why: `"${v}" was written in the policy but silently dropped as a duplicate key (IRSA-022)`,
      subPattern: v,
      ...(fed ? { providerArn: fed } : {}),
    });
  }
  const done = patch.setValues(
    idx,
    d.key,
    values,
    `merged the repeated "${d.key}" into one key with ${values.length} values`,
  );
  if (done) merged.add(`${d.path}|${d.key}`);
  return done;
}
