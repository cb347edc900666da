/**
 * Analysis throughput: analyzing N roles against JSON.parse of the same trust-policy documents, in one run.
 * The documents are stored URL-encoded, as IAM returns them; the baseline parses the already decoded text, so the
 * ratio charges the analyzer for decoding, duplicate-key detection, classification and every rule.
 */
import { performance } from 'node:perf_hooks';
import { analyzeEstate } from '../lambdas/domain/analyze-estate';
import { parseSnapshot } from '../lambdas/shared/schemas';
import { generateEstate } from './estate-generator';

export interface AnalysisBenchResult {
  readonly encoding: 'plain' | 'url';
  readonly roles: number;
  readonly findings: number;
  readonly jsonParseMs: number;
  readonly analysisMs: number;
  readonly ratio: number;
  readonly validationMs: number;
  readonly iterations: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export function runAnalysisBench(
  roles: number,
  iterations = 5,
  encoding: 'plain' | 'url' = 'plain',
): AnalysisBenchResult {
  const accounts = Math.max(1, Math.ceil(roles / 1000));
  const snapshot = generateEstate({
    accounts,
    rolesPerAccount: Math.ceil(roles / accounts),
    clustersPerAccount: 3,
    regions: ['us-west-2', 'eu-west-1'],
    encoding,
  });
  const stored = snapshot.accounts.flatMap((a) => a.roles.map((r) => r.trustPolicy as string));
  const documents = encoding === 'url' ? stored.map((d) => decodeURIComponent(d)) : stored;

  const parseTimes: number[] = [];
  const analysisTimes: number[] = [];
  let findings = 0;
  let sink = 0;
  for (let i = 0; i < iterations + 1; i++) {
    // Alternate the two so neither gets a warmer machine; the first round is warm-up.
    let t = performance.now();
    for (const d of documents) sink += (JSON.parse(d) as { Statement: unknown[] }).Statement.length;
    const parse = performance.now() - t;
    t = performance.now();
    findings = analyzeEstate(snapshot).findings.length;
    const analysis = performance.now() - t;
    if (i > 0) {
      parseTimes.push(parse);
      analysisTimes.push(analysis);
    }
  }
  const t = performance.now();
  parseSnapshot(snapshot);
  const validationMs = performance.now() - t;
  if (sink < 0) throw new Error('unreachable');
  const jsonParseMs = median(parseTimes);
  const analysisMs = median(analysisTimes);
  return {
    encoding,
    roles: documents.length,
    findings,
    jsonParseMs,
    analysisMs,
    ratio: analysisMs / jsonParseMs,
    validationMs,
    iterations,
  };
}
