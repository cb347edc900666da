import { BudgetExceeded, regionWitnesses } from '../../../../../lambdas/domain/plan/proof/value-regions';
import { wildcardMatch } from '../../../../../lambdas/domain/trust-policy/wildcard';

const witnessesOf = (literals: string[], patterns: string[], ignoreCase = false) => {
  const r = regionWitnesses({ literals, patterns, ignoreCase }, { states: 100_000 });
  if (!r.ok) throw new Error('not ok');
  return r.witnesses;
};

/** Which literals equal and which patterns match a string: its region. */
const signature = (s: string, literals: string[], patterns: string[], ignoreCase = false) =>
  [
    ...literals.map((l) => (ignoreCase ? l.toLowerCase() === s.toLowerCase() : l === s)),
    ...patterns.map((p) => wildcardMatch(p, s, ignoreCase)),
  ]
    .map((b) => (b ? 1 : 0))
    .join('');

describe('regionWitnesses', () => {
  it('gives each literal its own region and one shortest witness for the rest', () => {
    const w = witnessesOf(['a', 'ab'], []);
    expect(w).toEqual(['a', 'ab', '']);
  });

  it('realizes every combination of patterns that some string realizes, with a shortest witness each', () => {
    const patterns = ['system:serviceaccount:a:*', 'system:serviceaccount:*:app', '*:app'];
    const w = witnessesOf([], patterns);
    const signatures = w.map((s) => signature(s, [], patterns));
    expect(new Set(signatures).size).toBe(w.length);
    // both, only the first, only the second and third, only the third, none
    expect(new Set(signatures)).toEqual(new Set(['111', '100', '011', '001', '000']));
    expect(w[signatures.indexOf('111')]).toBe('system:serviceaccount:a:app');
    expect(w[signatures.indexOf('100')]).toBe('system:serviceaccount:a:');
    expect(w[signatures.indexOf('000')]).toBe('');
  });

  it('finds the region a pattern leaves after the literals it covers ("?" is exactly one character)', () => {
    const literals = ['ab', 'ac'];
    const patterns = ['a?'];
    const w = witnessesOf(literals, patterns);
    const signatures = w.map((s) => signature(s, literals, patterns));
    // ab, ac, another a?, and nothing
    expect(new Set(signatures)).toEqual(new Set(['101', '011', '001', '000']));
    const other = w[signatures.indexOf('001')] as string;
    expect(other).toHaveLength(2);
    expect(literals).not.toContain(other);
  });

  it('agrees with wildcardMatch on every string over a small alphabet (brute force)', () => {
    const literals = ['ab', 'b'];
    const patterns = ['a*', '*b', '?b*', 'a?a'];
    const regions = new Set(witnessesOf(literals, patterns).map((s) => signature(s, literals, patterns)));
    const seen = new Set<string>();
    const walk = (s: string) => {
      seen.add(signature(s, literals, patterns));
      if (s.length < 5) for (const c of ['a', 'b', 'z']) walk(s + c);
    };
    walk('');
    expect(regions).toEqual(seen);
  });

  it('cuts case-insensitive spaces in the lower-cased space, keeping each literal as written', () => {
    const w = witnessesOf(['sts:AssumeRoleWithWebIdentity'], ['STS:*', 'sts:Tag*'], true);
    expect(w).toContain('sts:AssumeRoleWithWebIdentity');
    for (const s of w.slice(1)) expect(s.toLowerCase()).toBe(s);
    const signatures = w.map((s) => signature(s, ['sts:AssumeRoleWithWebIdentity'], ['STS:*', 'sts:Tag*'], true));
    expect(new Set(signatures)).toEqual(new Set(['110', '010', '011', '000']));
  });

  it('stops at its budget rather than running on', () => {
    const patterns = Array.from({ length: 12 }, (_, i) => `*${'ab'.repeat(i)}*c*`);
    expect(() => regionWitnesses({ literals: [], patterns, ignoreCase: false }, { states: 50 })).toThrow(
      BudgetExceeded,
    );
  });
});
