import { stripVTControlCharacters } from 'node:util';
import { makeStyle } from '../../../../cli/render/style';
import { MAX_DIFF_LINES, renderDiff } from '../../../../cli/render/terminal-diff';
import { jsonDiff } from '../../../../lambdas/domain/plan/diff';

const ARN = 'arn:aws:iam::111111111111:role/app';
const before = { Statement: [{ Action: 'sts:AssumeRole', Sid: 'a' }] };
const after = { Statement: [{ Action: 'sts:AssumeRoleWithWebIdentity', Sid: 'a' }] };
const diff = jsonDiff(ARN, before, after);

describe('renderDiff', () => {
  it('keeps every line of the unified diff with its -/+ marker, without colour codes when colour is off', () => {
    const lines = renderDiff(diff, makeStyle(false), { width: 100, indent: 2 });
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines).toEqual(diff.split('\n').map((l) => `  ${l}`));
  });

  it('leaves the resource out of the ---/+++ headers when the plan names it already', () => {
    const lines = renderDiff(diff, makeStyle(false), { width: 100, indent: 0, resource: ARN });
    expect(lines.slice(0, 2)).toEqual(['--- (before)', '+++ (after)']);
  });

  it('marks only the changed words of a changed line with colour on', () => {
    const style = makeStyle(true);
    const lines = renderDiff(diff, style, { width: 100, indent: 0 });
    const removed = lines.find((l) => stripVTControlCharacters(l).startsWith('-      "Action"')) ?? '';
    const added = lines.find((l) => stripVTControlCharacters(l).startsWith('+      "Action"')) ?? '';
    // jsdiff's words: "sts", ":", "AssumeRole"; only the last changes.
    expect(added).toContain(style.addedWord('AssumeRoleWithWebIdentity'));
    expect(removed).toContain(style.removedWord('AssumeRole'));
    // The unchanged part is in the line's colour, not marked.
    expect(added).toContain(style.green('"Action": "sts:'));
    expect(removed).toContain(style.red('"Action": "sts:'));
    expect(lines.map((l) => stripVTControlCharacters(l))).toEqual(
      renderDiff(diff, makeStyle(false), { width: 100, indent: 0 }),
    );
  });

  it('wraps a long line under its own indentation, two columns further', () => {
    const long = jsonDiff(
      ARN,
      { Principal: 'x' },
      { Principal: `${'arn:aws:iam::111111111111:oidc-provider/'}${'A'.repeat(80)}` },
    );
    const lines = renderDiff(long, makeStyle(false), { width: 60, indent: 4 });
    const at = lines.findIndex((l) => l.startsWith('    +  "Principal"'));
    expect(lines[at + 1]).toMatch(/^ {9}\S/);
    expect(lines.every((l) => l.length <= 60)).toBe(true);
  });

  it('caps at MAX_DIFF_LINES with the count of the rest, and escapes controls', () => {
    const big = [
      '--- a',
      '+++ b',
      '@@ -0,0 +1,100 @@',
      ...Array.from({ length: 100 }, (_, i) => `+x${i}\u001b[2J`),
    ].join('\n');
    const lines = renderDiff(big, makeStyle(false), { width: 100, indent: 0 });
    expect(lines).toHaveLength(MAX_DIFF_LINES + 1);
    expect(lines.at(-1)).toBe(`... ${103 - MAX_DIFF_LINES} more lines (use -o markdown or -o json for all)`);
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines[3]).toBe('+x0\\e[2J');
  });
});
