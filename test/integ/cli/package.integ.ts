/**
 * The published package, as a user installs it: `npm pack` of this checkout (prepack builds dist/), `npm install -g
 * --prefix <tmp>` of the tarball with its dependencies from the registry, then the installed `irsa-doctor` run with a
 * PATH that holds only `node` (the machine's own Node: 20 on this team's machines), HOME and the working directory an
 * empty folder: no tsx, no repository node_modules, nothing compiled at start.
 *
 * Size bounds (README "Install"): the tarball under 4 MiB packed and 16 MiB unpacked (about 2 MB and 9 MB when
 * written: the compiled CLI and constructs, the prebuilt Lambda bundles and console, the schemas, the example estate
 * and the README).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_CREDENTIALS } from '../../../emulator/seed';
import {
  type Installed,
  installedPackages,
  installGlobally,
  onlyNodePath,
  type Packed,
  pack,
  requiredPackages,
  runInstalled,
  systemNode,
} from '../../support/package-install';
import { budgetFor } from '../budget';
import { endpointUrl } from '../emulator-env';

const ROOT = join(__dirname, '..', '..', '..');
const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-package-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'irsa-doctor-empty-'));
// The machine's own Node, for the installed CLI and for the sources it is compared with (JSON.parse's messages, quoted
// in findings, differ between Node versions).
const node = systemNode();
const pathDir = onlyNodePath(dir, node);
let packed: Packed;
let installed: Installed;

const run = (args: readonly string[], extraEnv?: Record<string, string>) =>
  runInstalled(installed, args, { pathDir, emptyDir, ...(extraEnv ? { extraEnv } : {}) });

// Building (tsc), packing and installing 40 packages from the registry on a loaded 2-core machine: a few minutes at
// worst (about 30 s idle). A budget only bounds how long a hang is waited for.
const INSTALL_BUDGET = budgetFor({ calls: 0, otherMs: 10 * 60_000 });

beforeAll(() => {
  packed = pack(dir, { build: true });
  installed = installGlobally(packed.tarball, dir);
}, INSTALL_BUDGET);

// The install is about 36 MB on disk: not left behind.
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the compiled CLI and constructs, the prebuilt assets, the schemas, the example and the README: no sources', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/irsa-doctor.cjs',
        'dist/cli/main.js',
        'dist/infra/cdk.js',
        'dist/infra/cdk.d.ts',
        'dist/assets/lambda/workflow-step/index.js',
        'dist/assets/console/index.html',
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
      ]),
    );
    const allowed =
      /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|bin\/irsa-doctor\.cjs|dist\/(cli|lambdas|infra\/(constructs|stacks))\/.+\.(js|d\.ts)|dist\/infra\/(cdk|config)\.(js|d\.ts)|dist\/assets\/lambda\/[a-z-]+\/index\.js|dist\/assets\/console\/(index\.html|app\.js|app\.css)|dist\/schema\/[^/]+\.schema\.json|schema\/[^/]+\.schema\.json|examples\/estate\.json)$/;
    expect(paths.filter((p) => !allowed.test(p))).toEqual([]);
    // Nothing of the repository's own CDK app and local runtime, the console's sources, the emulator, the bench or
    // the tests, even compiled (the console only as built, in dist/assets); no TypeScript source (the constructs'
    // handlers and console come prebuilt).
    const outsideAssets = paths.filter((p) => !p.startsWith('dist/assets/'));
    expect(
      outsideAssets.filter((p) => /(^|\/)(infra\/(bin|local)|console|emulator|bench|test|kube|demo)\//.test(p)),
    ).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
    // The prebuilt Lambda bundles (about 1.5 MB each, no source maps) are most of it.
    expect(packed.size).toBeLessThan(4 * 1024 * 1024);
    expect(packed.unpackedSize).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('the installed package, with only node on PATH', () => {
  it('prints its version and its help', () => {
    const version = run(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(repoPackage.version);
    expect(version.status).toBe(0);

    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['analyze', 'plan', 'scan', 'probe', 'rules']) expect(help.stdout).toContain(command);
  });

  it('analyzes the example estate it ships, with the same findings as the sources give', () => {
    const shipped = join(installed.packageDir, 'examples', 'estate.json');
    const installedRun = run(['analyze', '--snapshot', shipped, '--output', 'json']);
    expect(installedRun.status).toBe(0);
    const fromInstalled = JSON.parse(installedRun.stdout) as { findings: unknown[] };

    // The same command through the TypeScript sources (the dev launcher, tsx), on the repository's example.
    const fromSources = spawnSync(
      node,
      [
        join(ROOT, 'scripts', 'dev-cli.cjs'),
        'analyze',
        '--snapshot',
        join(ROOT, 'examples', 'estate.json'),
        '--output',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    expect(fromSources.status).toBe(0);
    expect(fromInstalled.findings.length).toBeGreaterThan(30);
    expect(fromInstalled.findings).toEqual((JSON.parse(fromSources.stdout) as { findings: unknown[] }).findings);
  });

  it('exits 2 with one line for a snapshot that does not exist (the same exit codes as the sources)', () => {
    const missing = run(['analyze', '--snapshot', join(emptyDir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^irsa-doctor: .*nope\.json/);
  });

  it(
    'scans the emulator with the SDK it installed, and prints no SDK notice about the Node version',
    () => {
      const scan = run(['scan', '--regions', 'us-east-1', '--endpoint-url', endpointUrl(), '--max-attempts', '3'], {
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      });
      expect(scan.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
      expect(scan.status).toBe(0);
      expect(scan.stdout).toMatch(/^IRSA Doctor: \d+ account\(s\)/);
    },
    budgetFor({ calls: 2000 }),
  );

  it('declares as dependencies and optional peers exactly the packages dist requires, and installs nothing else', () => {
    // The prebuilt Lambda bundles (dist/assets) carry their packages inside: what they still name are the SDK's
    // optional modules, loaded in a try. Everything else of dist is the CLI and the constructs.
    const dist = join(installed.packageDir, 'dist');
    const required = [
      ...readdirSync(dist)
        .filter((entry) => entry !== 'assets')
        .flatMap((entry) => [...requiredPackages(join(dist, entry))]),
      ...requiredPackages(join(installed.packageDir, 'bin')),
    ];
    // aws-cdk-lib and constructs: the constructs' (irsa-doctor/cdk), the user's own; optional, so the CLI's users do
    // not install them.
    const peers = Object.keys(repoPackage.peerDependencies);
    expect(peers.sort()).toEqual(['aws-cdk-lib', 'constructs']);
    for (const peer of peers) expect(repoPackage.peerDependenciesMeta[peer]?.optional).toBe(true);
    const declared = [...Object.keys(repoPackage.dependencies), ...peers];
    expect([...new Set(required)].sort()).toEqual([...declared].sort());

    // The CDK app, the console and the dev tooling stay out of a user's install.
    const top = new Set(readdirSync(join(installed.packageDir, 'node_modules')));
    for (const dev of ['aws-cdk-lib', 'constructs', 'tsx', 'typescript', 'esbuild', 'jest', '@aws-lambda-powertools']) {
      expect(top.has(dev)).toBe(false);
    }
  });

  it('installs each package once: a dependency pinned apart from the SDK would nest a copy under every client', () => {
    const names = installedPackages(join(installed.packageDir, 'node_modules'));
    const twice = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
    expect(twice).toEqual([]);
  });
});
