/**
 * Property tests: the reader and the analyzer are total (never throw), their output keeps its published shape, and
 * analysis is deterministic. Inputs come from test/support/arbitraries.ts: valid and mutated trust policies and
 * schema-valid estate snapshots.
 *
 * The seed is fixed so every run sees the same cases; set FC_SEED=<integer> to explore others. A failure prints the
 * seed and the shrunk counterexample; re-run with that FC_SEED to reproduce it.
 */
import fc from 'fast-check';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { AnalysisResult } from '../../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../../lambdas/domain/rules/catalog';
import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
import type { ReadFailureKind, ReadResult } from '../../../lambdas/domain/trust-policy/model';
import { parseTrustPolicy } from '../../../lambdas/domain/trust-policy/parse-trust-policy';
import { findingsSchemaProblems, parseSnapshot } from '../../../lambdas/shared/schemas';
import { snapshotArb, trustPolicyInputArb, validTrustPolicyInputArb } from '../../support/arbitraries';
import { fcSeed } from '../../support/fc-seed';

const SEED = fcSeed(20_250_611);

/** Runs per property; their sum is what one run of this file feeds the reader and the analyzer. */
const RUNS = {
  readStrings: 1_500,
  readUnicodeStrings: 1_000,
  readJsonText: 1_000,
  readAnything: 1_000,
  readPolicies: 2_000,
  readValidPolicies: 500,
  analyzeNeverThrows: 1_000,
  analyzeSchemaValid: 750,
  analyzeDeterministic: 500,
  analyzeRulesAndAccounts: 750,
} as const;

const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

const FAILURE_KINDS: readonly ReadFailureKind[] = [
  'empty',
  'bad-url-encoding',
  'invalid-json',
  'not-an-object',
  'too-large',
  'too-deep',
];

/** What every read result must satisfy, whatever the input. */
function expectWellFormedRead(result: ReadResult): void {
  if (result.ok) {
    expect(Array.isArray(result.policy.statements)).toBe(true);
    expect(result.minifiedLength).toBeGreaterThan(0);
    expect(result.minifiedLength).toBeLessThanOrEqual(result.decodedText.length);
  } else {
    expect(FAILURE_KINDS).toContain(result.kind);
    expect(result.message.trim()).not.toBe('');
    expect(result.excerpt.length).toBeLessThanOrEqual(301);
  }
}

/** Trust policies that went through analyzeEstate in this file (checked by the last test). */
let policiesAnalyzed = 0;
const countPolicies = (snapshot: EstateSnapshot) => {
  for (const account of snapshot.accounts) policiesAnalyzed += account.roles.length;
};

/** Analyzes a generated snapshot (the object itself) after checking the generator kept to the schema. */
function analyzeValid(snapshot: EstateSnapshot): AnalysisResult {
  countPolicies(snapshot);
  return analyzeEstate(parseSnapshot(snapshot, 'generated snapshot'));
}

