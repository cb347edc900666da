/**
 * `npm run bench:cli [-- --runs N]` (also the first section of `npm run bench`): the package as a user installs it.
 * Packs the build in dist/ (`npm run build` first: the npm scripts do it), installs the tarball with `npm install -g
 * --prefix <tmp>` (dependencies from the registry), and measures:
 * - the size of the tarball, of what it holds, and of the installed tree (the package and its dependencies);
 * - cold start: wall time of the installed `irsa-doctor --version` and `irsa-doctor analyze --snapshot <the example
 *   estate it ships>`, each the median of N runs, as a ratio to the median of `node -e 0` run beside them (target at
 *   most 3x for --version), with PATH holding only node and an empty working directory; Node's compile cache starts
 *   empty (a directory of its own), so the first run of each is also reported;
 * - the modules loaded by `--version` (CommonJS require cache at exit), and by which packages.
 * On each Node: the one running the bench and the machine's own (first on PATH outside node_modules/.bin), if it differs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  countPackages,
  type Installed,
  installGlobally,
  onlyNodePath,
  pack,
  ROOT,
  systemNode,
  treeBytes,
} from '../test/support/package-install';

export interface StartupOnNode {
  readonly node: string;
  readonly version: string;
  readonly runs: number;
  readonly nodeMs: number;
  readonly versionMs: number;
  readonly analyzeMs: number;
  readonly versionRatio: number;
  readonly analyzeRatio: number;
  /** The first run of each with an empty compile cache. */
  readonly firstVersionMs: number;
  readonly firstAnalyzeMs: number;
  readonly modulesAtVersion: number;
  /** Modules loaded at --version, per package ("(irsa-doctor)" for the package's own files). */
  readonly modulesByPackage: Record<string, number>;
  readonly modulesAtAnalyze: number;
}

