import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import { makeStyle } from '../../../../cli/render/style';
import { breakOffset, displayWidth, wrapSpans, wrapText } from '../../../../cli/render/wrap-text';

const ARN =
  'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';

describe('displayWidth', () => {
  it('counts East Asian wide characters as two columns, combining marks as none, ANSI codes as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本語')).toBe(6);
    expect(displayWidth('ｆｕｌｌ')).toBe(8); // fullwidth Latin
    expect(displayWidth('e\u0301te\u0301')).toBe(3); // "été" with each é as e + COMBINING ACUTE ACCENT
    expect(displayWidth('\u001b[1mbold\u001b[22m')).toBe(4);
  });
});

describe('wrapText', () => {
  it('wraps at spaces with hanging indentation, keeping every word and no line wider than asked', () => {
    const text = 'The trust policy names an OIDC provider that does not exist in this account any more';
    for (const width of [40, 80, 200]) {
      const lines = wrapText(text, width, { prefix: '    HIGH     ', indent: 13 });
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(lines.slice(1).every((l) => l.startsWith(' '.repeat(13)) && l[13] !== ' ')).toBe(true);
      expect(lines.map((l, i) => (i === 0 ? l.slice(13) : l.trim())).join(' ')).toBe(text);
      if (width === 200) expect(lines).toHaveLength(1);
      else expect(lines.length).toBeGreaterThan(1);
    }
  });

  it('breaks an ARN longer than a line after ":" or "/", losing no character', () => {
    for (const width of [40, 80]) {
      const lines = wrapText(ARN, width, { prefix: '    ' });
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(lines.map((l) => l.trim()).join('')).toBe(ARN);
      for (const line of lines.slice(0, -1)) expect(line).toMatch(/[:/]$/);
    }
    expect(wrapText(ARN, 200)).toEqual([ARN]);
  });

  it('hard-breaks a token with no separator, never cutting it off', () => {
    const token = 'A'.repeat(150);
    const lines = wrapText(token, 40, { prefix: '  ' });
    expect(lines.map((l) => l.trim()).join('')).toBe(token);
    expect(lines.every((l) => displayWidth(l) <= 40)).toBe(true);
  });

  it('measures CJK names by their columns and breaks them between characters', () => {
    const name = 'サービスアカウント名前空間日本語の長い名前がここにあります';
    const lines = wrapText(`Cluster ${name} (ap-northeast-1)`, 40, { prefix: '  ', indent: 4 });
    // 2 + 8 columns, then 15 wide characters (30 columns): the first line is full; the name goes on, unbroken.
    expect(lines).toEqual([
      '  Cluster サービスアカウント名前空間日本',
      '    語の長い名前がここにあります',
      '    (ap-northeast-1)',
    ]);
    expect(lines.map(displayWidth)).toEqual([40, 32, 20]);
  });

  it('keeps a combining mark with its letter when it hard-breaks', () => {
    const word = 'e\u0301'.repeat(50); // 50 columns, 100 code units
    const lines = wrapText(word, 40, { prefix: '' });
    expect(lines.map(displayWidth)).toEqual([40, 10]);
    expect(lines.every((l) => l.startsWith('e\u0301'))).toBe(true);
  });

  it('starts a new line at "\\n"', () => {
    expect(wrapText('run:\n  kubectl annotate', 80, { prefix: '  ' })).toEqual(['  run:', '  kubectl annotate']);
  });
});

describe('wrapSpans with colour', () => {
  const style = makeStyle(true);

  it('does not count ANSI codes: coloured lines wrap exactly where plain ones do', () => {
    const text = 'fix: create the OIDC provider for the cluster issuer with the audience sts.amazonaws.com';
    const plain = wrapText(text, 40, { prefix: `    ${makeStyle(false).severity('high')} ` });
    const coloured = wrapText(text, 40, { prefix: `    ${style.severity('high')} `, paint: style.dim });
    expect(coloured.map((l) => stripVTControlCharacters(l))).toEqual(plain);
    expect(coloured.every((l) => l.includes('\u001b['))).toBe(true);
  });

  it('styles each line on its own: every line closes what it opens', () => {
    const lines = wrapSpans([{ text: ARN, paint: style.dim }], 40, { prefix: '  ' });
    for (const line of lines) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point
      expect(line.match(/\u001b\[2m/g)?.length).toBe(line.match(/\u001b\[22m/g)?.length);
      expect(line.endsWith('\u001b[22m')).toBe(true);
    }
  });
});

describe('breakOffset', () => {
  it('prefers ":" and "/" to other separators, and takes at least one character', () => {
    expect('arn:aws:iam::1:role/my-long-name'.slice(0, breakOffset('arn:aws:iam::1:role/my-long-name', 24))).toBe(
      'arn:aws:iam::1:role/',
    );
    expect(breakOffset('日本', 1)).toBe(1);
  });
});

describe('wrapText on printable ASCII (its own faster path)', () => {
  it('gives the same lines as the general word-by-word path, for any words, separators, widths and indents', () => {
    const word = fc.stringMatching(/^[a-z:/.-]{1,60}$/);
    const text = fc
      .array(fc.tuple(word, fc.constantFrom(' ', '  ', ' ')), { maxLength: 12 })
      .map((parts) => parts.map(([w, gap]) => `${w}${gap}`).join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 30 }), (t, width, indent) => {
        const opts = { prefix: ' '.repeat(indent), indent: indent + 2 };
        // Two spans of one style take the general path; the renderer merges them into one run again.
        const cut = Math.floor(t.length / 2);
        const general = wrapSpans([{ text: t.slice(0, cut) }, { text: t.slice(cut) }], width, opts);
        expect(wrapText(t, width, opts)).toEqual(general);
      }),
      { numRuns: 500 },
    );
  });
});
