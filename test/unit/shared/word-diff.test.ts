/** The words a unified diff's changed lines change: pairs of removed and added lines, compared word by word. */
import { diffLineKind, documentDiff, markDiffLines } from '../../../lambdas/shared/word-diff';

const changed = (parts: readonly { text: string; changed: boolean }[]) =>
  parts.filter((p) => p.changed).map((p) => p.text);

describe('markDiffLines', () => {
  it('marks the words a replaced line removes and the words its replacement adds', () => {
    const lines = [
      '--- a (trust policy)',
      '+++ b (trust policy)',
      '@@ -1,3 +1,3 @@',
      ' {',
      '-  "sub": "system:serviceaccount:apps:web"',
      '+  "sub": "system:serviceaccount:shop:web"',
      ' }',
    ];
    const marked = markDiffLines(lines);
    expect(marked.map((l) => l.kind)).toEqual(['file', 'file', 'hunk', 'ctx', 'del', 'add', 'ctx']);
    expect(changed(marked[4]?.parts ?? [])).toEqual(['apps']);
    expect(changed(marked[5]?.parts ?? [])).toEqual(['shop']);
    // the parts put together are the line after its marker
    expect(marked[4]?.parts.map((p) => p.text).join('')).toBe(lines[4]?.slice(1));
    expect(marked[3]?.parts).toEqual([{ text: '{', changed: false }]);
  });

  it('pairs the n-th removed line with the n-th added one; a line without a partner is one unchanged part', () => {
    const marked = markDiffLines(['-a b', '-c d', '+a x', '+c d', '+new line']);
    expect(changed(marked[0]?.parts ?? [])).toEqual(['b']);
    expect(changed(marked[2]?.parts ?? [])).toEqual(['x']);
    expect(changed(marked[1]?.parts ?? [])).toEqual([]);
    expect(marked[4]).toEqual({ kind: 'add', parts: [{ text: 'new line', changed: false }] });
  });

  it('leaves a block of removed lines with no added lines after it unmarked', () => {
    expect(markDiffLines(['-gone', ' kept'])).toEqual([
      { kind: 'del', parts: [{ text: 'gone', changed: false }] },
      { kind: 'ctx', parts: [{ text: 'kept', changed: false }] },
    ]);
  });
});

describe('diffLineKind', () => {
  it('tells file headers from removed and added lines', () => {
    expect(['--- a', '+++ b', '@@ x', '-x', '+x', ' x', ''].map(diffLineKind)).toEqual([
      'file',
      'file',
      'hunk',
      'del',
      'add',
      'ctx',
      'ctx',
    ]);
  });
});

describe('documentDiff', () => {
  it('diffs two JSON documents whole, with file headers naming each side', () => {
    const text = documentDiff({ Version: '1', Sid: 'Before' }, { Version: '1', Sid: 'After' }, 'replaced', 'written');
    expect(text.split('\n')).toEqual([
      '--- replaced',
      '+++ written',
      '@@ -1,4 +1,4 @@',
      ' {',
      '   "Version": "1",',
      '-  "Sid": "Before"',
      '+  "Sid": "After"',
      ' }',
    ]);
  });

  it('is empty for equal documents, and shows a document that did not exist as null', () => {
    expect(documentDiff({ a: 1 }, { a: 1 }, 'x', 'y')).toBe('');
    expect(documentDiff(null, { a: 1 }, 'x', 'y')).toContain('-null');
  });
});
