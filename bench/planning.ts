/**
 * Planning, and the CLI, on a saved estate, each in a process of its own so that its peak memory is its own.
 *
 * - `runPlanningBench` runs this file (bundled by esbuild as the analyzer is, see run.ts) as a child: it reads the
 *   snapshot file and JSON.parses it as the CLI does (without schema validation), then times `planEstate`, which
 *   analyzes the estate first and plans every finding, once. The peak is the child's own
 *   `process.resourceUsage().maxRSS`: the snapshot text and parsed estate included, as a user's process holds them.
 * - `runCliBench` runs `node bin/irsa-doctor.cjs <command> --snapshot <file> --output json` as a user would (the
 *   build in dist/, which `npm run bench` makes first; reading, validating and rendering included, output to
 *   /dev/null), with a preloaded module that reports the process's peak resident set when it exits.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { planEstate } from '../lambdas/domain/plan/plan-estate';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';

export interface PlanningBenchResult {
  readonly roles: number;
  readonly findings: number;
  readonly plans: number;
  readonly applicable: number;
  /** planEstate: analysis and planning, one run. */
  readonly planMs: number;
  /** Resident set once the snapshot is read and parsed, before planning. */
  readonly loadedRssMB: number;
  readonly peakRssMB: number;
}

export interface CliBenchResult {
  readonly command: string;
  readonly wallMs: number;
  readonly peakRssMB: number;
  readonly exitCode: number | null;
}

const MB = 1024 * 1024;

/** In the child: plan the estate saved at `snapshotPath` and print the result as one JSON line. */
function planInThisProcess(snapshotPath: string): PlanningBenchResult {
  const snapshot = JSON.parse(readFileSync(snapshotPath, 'utf8')) as EstateSnapshot;
  const loadedRssMB = process.memoryUsage().rss / MB;
  const t = performance.now();
  const result = planEstate(snapshot);
  const planMs = performance.now() - t;
  return {
    roles: snapshot.accounts.reduce((n, a) => n + a.roles.length, 0),
    findings: result.analysis.findings.length,
    plans: result.plans.length,
    applicable: result.plans.filter((p) => p.applicable).length,
    planMs,
    loadedRssMB,
    // maxRSS is in kilobytes.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Runs the bundled copy of this file as a child process on the saved estate. */
export function runPlanningBench(bundle: string, snapshotPath: string): PlanningBenchResult {
  const child = spawnSync(process.execPath, [bundle, snapshotPath], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (child.status !== 0) throw new Error(`planning child failed (${child.status}): ${child.stderr.slice(0, 2000)}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as PlanningBenchResult;
}

/** Times one CLI command on the saved estate; the preload writes the process's peak RSS (kB) to `reportPath`. */
export function runCliBench(root: string, command: 'analyze' | 'plan', snapshotPath: string): CliBenchResult {
  const dir = join(root, '.tmp', 'bench');
  const preload = join(dir, 'peak-rss.cjs');
  const report = join(dir, `peak-rss-${command}.txt`);
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  writeFileSync(report, '');
  const t = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      '--require',
      preload,
      join(root, 'bin', 'irsa-doctor.cjs'),
      command,
      '--snapshot',
      snapshotPath,
      '--output',
      'json',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  const wallMs = performance.now() - t;
  const peak = Number(readFileSync(report, 'utf8'));
  return { command, wallMs, peakRssMB: peak / 1024, exitCode: child.status };
}

if (require.main === module) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: planning.cjs <snapshot.json>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(planInThisProcess(path))}\n`);
}
