/**
 * bin/irsa-doctor.cjs, the installed launcher, copied beside a stand-in dist/cli/main.js: it runs the build (never the
 * sources), passes the arguments and the exit code through, says how to build when there is no build, and keeps the
 * AWS SDK's Node 20 notice off stderr with the SDK's own opt-out. The real build, packed and installed, is run by
 * test/integ/cli/package.integ.ts.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, systemNode } from '../../support/package-install';

const NOTICE_OPT_OUT = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A package directory holding the real launcher and, when given, `main` as dist/cli/main.js. */
function packageWith(main?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-bin-'));
  made.push(dir);
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'irsa-doctor.cjs'), join(dir, 'bin', 'irsa-doctor.cjs'));
  if (main !== undefined) {
    mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'cli', 'main.js'), main);
  }
  return dir;
}

/** The environment without the SDK opt-out, plus `extra`. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!(NOTICE_OPT_OUT in extra)) delete env[NOTICE_OPT_OUT];
  return env;
}

function launch(dir: string, args: string[], opts: { node?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(opts.node ?? process.execPath, [join(dir, 'bin', 'irsa-doctor.cjs'), ...args], {
    encoding: 'utf8',
    env: opts.env ?? envWith(),
  });
}

describe('bin/irsa-doctor.cjs', () => {
  it('runs dist/cli/main.js with the arguments and exits with its code', () => {
    const dir = packageWith(
      'exports.main = async (argv) => { process.stdout.write(JSON.stringify(argv)); return 7; };\n',
    );
    const run = launch(dir, ['analyze', '--snapshot', 'x y.json']);
    expect(run.stdout).toBe('["analyze","--snapshot","x y.json"]');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(7);
  });

  it('reports a main that throws as an internal error, exit 3', () => {
    const dir = packageWith('exports.main = async () => { throw new Error("boom"); };\n');
    const run = launch(dir, ['--version']);
    expect(run.stderr).toMatch(/^irsa-doctor: internal error: Error: boom/);
    expect(run.status).toBe(3);
  });

  it('stops quietly, exit 141 as after SIGPIPE, when the reader closes the pipe early (| head)', () => {
    const dir = packageWith(
      "exports.main = async () => { for (let i = 0; i < 20000; i++) process.stdout.write('line ' + i + ' ' + 'x'.repeat(80) + '\\n'); return 0; };\n",
    );
    const script = `"${process.execPath}" "${join(dir, 'bin', 'irsa-doctor.cjs')}" | head -1; echo "status \${PIPESTATUS[0]}"`;
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: envWith() });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^line 0 x+$/);
    expect(lines[1]).toBe('status 141');
    expect(run.stderr).toBe('');
  });

  it('says how to build when there is no build, exit 3, instead of a stack trace', () => {
    const run = launch(packageWith(), ['--version']);
    expect(run.stderr).toBe(
      'irsa-doctor: not built: run `npm run build` in this checkout (or `node scripts/dev-cli.cjs` to run the sources)\n',
    );
    expect(run.status).toBe(3);
  });

  it("keeps the AWS SDK's Node version notice off stderr, unless the user set the SDK's variable", () => {
    // A stand-in main that creates an SDK client, which is when the SDK emits its notice (once per process).
    const sts = require.resolve('@aws-sdk/client-sts', { paths: [ROOT] });
    const dir = packageWith(
      `const { STSClient } = require(${JSON.stringify(sts)});\nexports.main = async () => { new STSClient({ region: 'us-east-1' }); return 0; };\n`,
    );
    // The machine's own Node (20 on this team's machines, where the SDK prints its notice), as a user runs the CLI.
    const node = systemNode();
    const major = Number(/^v(\d+)/.exec(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout)?.[1]);
    const sdkWarns = major < 22;

    const control = spawnSync(
      node,
      ['-e', `require(${JSON.stringify(join(dir, 'dist', 'cli', 'main.js'))}).main([])`],
      { encoding: 'utf8', env: envWith() },
    );
    expect(/NodeVersionSupportWarning/.test(control.stderr)).toBe(sdkWarns);

    const quiet = launch(dir, [], { node });
    expect(quiet.stderr).toBe('');
    expect(quiet.status).toBe(0);

    const userSaidNo = launch(dir, [], { node, env: envWith({ [NOTICE_OPT_OUT]: 'false' }) });
    expect(/NodeVersionSupportWarning/.test(userSaidNo.stderr)).toBe(sdkWarns);
  });
});