export interface CliStartupResult {
  readonly tarballBytes: number;
  readonly unpackedBytes: number;
  readonly files: number;
  readonly installedBytes: number;
  readonly installedPackages: number;
  readonly installSeconds: number;
  readonly nodes: StartupOnNode[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A preloaded module that writes, at exit, the CommonJS modules this process loaded. */
const MODULES_PRELOAD = `process.on('exit', () => {
  require('node:fs').writeFileSync(process.env.IRSA_BENCH_MODULES, JSON.stringify(Object.keys(require.cache)));
});
`;

function packageOfModule(path: string): string {
  // The package of the last node_modules/ in the path: a dependency, or irsa-doctor itself (lib/node_modules/irsa-doctor).
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path)?.[1];
  if (name === undefined) return '(other)';
  return name === 'irsa-doctor' ? '(irsa-doctor)' : name;
}

function loadedModules(
  node: string,
  installed: Installed,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): { count: number; byPackage: Record<string, number> } {
  const preload = join(dir, 'modules-preload.cjs');
  const out = join(dir, 'modules.json');
  writeFileSync(preload, MODULES_PRELOAD);
  spawnSync(node, ['--require', preload, join(installed.packageDir, 'bin', 'irsa-doctor.cjs'), ...args], {
    cwd: env.HOME,
    env: { ...env, IRSA_BENCH_MODULES: out },
    stdio: 'ignore',
  });
  const paths = (JSON.parse(readFileSync(out, 'utf8')) as string[]).filter((p) => p !== preload);
  const byPackage: Record<string, number> = {};
  for (const path of paths) {
    const name = packageOfModule(path);
    byPackage[name] = (byPackage[name] ?? 0) + 1;
  }
  return { count: paths.length, byPackage };
}

/** Wall time of one run of `command args` (output discarded), in ms; throws when it fails. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const run = spawnSync(command, args, { cwd: env.HOME, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

function onNode(node: string, installed: Installed, runs: number, dir: string): StartupOnNode {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const work = mkdtempSync(join(dir, `node-${version}-`));
  const empty = join(work, 'empty');
  mkdirSync(empty);
  const env = {
    PATH: onlyNodePath(work, node),
    HOME: empty,
    // A compile cache of its own, empty at the first run (bin/irsa-doctor.cjs enables it on Node >= 22.1).
    NODE_COMPILE_CACHE: join(work, 'compile-cache'),
  };
  const example = join(installed.packageDir, 'examples', 'estate.json');
  const versionArgs = ['--version'];
  const analyzeArgs = ['analyze', '--snapshot', example];
  const firstVersionMs = timed(installed.bin, versionArgs, env);
  const firstAnalyzeMs = timed(installed.bin, analyzeArgs, env);
  const nodeTimes: number[] = [];
  const versionTimes: number[] = [];
  const analyzeTimes: number[] = [];
  // Interleaved, so a change in the machine's load touches all three alike.
  for (let i = 0; i < runs; i++) {
    nodeTimes.push(timed(node, ['-e', '0'], env));
    versionTimes.push(timed(installed.bin, versionArgs, env));
    analyzeTimes.push(timed(installed.bin, analyzeArgs, env));
  }
  const nodeMs = median(nodeTimes);
  const versionMs = median(versionTimes);
  const analyzeMs = median(analyzeTimes);
  const atVersion = loadedModules(node, installed, versionArgs, env, work);
  const atAnalyze = loadedModules(node, installed, analyzeArgs, env, work);
  return {
    node,
    version,
    runs,
    nodeMs,
    versionMs,
    analyzeMs,
    versionRatio: versionMs / nodeMs,
    analyzeRatio: analyzeMs / nodeMs,
    firstVersionMs,
    firstAnalyzeMs,
    modulesAtVersion: atVersion.count,
    modulesByPackage: atVersion.byPackage,
    modulesAtAnalyze: atAnalyze.count,
  };
}

export function runCliStartupBench(runs: number, log: (line: string) => void): CliStartupResult {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-bench-cli-'));
  try {
    log('cli startup: packing dist/ and installing the tarball (npm install -g --prefix, from the registry)...');
    const packed = pack(dir, { build: false });
    const t = performance.now();
    const installed = installGlobally(packed.tarball, dir);
    const installSeconds = (performance.now() - t) / 1000;
    const nodes = [...new Set([process.execPath, systemNode()])].map((node) => {
      log(`cli startup: ${runs} runs each on ${node}...`);
      return onNode(node, installed, runs, dir);
    });
    return {
      tarballBytes: packed.size,
      unpackedBytes: packed.unpackedSize,
      files: packed.files.length,
      installedBytes: treeBytes(installed.packageDir),
      installedPackages: countPackages(join(installed.packageDir, 'node_modules')),
      installSeconds,
      nodes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

export function cliStartupLines(r: CliStartupResult): string[] {
  const lines = [
    'The installed package (npm pack of dist/, then npm install -g --prefix <tmp> of the tarball):',
    `  tarball ${mb(r.tarballBytes)} (${r.files} files, ${mb(r.unpackedBytes)} unpacked); installed tree ${mb(r.installedBytes)} with ${r.installedPackages} dependency packages (install took ${r.installSeconds.toFixed(1)} s)`,
  ];
  for (const n of r.nodes) {
    const heavy = Object.entries(n.modulesByPackage)
      .sort(([, a], [, b]) => b - a)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    lines.push(
      `  Node ${n.version}, median of ${n.runs} runs, PATH only node, empty working directory:`,
      `    node -e 0                          ${n.nodeMs.toFixed(0).padStart(5)} ms`,
      `    irsa-doctor --version              ${n.versionMs.toFixed(0).padStart(5)} ms  ${n.versionRatio.toFixed(2)}x node -e 0 (target <= 3x); first run, empty compile cache: ${n.firstVersionMs.toFixed(0)} ms`,
      `    irsa-doctor analyze (the example)  ${n.analyzeMs.toFixed(0).padStart(5)} ms  ${n.analyzeRatio.toFixed(2)}x node -e 0; first run: ${n.firstAnalyzeMs.toFixed(0)} ms`,
      `    modules loaded: ${n.modulesAtVersion} at --version (${heavy}); ${n.modulesAtAnalyze} at analyze`,
    );
  }
  return lines;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 1000) {
    process.stderr.write(`bench:cli: --runs must be a whole number from 1 to 1000; got "${values.runs}"\n`);
    process.exit(2);
  }
  const result = runCliStartupBench(runs, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${cliStartupLines(result).join('\n')}\n`);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cli-startup.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`wrote ${join(dir, 'cli-startup.json')}\n`);
}
