/**
 * `npm run bench:adversarial [-- --sizes 1,10,20 --kinds k1,k2 --cli-sizes 10 --cli-kinds k1 --plan-sizes 1,10
 * --plan-kinds k1 --plan-cli-sizes 1]`: the analyzer and the planner on
 * snapshots built to be its worst cases (bench/adversarial-estate.ts), all valid against the snapshot schema.
 * Measures, per kind and size, schema validation and `analyzeEstate` in-process (bundled by esbuild as the Lambda
 * functions are), and `irsa-doctor analyze --output json` end to end as a process; reports seconds per 10 MB
 * against the target of 10. Planning (`planFromFindings` on the analyzer's findings, bundled the same way, and
 * `irsa-doctor plan --output json` as a process) is measured at --plan-sizes / --plan-cli-sizes. Not a test. Writes
 * bench/results/adversarial.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { ADVERSARIAL_KINDS, type AdversarialKind, generateAdversarialEstate } from './adversarial-estate';

const ROOT = join(__dirname, '..');
const TMP = join(ROOT, '.tmp', 'bench');
const MB = 1024 * 1024;
const TARGET_SECONDS_PER_10MB = 10;

interface Analyzer {
  analyzeEstate: typeof import('../lambdas/domain/analyze-estate').analyzeEstate;
  parseSnapshot: typeof import('../lambdas/shared/schemas').parseSnapshot;
  planFromFindings: typeof import('../lambdas/domain/plan/plan-estate').planFromFindings;
}

/** The analyzer as it ships: bundled by esbuild (no keepNames), like bench/run.ts measures it. */
function loadBundled(): Analyzer {
  const entry = join(TMP, 'adversarial-entry.ts');
  mkdirSync(TMP, { recursive: true });
  writeFileSync(
    entry,
    `export { analyzeEstate } from '../../lambdas/domain/analyze-estate';\nexport { parseSnapshot } from '../../lambdas/shared/schemas';\nexport { planFromFindings } from '../../lambdas/domain/plan/plan-estate';\n`,
  );
  const outfile = join(TMP, 'adversarial-analyzer.cjs');
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return require(outfile);
}

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,20' },
    kinds: { type: 'string', default: ADVERSARIAL_KINDS.join(',') },
    'cli-sizes': { type: 'string', default: '10' },
    'cli-kinds': { type: 'string', default: ADVERSARIAL_KINDS.join(',') },
    'plan-sizes': { type: 'string', default: '1' },
    'plan-kinds': { type: 'string', default: ADVERSARIAL_KINDS.join(',') },
    'plan-cli-sizes': { type: 'string', default: '' },
  },
});
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const kinds = list(values.kinds) as AdversarialKind[];
const unknown = [...kinds, ...list(values['cli-kinds']), ...list(values['plan-kinds'])].filter(
  (k) => !(ADVERSARIAL_KINDS as readonly string[]).includes(k),
);
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown kind(s) ${unknown.join(', ')}; kinds: ${ADVERSARIAL_KINDS.join(', ')}\n`);
  process.exit(2);
}
const sizes = list(values.sizes).map(Number);
const cliSizes = new Set(list(values['cli-sizes']).map(Number));
const cliKinds = new Set(list(values['cli-kinds']));
const planSizes = new Set(list(values['plan-sizes']).map(Number));
const planKinds = new Set(list(values['plan-kinds']));
const planCliSizes = new Set(list(values['plan-cli-sizes']).map(Number));

interface Row {
  kind: AdversarialKind;
  megabytes: number;
  roles: number;
  serviceAccounts: number;
  validateMs: number;
  analyzeMs: number;
  secondsPer10MB: number;
  cpuSecondsPer10MB: number;
  findings: number;
  outputMegabytes: number;
  cliSeconds?: number;
  cliSecondsPer10MB?: number;
  cliExit?: number;
  /** planFromFindings on the findings above (analysis not included), in-process. */
  planMs?: number;
  planSecondsPer10MB?: number;
  plans?: number;
  /** `irsa-doctor plan --output json` as a process: read, validate, analyze and plan. */
  planCliSeconds?: number;
  planCliExit?: number;
}

function main(): void {
  const analyzer = loadBundled();
  const rows: Row[] = [];
  const load = () => loadavg()[0]?.toFixed(1) ?? '?';
  process.stderr.write(`adversarial bench: Node ${process.version}, load average ${load()} on this machine\n`);
  for (const kind of kinds) {
    for (const size of sizes) {
      const row = measure(analyzer, kind, size);
      rows.push(row);
      process.stderr.write(`${rowLine(row)}  (load ${load()})\n`);
    }
  }
  process.stdout.write(`${summaryLines(rows).join('\n')}\n`);
  writeResults(rows);
}

/** One kind at one size: validation and analysis in-process, then planning and the CLI where asked for. */
function measure(analyzer: Analyzer, kind: AdversarialKind, size: number): Row {
  const snapshot = generateAdversarialEstate(kind, size * MB);
  const text = JSON.stringify(snapshot);
  const megabytes = text.length / MB;
  let t = performance.now();
  const cpu = process.cpuUsage();
  analyzer.parseSnapshot(JSON.parse(text), kind);
  const validateMs = performance.now() - t;
  t = performance.now();
  const result = analyzer.analyzeEstate(snapshot);
  const analyzeMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // CPU time as well as wall time: on a machine shared by other work, wall time also counts waiting for a core.
  const cpuMs = (used.user + used.system) / 1000;
  const row: Row = {
    kind,
    megabytes,
    roles: snapshot.accounts.reduce((n, a) => n + a.roles.length, 0),
    serviceAccounts: snapshot.accounts.reduce((n, a) => n + (a.serviceAccounts?.length ?? 0), 0),
    validateMs,
    analyzeMs,
    secondsPer10MB: (validateMs + analyzeMs) / 1000 / (megabytes / 10),
    cpuSecondsPer10MB: cpuMs / 1000 / (megabytes / 10),
    findings: result.findings.length,
    outputMegabytes: JSON.stringify(result).length / MB,
  };
  const file = join(TMP, `adversarial-${kind}-${size}mb.json`);
  if (planKinds.has(kind) && planSizes.has(size)) {
    t = performance.now();
    const planned = analyzer.planFromFindings(snapshot, result.findings);
    row.planMs = performance.now() - t;
    row.planSecondsPer10MB = row.planMs / 1000 / (megabytes / 10);
    row.plans = planned.plans.length;
  }
  if (planKinds.has(kind) && planCliSizes.has(size)) {
    writeFileSync(file, text);
    const run = runCli('plan', file);
    row.planCliSeconds = run.seconds;
    row.planCliExit = run.exit;
  }
  if (cliSizes.has(size) && cliKinds.has(kind)) {
    writeFileSync(file, text);
    const run = runCli('analyze', file);
    row.cliSeconds = run.seconds;
    row.cliSecondsPer10MB = row.cliSeconds / (megabytes / 10);
    row.cliExit = run.exit;
  }
  return row;
}

/** `irsa-doctor <command> --snapshot <file> --output json` as a process: its wall time and exit status. */
function runCli(command: 'analyze' | 'plan', file: string): { seconds: number; exit: number } {
  const t = performance.now();
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/irsa-doctor.cjs'), command, '--snapshot', file, '--output', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 16 * MB },
  );
  return { seconds: (performance.now() - t) / 1000, exit: run.status ?? -1 };
}

function rowLine(row: Row): string {
  const planned =
    row.planMs === undefined
      ? ''
      : `  plan ${row.planMs.toFixed(0)} ms (${row.planSecondsPer10MB?.toFixed(2)} s/10MB, ${row.plans} plans)${row.planCliSeconds === undefined ? '' : `  plan CLI ${row.planCliSeconds.toFixed(1)} s (exit ${row.planCliExit})`}`;
  return `  ${row.kind.padEnd(22)} ${row.megabytes.toFixed(1).padStart(5)} MB  validate ${row.validateMs.toFixed(0).padStart(6)} ms  analyze ${row.analyzeMs.toFixed(0).padStart(6)} ms  ${row.secondsPer10MB.toFixed(2).padStart(6)} s/10MB (CPU ${row.cpuSecondsPer10MB.toFixed(2)})${row.cliSeconds === undefined ? '' : `  CLI ${row.cliSeconds.toFixed(1)} s (${row.cliSecondsPer10MB?.toFixed(2)} s/10MB, exit ${row.cliExit})`}  ${row.findings} findings, ${row.outputMegabytes.toFixed(1)} MB out${planned}`;
}

/** The row with the highest value of `key`, among the rows that have one. */
function worstBy(rows: readonly Row[], key: 'cliSecondsPer10MB' | 'planSecondsPer10MB'): Row | undefined {
  return rows
    .filter((r) => r[key] !== undefined)
    .reduce<Row | undefined>((w, r) => (!w || (r[key] ?? 0) > (w[key] ?? 0) ? r : w), undefined);
}

function summaryLines(rows: readonly Row[]): string[] {
  const worst = rows.reduce((w, r) => (r.secondsPer10MB > w.secondsPer10MB ? r : w));
  const worstCli = worstBy(rows, 'cliSecondsPer10MB');
  const worstPlan = worstBy(rows, 'planSecondsPer10MB');
  return [
    `worst in-process: ${worst.kind} at ${worst.megabytes.toFixed(1)} MB, ${worst.secondsPer10MB.toFixed(2)} s per 10 MB wall, ${worst.cpuSecondsPer10MB.toFixed(2)} s CPU (target <= ${TARGET_SECONDS_PER_10MB})`,
    ...(worstCli
      ? [
          `worst via the CLI: ${worstCli.kind} at ${worstCli.megabytes.toFixed(1)} MB, ${worstCli.cliSecondsPer10MB?.toFixed(2)} s per 10 MB (process start and JSON output included)`,
        ]
      : []),
    ...(worstPlan
      ? [
          `worst planning: ${worstPlan.kind} at ${worstPlan.megabytes.toFixed(1)} MB, ${worstPlan.planMs?.toFixed(0)} ms, ${worstPlan.planSecondsPer10MB?.toFixed(2)} s per 10 MB (planFromFindings, analysis not included)`,
        ]
      : []),
  ];
}

function writeResults(rows: readonly Row[]): void {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    } catch {
      return undefined;
    }
  })();
  writeFileSync(
    join(dir, 'adversarial.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, commit, loadAverage: loadavg(), rows }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${join(dir, 'adversarial.json')}\n`);
}

main();
