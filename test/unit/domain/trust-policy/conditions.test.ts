import fc from 'fast-check';
import { canonicalOperator, isNegatedOperator } from '../../../../lambdas/domain/trust-policy/conditions';

/** Every operator base IAM documents for conditions, with whether it is a negated one. */
const BASES: ReadonlyArray<readonly [string, boolean]> = [
  ['StringEquals', false],
  ['StringNotEquals', true],
  ['StringEqualsIgnoreCase', false],
  ['StringNotEqualsIgnoreCase', true],
  ['StringLike', false],
  ['StringNotLike', true],
  ['NumericEquals', false],
  ['NumericNotEquals', true],
  ['NumericLessThan', false],
  ['NumericLessThanEquals', false],
  ['NumericGreaterThan', false],
  ['NumericGreaterThanEquals', false],
  ['DateEquals', false],
  ['DateNotEquals', true],
  ['DateLessThan', false],
  ['DateLessThanEquals', false],
  ['DateGreaterThan', false],
  ['DateGreaterThanEquals', false],
  ['Bool', false],
  ['BinaryEquals', false],
  ['IpAddress', false],
  ['NotIpAddress', true],
  ['ArnEquals', false],
  ['ArnLike', false],
  ['ArnNotEquals', true],
  ['ArnNotLike', true],
];

describe('isNegatedOperator', () => {
  it.each(BASES)('%s: negated %s, as canonicalOperator spells it', (base, negated) => {
    expect(isNegatedOperator(base)).toBe(negated);
    expect(canonicalOperator(base)?.base).toBe(base);
  });

  // The canonical spelling is looked up directly and any other by its lower case: both must agree.
  it('answers the same for any spelling of a base as for the canonical one', () => {
    const spelling = fc
      .tuple(fc.constantFrom(...BASES), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }))
      .map(([[base, negated], upper]) => ({
        negated,
        text: [...base].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
      }));
    fc.assert(
      fc.property(spelling, ({ negated, text }) => {
        expect(isNegatedOperator(text)).toBe(negated);
      }),
    );
  });

  it('is false for what is no operator', () => {
    expect(isNegatedOperator('StringNotEqualz')).toBe(false);
    expect(isNegatedOperator('')).toBe(false);
  });
});
