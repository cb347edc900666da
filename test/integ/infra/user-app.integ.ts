/**
 * The constructs as a user's CDK app gets them: `npm pack` of this checkout (prepack builds dist/, the prebuilt Lambda
 * bundles and console included), installed into an empty project with the peers a CDK app has (aws-cdk-lib,
 * constructs, and cdk-nag for the checks), then test/fixtures/user-app/app.cjs, which imports only
 * `irsa-doctor/cdk`, synthesized with cdk-nag's AwsSolutions checks (a violation fails the synth) and its templates
 * given to cfn-lint (scripts/cfn-lint.sh). No esbuild and no TypeScript source in the project: the functions deploy
 * the package's prebuilt bundles. The same app in TypeScript (typed-app.ts.txt) type-checks against the package's
 * declarations under node16, node10 (typesVersions) and bundler resolution.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installInProject, type Packed, pack, ROOT, systemNode } from '../../support/package-install';
import { budgetFor } from '../budget';

const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-user-app-'));
const project = join(dir, 'project');
const out = join(dir, 'cdk.out');
let packed: Packed;
let synth: ReturnType<typeof spawnSync>;

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (stack: string) =>
  (JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8')) as { Resources: Record<string, Resource> })
    .Resources;

// Building, packing, installing aws-cdk-lib from the registry and synthesizing on a loaded 2-core machine: minutes at
// worst. A budget only bounds how long a hang is waited for.
const BUDGET = budgetFor({ calls: 0, otherMs: 15 * 60_000 });

beforeAll(() => {
  packed = pack(dir, { build: true });
  const peers = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'typescript', '@types/node'].map(
    (name) => `${name}@${repoPackage.devDependencies[name]}`,
  );
  installInProject(project, [packed.tarball, ...peers]);
  copyFileSync(join(ROOT, 'test', 'fixtures', 'user-app', 'app.cjs'), join(project, 'app.cjs'));
  copyFileSync(join(ROOT, 'test', 'fixtures', 'user-app', 'typed-app.ts.txt'), join(project, 'app.ts'));
  synth = spawnSync(systemNode(), ['app.cjs'], {
    cwd: project,
    env: { PATH: process.env.PATH, HOME: dir, CDK_OUTDIR: out },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}, BUDGET);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a user CDK app importing irsa-doctor/cdk from the installed package', () => {
  it('synthesizes the hub and the member stacks clean under cdk-nag', () => {
    expect(synth.stderr).not.toMatch(/AwsSolutions-|ERROR/);
    expect(synth.status).toBe(0);
    expect(existsSync(join(out, 'Platform.template.json'))).toBe(true);
    const member = Object.values(resourcesOf('Member'));
    expect(member.filter((r) => r.Type === 'AWS::IAM::Role').map((r) => r.Properties.RoleName)).toEqual(
      expect.arrayContaining(['IrsaDoctorScanner', 'IrsaDoctorRemediator']),
    );
    expect(member.filter((r) => r.Type === 'AWS::Events::Rule')).toHaveLength(1);
  });

  it("deploys the package's prebuilt handler bundles: no esbuild or TypeScript source in the project", () => {
    expect(existsSync(join(project, 'node_modules', 'esbuild'))).toBe(false);
    const installed = join(project, 'node_modules', 'irsa-doctor');
    const functions = Object.values(resourcesOf('Platform')).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        (r.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables
          ?.IRSA_DOCTOR_HANDLER !== undefined,
    );
    expect(functions.length).toBeGreaterThan(10);
    for (const f of functions) {
      expect(f.Properties.Handler).toBe('index.handler');
      // The staged asset is the package's bundle, byte for byte.
      const key = (f.Properties.Code as { S3Key: string }).S3Key;
      const staged = readFileSync(join(out, `asset.${key.replace(/\.zip$/, '')}`, 'index.js'), 'utf8');
      const variables = (f.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const file = variables.IRSA_DOCTOR_HANDLER;
      const candidates = [file, 'workflow-step'].map((name) =>
        join(installed, 'dist', 'assets', 'lambda', name as string, 'index.js'),
      );
      expect(candidates.filter((c) => existsSync(c)).some((c) => readFileSync(c, 'utf8') === staged)).toBe(true);
    }
  });

  it.each([
    ['node16', 'node16'],
    ['commonjs', 'node10'],
    ['esnext', 'bundler'],
  ])('type-checks a TypeScript app against the declarations (module %s, resolution %s)', (module, resolution) => {
    const tsc = spawnSync(
      systemNode(),
      [
        join(project, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--target',
        'es2022',
        '--module',
        module,
        '--moduleResolution',
        resolution,
        '--types',
        'node',
        'app.ts',
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });

  it('passes cfn-lint with zero errors and warnings', () => {
    const lint = spawnSync('sh', [join(ROOT, 'scripts', 'cfn-lint.sh'), out], { encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toMatch(/2 template\(s\) clean/);
    expect(lint.status).toBe(0);
  });
});
