import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { writeChunks } from '../../../../cli/io';
import { proofLine, renderPlansMarkdown, renderPlansTable } from '../../../../cli/render/plans';
import { MAX_DIFF_LINES } from '../../../../cli/render/terminal-diff';
import { displayWidth } from '../../../../cli/render/wrap-text';
import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import type { PlanResult } from '../../../../lambdas/domain/plan/plan-model';
import { mixedProof as proof } from '../../../support/proof-fixture';
import { testPlan } from '../../../support/test-plan';

describe('renderPlansMarkdown proof table (the CLI)', () => {
  it('labels each undeclared row as a class witness or a probe request', () => {
    const md = renderPlansMarkdown({ plans: [testPlan({ proof })], findings: [] }, []);
    expect(md.match(/NOT DECLARED \(witness of a newly allowed class\)/g)).toHaveLength(2);
    expect(md.match(/NOT DECLARED \(probe request\)/g)).toHaveLength(3);
  });
});

describe('renderPlansTable (the CLI plan in table format)', () => {
  const snapshot = JSON.parse(readFileSync(join(__dirname, '../../../../examples/estate.json'), 'utf8'));
  const { plans } = planEstate(snapshot);
  const fluentBit = plans.find((p) => p.resourceArn.endsWith(':role/fluent-bit') && p.action === 'update-trust-policy');
  const one = (plan: PlanResult['plans'][number]): PlanResult => ({ plans: [plan], findings: [] });
  const lines = (text: string) => text.trimEnd().split('\n');

  it("shows a trust-policy fix's diff as -/+ lines under the plan, with the proof and the risk in a line each", () => {
    if (!fluentBit?.proof) throw new Error('the example estate has a trust-policy plan for role/fluent-bit');
    const text = renderPlansTable(one(fluentBit), { color: false, width: 200 });
    expect(text).not.toContain('\u001b');
    const out = lines(text);
    // The headers name the sides (the ARN is in the plan's first line), then a hunk.
    expect(out).toContain('         --- (before)');
    expect(out).toContain('         +++ (after)');
    expect(out.some((l) => /^ {9}@@ -\d+,\d+ \+\d+,\d+ @@$/.test(l))).toBe(true);
    // The provider moves from us-east-1 to us-west-2: one removed and one added Federated line, unchanged lines kept.
    const removed = out.filter((l) => l.startsWith('         -        "Federated"'));
    const added = out.filter((l) => l.startsWith('         +        "Federated"'));
    expect(removed).toEqual([
      expect.stringContaining('oidc.eks.us-east-1.amazonaws.com/id/52C01F56FEF3729407408C39338A07E3'),
    ]);
    expect(added).toEqual([
      expect.stringContaining('oidc.eks.us-west-2.amazonaws.com/id/52C01F56FEF3729407408C39338A07E3'),
    ]);
    // An unchanged line: the column, the ' ' marker, then the document's own indentation.
    expect(out).toContain(`${' '.repeat(9)} ${' '.repeat(6)}"Action": "sts:AssumeRoleWithWebIdentity",`);
    // Every line of the plan's own diff is shown (no cap needed), markers kept.
    const diffLines = fluentBit.diff.split('\n').filter((l) => /^[-+ @]/.test(l));
    expect(out.filter((l) => /^ {9}[-+ @]/.test(l)).length).toBeGreaterThanOrEqual(diffLines.length);
    const proof = out.filter((l) => l.trim().startsWith('proof '));
    expect(proof).toEqual([`         ${proofLine(fluentBit.proof)}`]);
    expect(proof[0]).toMatch(/^ {9}proof holds: 1\/1 intended allowed, 1 new class\(es\) \(0 undeclared\), \d+ probes/);
    // The risk: its level and notes in one line (wrapped when the notes are long).
    const risk = text.slice(text.indexOf('\n         risk ') + 1, text.indexOf('\n         id ')).split('\n');
    expect(risk.map((l) => l.trim()).join(' ')).toBe(`risk ${fluentBit.risk.level}: ${fluentBit.risk.notes.join(' ')}`);
  });

  it('marks the changed words of a changed line when colour is on, and only then', () => {
    if (!fluentBit) throw new Error('the example estate has a trust-policy plan for role/fluent-bit');
    const coloured = renderPlansTable(one(fluentBit), { color: true, width: 200 });
    // Removed words in inverse red, added ones in inverse green, the rest of each line in its colour.
    expect(coloured).toContain('\u001b[7m\u001b[31meast\u001b[39m\u001b[27m');
    expect(coloured).toContain('\u001b[7m\u001b[32mwest\u001b[39m\u001b[27m');
    expect(coloured).toContain(
      '\u001b[31m"Federated": "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-\u001b[39m',
    );
    expect(stripVTControlCharacters(coloured)).toBe(renderPlansTable(one(fluentBit), { color: false, width: 200 }));
  });

  it.each([40, 80, 200])('fits every plan of the example estate in %i columns, losing no diff line', (width) => {
    const text = renderPlansTable({ plans, findings: [] }, { color: false, width });
    for (const line of lines(text)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    // Taking every space out, each added or removed line of each plan's diff is there, whole.
    const whole = text.replace(/\s+/g, '');
    const changed = plans.flatMap((p) => p.diff.split('\n').filter((d) => /^[-+] /.test(d)));
    expect(changed.length).toBeGreaterThan(40);
    expect(changed.filter((l) => !whole.includes(l.replace(/\s+/g, '')))).toEqual([]);
  });

  it('caps a long diff with a count and where to read it whole', () => {
    const body = Array.from({ length: 150 }, (_, i) => `+  "line ${i}",`);
    const diff = ['--- a (before)', '+++ a (after)', '@@ -0,0 +1,150 @@', ...body].join('\n');
    const text = renderPlansTable(one(testPlan({ diff })), { color: false, width: 100 });
    expect(text).toContain(`... ${153 - MAX_DIFF_LINES} more lines (use -o markdown or -o json for all)`);
    expect(text).toContain(`+  "line ${MAX_DIFF_LINES - 4}",`);
    expect(text).not.toContain(`+  "line ${MAX_DIFF_LINES - 3}",`);
    const short = renderPlansTable(one(testPlan({ diff: diff.split('\n').slice(0, 10).join('\n') })), {
      color: false,
      width: 100,
    });
    expect(short).not.toContain('more lines');
  });

  it('escapes control and bidi characters in the diff and the names', () => {
    const plan = testPlan({
      resourceArn: 'arn:aws:iam::111111111111:role/\u001b[31mx',
      cluster: 'c\u202e',
      rationale: 'why\u001b]0;t\u0007',
      diff: '--- a\n+++ b\n@@ -1 +1 @@\n-  "sub": "a\u001b[2J"\n+  "sub": "b\u2066"',
    });
    for (const color of [false, true]) {
      const text = renderPlansTable(one(plan), { color, width: 60 });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point
      expect(text.replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e\u2066]/);
      expect(stripVTControlCharacters(text)).toContain('"a\\e[2J"');
      expect(stripVTControlCharacters(text)).toContain('"b\\u{2066}"');
    }
  });
});

describe('writeChunks', () => {
  it('waits for drain whenever the stream says it is full, and writes everything in order', async () => {
    const written: string[] = [];
    const events: string[] = [];
    let drain: (() => void) | undefined;
    const out = {
      write: (text: string) => {
        written.push(text);
        events.push('write');
        return false;
      },
      once: (_event: 'drain', listener: () => void) => {
        drain = listener;
      },
    };
    const big = 'x'.repeat(700_000);
    const done = writeChunks(out, [big, big, big, 'tail']);
    await new Promise((resolve) => setImmediate(resolve));
    // The first megabyte is written, and nothing more until the stream drains.
    expect(events).toEqual(['write']);
    for (let i = 0; i < 3 && drain; i++) {
      const go = drain;
      drain = undefined;
      events.push('drain');
      go();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    expect(events).toEqual(['write', 'drain', 'write', 'drain']);
    expect(written.join('')).toBe(`${big}${big}${big}tail`);
  });

  it("does not wait on a stream whose write returns nothing (the tests' fake output)", async () => {
    const written: string[] = [];
    await writeChunks({ write: (text: string) => written.push(text) && undefined }, ['a', 'b']);
    expect(written).toEqual(['ab']);
  });
});
