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
  /**
   * The same three as process CPU time (all threads, so the garbage collector's helpers count): steadier than wall
   * time on a machine shared with other work, where waiting for a core inflates wall time unevenly.
   */
  readonly cpu: {
    readonly snapshotParseMs: number;
    readonly jsonParseMs: number;
    readonly analysisMs: number;
    readonly ratio: number;
    readonly policyRatio: number;
  };
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

/** Wall and process CPU time of `f`, in milliseconds. */
function timed(f: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  f();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
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
  const cpuTimes: { policy: number[]; snapshot: number[]; analysis: number[] } = {
    policy: [],
    snapshot: [],
    analysis: [],
  };
  let findings = 0;
  let sink = 0;
  for (let i = 0; i < iterations + 1; i++) {
    // Interleaved so that none gets a warmer machine; the first round is warm-up.
    const policyParse = timed(() => {
      for (const d of documents) sink += (JSON.parse(d) as { Statement: unknown[] }).Statement.length;
    });
    const snapshotParse = timed(() => {
      sink += (JSON.parse(text) as EstateSnapshot).accounts.length;
    });
    const analysis = timed(() => {
      findings = analyzeEstate(snapshot).findings.length;
    });
    if (i > 0) {
      policyParseTimes.push(policyParse.wall);
      snapshotParseTimes.push(snapshotParse.wall);
      analysisTimes.push(analysis.wall);
      cpuTimes.policy.push(policyParse.cpu);
      cpuTimes.snapshot.push(snapshotParse.cpu);
      cpuTimes.analysis.push(analysis.cpu);
    }
  }
  const t = performance.now();
  parseSnapshot(snapshot);
  const validationMs = performance.now() - t;
  if (sink < 0) throw new Error('unreachable');
  const jsonParseMs = median(policyParseTimes);
  const snapshotParseMs = median(snapshotParseTimes);
  const analysisMs = median(analysisTimes);
  const cpu = {
    snapshotParseMs: median(cpuTimes.snapshot),
    jsonParseMs: median(cpuTimes.policy),
    analysisMs: median(cpuTimes.analysis),
  };
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
    cpu: { ...cpu, ratio: cpu.analysisMs / cpu.snapshotParseMs, policyRatio: cpu.analysisMs / cpu.jsonParseMs },
    validationMs,
    iterations,
  };
}
