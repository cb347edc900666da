/**
 * The package as a user gets it: `npm pack` of this checkout, then `npm install -g --prefix <dir>` of the tarball
 * (dependencies from the registry), run with a PATH that holds only `node`. Shared by the package integration test
 * (test/integ/cli/package.integ.ts) and the startup bench (bench/cli-startup.ts).
 */
import { execFileSync, type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { delimiter, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface Packed {
  /** The tarball's path. */
  readonly tarball: string;
  /** Its size in bytes (compressed). */
  readonly size: number;
  /** The size of what it holds, in bytes. */
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/** npm with the checkout's own settings, no audit, funding or update notices, output captured. */
function npm(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('npm', [...args], {
    cwd,
    env: {
      ...env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_loglevel: 'error',
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * `npm pack` of the checkout into `dir`. `build: true` lets `prepack` build dist/ first (what a publish does);
 * `build: false` packs the dist/ already built (`npm run build`).
 */
export function pack(dir: string, opts: { build: boolean }): Packed {
  const args = ['pack', '--json', '--pack-destination', dir, ...(opts.build ? [] : ['--ignore-scripts'])];
  const out = npm(args, ROOT);
  // Lifecycle scripts (prepack's build) may print before the JSON; the JSON is the last thing printed.
  const json = JSON.parse(out.slice(out.lastIndexOf('\n[') + 1)) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }>;
  const [info] = json;
  if (!info) throw new Error(`npm pack printed no package: ${out}`);
  return {
    tarball: join(dir, info.filename),
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => ({ path: f.path, size: f.size })),
  };
}

export interface Installed {
  /** The `--prefix` directory: bin/irsa-doctor and lib/node_modules/irsa-doctor. */
  readonly prefix: string;
  /** The installed launcher (a symlink to the package's bin/irsa-doctor.cjs). */
  readonly bin: string;
  /** The installed package's directory. */
  readonly packageDir: string;
}

/** `npm install -g --prefix <dir>/prefix <tarball>`: the dependencies come from the registry, as a user's would. */
export function installGlobally(tarball: string, dir: string): Installed {
  const prefix = join(dir, 'prefix');
  mkdirSync(prefix, { recursive: true });
  const cwd = join(dir, 'install-cwd');
  mkdirSync(cwd, { recursive: true });
  npm(['install', '--global', '--prefix', prefix, tarball], cwd);
  return {
    prefix,
    bin: join(prefix, 'bin', 'irsa-doctor'),
    packageDir: join(prefix, 'lib', 'node_modules', 'irsa-doctor'),
  };
}

/**
 * A user's project in `dir` (a package.json of its own) with `specs` installed from the registry or from tarballs,
 * as `npm install` does in a CDK app.
 */
export function installInProject(dir: string, specs: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'user-app', version: '0.0.0', private: true })}\n`,
  );
  npm(['install', ...specs], dir);
}

/**
 * The machine's own Node: the first `node` on PATH outside node_modules/.bin (npm scripts put the node@22 dev
 * dependency first; scripts/with-system-node.sh does the same), else the Node running this process.
 */
export function systemNode(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.endsWith(join('node_modules', '.bin'))) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

/** A directory holding only `node` (a symlink to `nodePath`), to be the whole PATH of a run. */
export function onlyNodePath(dir: string, nodePath: string): string {
  const bin = join(dir, 'only-node');
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'node'))) symlinkSync(nodePath, join(bin, 'node'));
  return bin;
}

/**
 * Runs the installed `irsa-doctor` as a user's shell would (its `#!/usr/bin/env node` line finds node on PATH), with
 * PATH holding only node, HOME and the working directory an empty folder, and nothing else from this environment
 * but `extraEnv`.
 */
export function runInstalled(
  installed: Installed,
  args: readonly string[],
  opts: { readonly pathDir: string; readonly emptyDir: string; readonly extraEnv?: Record<string, string> },
): SpawnSyncReturns<string> {
  return spawnSync(installed.bin, [...args], {
    cwd: opts.emptyDir,
    env: { PATH: opts.pathDir, HOME: opts.emptyDir, ...opts.extraEnv },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The bytes under `path` (files only; symlinks not followed). */
export function treeBytes(path: string): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let total = 0;
  for (const entry of readdirSync(path)) total += treeBytes(join(path, entry));
  return total;
}

/** The names of the packages under a node_modules tree (scoped ones one by one), nested trees included. */
export function installedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const names = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
    for (const name of names) found.push(name, ...installedPackages(join(nodeModules, name, 'node_modules')));
  }
  return found;
}

/** How many packages a node_modules tree holds, nested copies included. */
export function countPackages(nodeModules: string): number {
  return installedPackages(nodeModules).length;
}

const BUILTINS = new Set(builtinModules);
const REQUIRE = /\brequire\(\s*["']([^"']+)["']\s*\)/g;

/** The package a module specifier names ("@scope/name/sub" -> "@scope/name"); undefined for relative and built-ins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return name && !BUILTINS.has(name) ? name : undefined;
}

/** The JavaScript files under `dir`, at any depth. */
function javaScriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.js') || name.endsWith('.cjs'))
    .map((name) => join(dir, name));
}

/** Every package the JavaScript under `dir` requires (the compiled CLI: tsc turns imports into `require("...")`). */
export function requiredPackages(dir: string): Set<string> {
  const found = new Set<string>();
  for (const file of javaScriptFiles(dir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
      const name = packageOf(match[1] as string);
      if (name) found.add(name);
    }
  }
  return found;
}
