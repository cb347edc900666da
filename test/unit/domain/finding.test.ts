import { atLeast, stableId } from '../../../lambdas/domain/finding';

describe('stableId', () => {
  it('is the same for the same parts, and 16 hex digits', () => {
    expect(stableId('a', 'b')).toBe(stableId('a', 'b'));
    expect(stableId('a', 'b')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('depends on every character, however long the input: both halves differ when only the start differs', () => {
    // Given long inputs that share a 200-character tail (as ARNs of one account and cluster do)
    const tail = 'x'.repeat(200);
    const ids = ['A', 'B', 'C', 'D'].map((head) => stableId(`${head}${tail}`));
    // Then every half of every id is distinct
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(4);
    expect(new Set(ids.map((id) => id.slice(8))).size).toBe(4);
  });

  it('separates parts, so ("ab","c") and ("a","bc") differ', () => {
    expect(stableId('ab', 'c')).not.toBe(stableId('a', 'bc'));
  });
});

describe('atLeast', () => {
  it.each([
    ['critical', 'high', true],
    ['high', 'high', true],
    ['medium', 'high', false],
    ['info', 'info', true],
  ] as const)('%s at least %s: %s', (severity, threshold, expected) => {
    expect(atLeast(severity, threshold)).toBe(expected);
  });
});
