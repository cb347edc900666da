import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChunks } from '../../../../cli/io';
import { renderPlansJsonChunks, renderPlansMarkdown } from '../../../../cli/render/plans';
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

describe('renderPlansJsonChunks (the CLI plan --output json)', () => {
  const expected = (result: PlanResult) =>
    `${JSON.stringify({ plans: result.plans, findings: result.findings }, null, 2)}\n`;

  it('is JSON.stringify(…, null, 2) byte for byte on the example estate, piece by piece', () => {
    const snapshot = JSON.parse(readFileSync(join(__dirname, '../../../../examples/estate.json'), 'utf8'));
    const { plans, findings } = planEstate(snapshot);
    const result = { plans, findings: [...findings, ...findings.slice(0, 2)] };
    expect(plans.length).toBeGreaterThan(10);
    const pieces = [...renderPlansJsonChunks(result)];
    expect(pieces.length).toBeGreaterThan(plans.length);
    expect(pieces.join('')).toBe(expected(result));
  });

  it('is byte for byte the same with empty lists and with text holding newlines and quotes', () => {
    for (const result of [
      { plans: [], findings: [] },
      { plans: [testPlan({ rationale: 'two\nlines "quoted"\n  indented' })], findings: [] },
    ]) {
      expect([...renderPlansJsonChunks(result)].join('')).toBe(expected(result));
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
