/**
 * `npm run bench:adversarial [-- --sizes 1,10,20 --kinds k1,k2 --cli-sizes 10 --cli-kinds k1]`: the analyzer on
 * snapshots built to be its worst cases (bench/adversarial-estate.ts), all valid against the snapshot schema.
 * Measures, per kind and size, schema validation and `analyzeEstate` in-process (bundled by esbuild as the Lambda
 * functions are), and `irsa-doctor analyze --format json` end to end as a process; reports seconds per 10 MB
 * against the target of 10. Not a test. Writes bench/results/adversarial.json.
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
  analyzeEstate: typeof import('../lambdas/domain/analyze').analyzeEstate;
  parseSnapshot: typeof import('../lambdas/shared/schemas').parseSnapshot;
}

/** The analyzer as it ships: bundled by esbuild (no keepNames), like bench/run.ts measures it. */
function loadBundled(): Analyzer {
  const entry = join(TMP, 'adversarial-entry.ts');
  mkdirSync(TMP, { recursive: true });
  writeFileSync(
    entry,
    `export { analyzeEstate } from '../../lambdas/domain/analyze';\nexport { parseSnapshot } from '../../lambdas/shared/schemas';\n`,
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
  },
});
const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const kinds = list(values.kinds) as AdversarialKind[];
const unknown = [...kinds, ...list(values['cli-kinds'])].filter(
  (k) => !(ADVERSARIAL_KINDS as readonly string[]).includes(k),
);
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown kind(s) ${unknown.join(', ')}; kinds: ${ADVERSARIAL_KINDS.join(', ')}\n`);
  process.exit(2);
}
const sizes = list(values.sizes).map(Number);
const cliSizes = new Set(list(values['cli-sizes']).map(Number));
const cliKinds = new Set(list(values['cli-kinds']));

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
}

function main(): void {
  const analyzer = loadBundled();
  const rows: Row[] = [];
  const load = () => loadavg()[0]?.toFixed(1) ?? '?';
  process.stderr.write(`adversarial bench: Node ${process.version}, load average ${load()} on this machine\n`);
  for (const kind of kinds) {
    for (const size of sizes) {
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
      if (cliSizes.has(size) && cliKinds.has(kind)) {
        const file = join(TMP, `adversarial-${kind}-${size}mb.json`);
        writeFileSync(file, text);
        t = performance.now();
        const run = spawnSync(
          process.execPath,
          [join(ROOT, 'bin/irsa-doctor.cjs'), 'analyze', '--snapshot', file, '--format', 'json'],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
            maxBuffer: 16 * MB,
          },
        );
        row.cliSeconds = (performance.now() - t) / 1000;
        row.cliSecondsPer10MB = row.cliSeconds / (megabytes / 10);
        row.cliExit = run.status ?? -1;
      }
      rows.push(row);
      process.stderr.write(
        `  ${kind.padEnd(22)} ${megabytes.toFixed(1).padStart(5)} MB  validate ${validateMs.toFixed(0).padStart(6)} ms  analyze ${analyzeMs.toFixed(0).padStart(6)} ms  ${row.secondsPer10MB.toFixed(2).padStart(6)} s/10MB (CPU ${row.cpuSecondsPer10MB.toFixed(2)})${row.cliSeconds === undefined ? '' : `  CLI ${row.cliSeconds.toFixed(1)} s (${row.cliSecondsPer10MB?.toFixed(2)} s/10MB, exit ${row.cliExit})`}  ${row.findings} findings, ${row.outputMegabytes.toFixed(1)} MB out  (load ${load()})\n`,
      );
    }
  }
  const worst = rows.reduce((w, r) => (r.secondsPer10MB > w.secondsPer10MB ? r : w));
  const worstCli = rows
    .filter((r) => r.cliSecondsPer10MB !== undefined)
    .reduce<Row | undefined>(
      (w, r) => (!w || (r.cliSecondsPer10MB ?? 0) > (w.cliSecondsPer10MB ?? 0) ? r : w),
      undefined,
    );
  const lines = [
    `worst in-process: ${worst.kind} at ${worst.megabytes.toFixed(1)} MB, ${worst.secondsPer10MB.toFixed(2)} s per 10 MB wall, ${worst.cpuSecondsPer10MB.toFixed(2)} s CPU (target <= ${TARGET_SECONDS_PER_10MB})`,
    ...(worstCli
      ? [
          `worst via the CLI: ${worstCli.kind} at ${worstCli.megabytes.toFixed(1)} MB, ${worstCli.cliSecondsPer10MB?.toFixed(2)} s per 10 MB (process start and JSON output included)`,
        ]
      : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
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