describe('parseTrustPolicy never throws', () => {
  it('on arbitrary strings', () => {
    // Given any string, When it is read, Then the result is a success or a failure that names the problem
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => expectWellFormedRead(parseTrustPolicy(text))),
      params(RUNS.readStrings),
    );
  });

  it('on arbitrary full-Unicode strings (astral and lone surrogates included)', () => {
    // fast-check 4 spells fullUnicodeString as string({ unit: 'binary' }) (code points, lone surrogates too).
    const unicode = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme' }));
    fc.assert(
      fc.property(unicode, (text) => expectWellFormedRead(parseTrustPolicy(text))),
      params(RUNS.readUnicodeStrings),
    );
  });

  it('on arbitrary JSON text, raw and URL-encoded', () => {
    const text = fc.tuple(fc.json({ maxDepth: 6 }), fc.constantFrom(0, 1, 2)).map(([json, times]) => {
      let out = json;
      for (let i = 0; i < times; i++) out = encodeURIComponent(out);
      return out;
    });
    fc.assert(
      fc.property(text, (json) => expectWellFormedRead(parseTrustPolicy(json))),
      params(RUNS.readJsonText),
    );
  });

  it('on arbitrary values and objects (including objects whose toJSON returns anything)', () => {
    const anything = fc.anything({
      maxDepth: 5,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withNullPrototype: true,
      withObjectString: true,
      withSet: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    const withToJson = fc.record({ Version: fc.constant('2012-10-17'), toJSON: fc.func(fc.anything()) });
    fc.assert(
      fc.property(fc.oneof({ arbitrary: anything, weight: 4 }, withToJson), (value) =>
        expectWellFormedRead(parseTrustPolicy(value)),
      ),
      params(RUNS.readAnything),
    );
  });

  it('on generated and mutated trust policies (objects, raw, encoded, duplicated, garbled, huge, deep)', () => {
    fc.assert(
      fc.property(trustPolicyInputArb, (input) => expectWellFormedRead(parseTrustPolicy(input))),
      params(RUNS.readPolicies),
    );
  });

  it('reads every valid IRSA policy, in every form it arrives in, without a quirk other than its encoding', () => {
    fc.assert(
      fc.property(validTrustPolicyInputArb, ({ doc, input }) => {
        // Given a valid IRSA policy as object, compact or pretty text, URL-encoded once or twice
        // When it is read
        const result = parseTrustPolicy(input);
        // Then it reads as the same document, and only the URL-encoding is remarked on
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.policy.document).toEqual(doc);
        expect(result.policy.statements).toHaveLength((doc.Statement as unknown[]).length);
        expect(result.quirks.filter((q) => q.kind !== 'url-encoded')).toEqual([]);
        expect(result.minifiedLength).toBe(JSON.stringify(doc).length);
      }),
      params(RUNS.readValidPolicies),
    );
  });
});

describe('analyzeEstate on schema-valid snapshots', () => {
  it('never throws (and the generator only makes snapshots the schema accepts)', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        // Given a generated snapshot, Then the schema accepts it
        const parsed = parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'generated snapshot');
        // When it is analyzed, Then findings come back (no exception), in the published output shape
        countPolicies(parsed);
        const result = analyzeEstate(parsed);
        expect(findingsSchemaProblems(result)).toEqual([]);
        expect(result.summary.accounts).toBe(new Set(snapshot.accounts.map((a) => a.accountId)).size);
      }),
      params(RUNS.analyzeNeverThrows),
    );
  });

  it('always emits output that validates against schema/findings.v1.schema.json', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const result = analyzeValid(snapshot);
        expect(findingsSchemaProblems(result)).toEqual([]);
      }),
      params(RUNS.analyzeSchemaValid),
    );
  });

  it('is deterministic and pure: same input, same findings (ids included); ids unique; input untouched', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        // Given a snapshot
        const before = JSON.stringify(snapshot);
        // When it is analyzed twice: as is, then as a deep copy (meeting the caches the first run warmed)
        const first = analyzeValid(snapshot);
        const second = analyzeEstate(structuredClone(snapshot));
        // Then the results are identical, ids are unique, and the snapshot was not modified
        expect(second).toEqual(first);
        const ids = first.findings.map((f) => f.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(JSON.stringify(snapshot)).toBe(before);
      }),
      params(RUNS.analyzeDeterministic),
    );
  });

  it('names only catalogued rules and accounts of the snapshot', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const accounts = new Set(snapshot.accounts.map((a) => a.accountId));
        const result = analyzeValid(snapshot);
        for (const finding of result.findings) {
          expect(RULE_CATALOG.has(finding.ruleId)).toBe(true);
          expect(accounts.has(finding.accountId)).toBe(true);
        }
        const counted = Object.values(result.summary.findingsBySeverity).reduce((n, c) => n + c, 0);
        expect(counted).toBe(result.findings.length);
      }),
      params(RUNS.analyzeRulesAndAccounts),
    );
  });
});

describe('this file', () => {
  it('feeds at least 10,000 generated inputs per run', () => {
    const total = Object.values(RUNS).reduce((n, r) => n + r, 0);
    expect(total).toBeGreaterThanOrEqual(10_000);
  });

  it('puts at least 10,000 generated and mutated trust policies through analyzeEstate', () => {
    expect(policiesAnalyzed).toBeGreaterThanOrEqual(10_000);
  });
});
