/**
 * Analysis throughput, in one run: analyzeEstate of a parsed snapshot of N roles against JSON.parse of that
 * snapshot's text (what reading the input costs), and, as the earlier measure, against JSON.parse of its N trust
 * policies alone. Snapshot schema validation is in neither side of either ratio; it is timed on its own.
 * The analyzer reads every trust policy from the text the snapshot holds (plain JSON, or URL-encoded as IAM returns
 * it), so the ratios charge it for decoding, parsing, duplicate-key detection, classification and every rule.
 */
import { performance } from 'node:perf_hooks';
import { analyzeEstate } from '../lambdas/domain/analyze-estate';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import { parseSnapshot } from '../lambdas/shared/schemas';
import { generateEstate } from './estate-generator';

export interface AnalysisBenchResult {
  readonly encoding: 'plain' | 'url';
  readonly roles: number;
  readonly findings: number;
  /** Characters of the snapshot's JSON text. */
  readonly snapshotChars: number;
  /** JSON.parse of the whole snapshot text: the denominator of `ratio`. */
  readonly snapshotParseMs: number;
  /** JSON.parse of the N trust-policy documents (decoded): the denominator of `policyRatio`. */
  readonly jsonParseMs: number;
  readonly analysisMs: number;
  /** analysisMs / snapshotParseMs. */
  readonly ratio: number;
  /** analysisMs / jsonParseMs (the measure used before issue 13). */
  readonly policyRatio: number;
  readonly validationMs: number;
  readonly iterations: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The bench estate: 1,000 roles per account, 3 clusters each over two regions. */
export function benchEstate(roles: number, encoding: 'plain' | 'url' = 'plain'): EstateSnapshot {
  const accounts = Math.max(1, Math.ceil(roles / 1000));
  return generateEstate({
    accounts,
    rolesPerAccount: Math.ceil(roles / accounts),
    clustersPerAccount: 3,
    regions: ['us-west-2', 'eu-west-1'],
    encoding,
  });
}

export function runAnalysisBench(
  roles: number,
  iterations = 5,
  encoding: 'plain' | 'url' = 'plain',
): AnalysisBenchResult {
  const snapshot = benchEstate(roles, encoding);
  const text = JSON.stringify(snapshot);
  const stored = snapshot.accounts.flatMap((a) => a.roles.map((r) => r.trustPolicy as string));
  const documents = encoding === 'url' ? stored.map((d) => decodeURIComponent(d)) : stored;

  const policyParseTimes: number[] = [];
  const snapshotParseTimes: number[] = [];
  const analysisTimes: number[] = [];
  let findings = 0;
  let sink = 0;
  for (let i = 0; i < iterations + 1; i++) {
    // Interleaved so that none gets a warmer machine; the first round is warm-up.
    let t = performance.now();
    for (const d of documents) sink += (JSON.parse(d) as { Statement: unknown[] }).Statement.length;
    const policyParse = performance.now() - t;
    t = performance.now();
    sink += (JSON.parse(text) as EstateSnapshot).accounts.length;
    const snapshotParse = performance.now() - t;
    t = performance.now();
    findings = analyzeEstate(snapshot).findings.length;
    const analysis = performance.now() - t;
    if (i > 0) {
      policyParseTimes.push(policyParse);
      snapshotParseTimes.push(snapshotParse);
      analysisTimes.push(analysis);
    }
  }
  const t = performance.now();
  parseSnapshot(snapshot);
  const validationMs = performance.now() - t;
  if (sink < 0) throw new Error('unreachable');
  const jsonParseMs = median(policyParseTimes);
  const snapshotParseMs = median(snapshotParseTimes);
  const analysisMs = median(analysisTimes);
  return {
    encoding,
    roles: documents.length,
    findings,
    snapshotChars: text.length,
    snapshotParseMs,
    jsonParseMs,
    analysisMs,
    ratio: analysisMs / snapshotParseMs,
    policyRatio: analysisMs / jsonParseMs,
    validationMs,
    iterations,
  };
}
