/** The conventions of issue 16, each through main() as a user types it: -o, --out-file, filters, errors, colour. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ANALYSIS_FORMATS } from '../../../cli/cli-options';
import { explainFetchFailure, main } from '../../../cli/main';
import { NetworkError } from '../../../lambdas/shared/errors';
import { captureIo } from '../../support/cli-io';

/** A JSON report without its generation time, which differs between two runs. */
const timeless = (text: string) => text.replace(/"generatedAt": "[^"]+"/g, '"generatedAt": "(time)"');

const ROOT = join(__dirname, '../../..');
const ESTATE = join(ROOT, 'examples/estate.json');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-conventions-'));

async function run(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const cli = captureIo('', options);
  const code = await main(args, cli.io);
  return { code, out: cli.out(), err: cli.err() };
}

/** One line on stderr, `irsa-doctor: ` first, no stack trace. */
function expectOneErrorLine(stderr: string) {
  expect(stderr).toMatch(/^irsa-doctor: [^\n]+\n$/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const findingsOf = (out: string) =>
  (JSON.parse(out) as { findings: Array<{ severity: string; ruleId: string; accountId: string; cluster?: string }> })
    .findings;

describe('-o/--output: the format, as the AWS CLI, eksctl and kubectl name it', () => {
  it.each(ANALYSIS_FORMATS.map((f) => [f]))('analyze -o %s prints that format', async (format) => {
    const { code, out, err } = await run(['analyze', '--snapshot', ESTATE, '-o', format]);
    expect(code).toBe(0);
    expect(err).toBe('');
    if (format === 'json') expect(findingsOf(out).length).toBeGreaterThan(30);
    if (format === 'markdown') expect(out).toMatch(/^## IRSA Doctor\n/);
    if (format === 'table') expect(out).toMatch(/^IRSA Doctor: 4 account\(s\)/);
  });

  it('takes the long form and any case', async () => {
    const short = await run(['analyze', '--snapshot', ESTATE, '-o', 'json']);
    const long = await run(['analyze', '--snapshot', ESTATE, '--output', 'JSON']);
    expect(long.code).toBe(0);
    expect(timeless(long.out)).toBe(timeless(short.out));
  });

  it.each([
    ['rules', ['rules', '-o', 'json'], /"rules": \[/],
    ['plan', ['plan', '--snapshot', ESTATE, '-o', 'json'], /"plans": \[/],
  ])('%s takes -o too', async (_name, args, expected) => {
    const { code, out } = await run(args);
    expect(code).toBe(0);
    expect(out).toMatch(expected);
  });

  it('refuses, for probe, approvals and mute, a format they do not render', async () => {
    for (const args of [
      ['probe', '--cluster', 'c', '--namespace', 'n', '--service-account', 's', '-o', 'markdown'],
      ['approvals', 'list', '-o', 'markdown'],
      ['mute', 'list', '-o', 'markdown'],
    ]) {
      const { code, err } = await run(args);
      expect(code).toBe(2);
      expectOneErrorLine(err);
      expect(err).toMatch(/argument 'markdown' is invalid\. Allowed choices are table, json;/);
    }
  });
});

describe('--format: the old name, a hidden alias', () => {
  it('still works and says once, on stderr, to use --output', async () => {
    const old = await run(['analyze', '--snapshot', ESTATE, '--format', 'json']);
    const now = await run(['analyze', '--snapshot', ESTATE, '-o', 'json']);
    expect(old.code).toBe(0);
    expect(timeless(old.out)).toBe(timeless(now.out));
    expect(old.err).toBe('irsa-doctor: --format is deprecated: use -o/--output (same values)\n');
  });

  it('is not in the help', async () => {
    const { out } = await run(['analyze', '--help']);
    expect(out).toContain('-o, --output <format>');
    expect(out).not.toContain('--format');
  });

  it('refuses --format and --output that disagree', async () => {
    const { code, err } = await run(['analyze', '--snapshot', ESTATE, '--format', 'json', '-o', 'table']);
    expect(code).toBe(2);
    expect(err).toMatch(/--format json and --output table disagree/);
  });
});

describe('--output with a file name (what it meant before)', () => {
  it('scan: names --save-snapshot and --out-file', async () => {
    const { code, out, err } = await run(['scan', '--output', 'snap.json']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expectOneErrorLine(err);
    expect(err).toContain('to write the collected snapshot use --save-snapshot snap.json');
    expect(err).toContain('to write this output to a file use --out-file snap.json');
  });

  it('analyze: names --out-file', async () => {
    const { code, err } = await run(['analyze', '--snapshot', ESTATE, '-o', 'reports/findings.md']);
    expect(code).toBe(2);
    expectOneErrorLine(err);
    expect(err).toContain('use --out-file reports/findings.md');
    expect(err).not.toContain('--save-snapshot');
  });

  it('scan --save-snapshot is the snapshot file, in the help', async () => {
    const { out } = await run(['scan', '--help']);
    expect(out).toMatch(/--save-snapshot <file>\s+write the collected snapshot here/);
  });
});

describe('--out-file', () => {
  it('writes what stdout would have shown, and nothing to stdout', async () => {
    const target = join(dir, 'findings.json');
    const shown = await run(['analyze', '--snapshot', ESTATE, '-o', 'json']);
    const written = await run(['analyze', '--snapshot', ESTATE, '-o', 'json', '--out-file', target]);
    expect(written.code).toBe(0);
    expect(written.out).toBe('');
    expect(timeless(readFileSync(target, 'utf8'))).toBe(timeless(shown.out));
  });

  it('keeps the exit code of --fail-on while writing the file', async () => {
    const target = join(dir, 'failing.md');
    const { code } = await run([
      'analyze',
      '--snapshot',
      ESTATE,
      '-o',
      'markdown',
      '--fail-on',
      'high',
      '--out-file',
      target,
    ]);
    expect(code).toBe(1);
    expect(readFileSync(target, 'utf8')).toMatch(/^## IRSA Doctor\n/);
  });

  it('leaves an existing file as it was when the command fails', async () => {
    const target = join(dir, 'kept.json');
    writeFileSync(target, 'before');
    const { code } = await run(['analyze', '--snapshot', join(dir, 'missing.json'), '--out-file', target]);
    expect(code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('before');
  });

  it('fails in one line, leaving no temporary file, when the file cannot be written', async () => {
    const target = join(dir, 'no-such-dir', 'out.json');
    const { code, err } = await run(['rules', '-o', 'json', '--out-file', target]);
    expect(code).toBe(2);
    expectOneErrorLine(err);
    expect(err).toMatch(/cannot write .*no-such-dir\/out\.json/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(target)).toBe(false);
  });
});

describe('severities in any case', () => {
  it.each(['HIGH', 'High', 'high'])('--fail-on %s exits 1 on the example estate', async (severity) => {
    expect((await run(['analyze', '--snapshot', ESTATE, '--fail-on', severity])).code).toBe(1);
  });

  it('refuses a word that is no severity, naming the choices', async () => {
    const { code, err } = await run(['analyze', '--snapshot', ESTATE, '--fail-on', 'severe']);
    expect(code).toBe(2);
    expectOneErrorLine(err);
    expect(err).toMatch(/Allowed choices are critical, high, medium, low, info \(any case\)/);
  });
});

describe('filters on analyze, plan and scan', () => {
  const analyze = async (...args: string[]) => {
    const { code, out, err } = await run(['analyze', '--snapshot', ESTATE, '-o', 'json', ...args]);
    expect(err).toBe('');
    return { code, findings: findingsOf(out) };
  };

  it('--severity high keeps high and critical; --severity HIGH,low exactly those', async () => {
    const minimum = await analyze('--severity', 'high');
    expect(new Set(minimum.findings.map((f) => f.severity))).toEqual(new Set(['critical', 'high']));
    const exact = await analyze('--severity', 'HIGH,low');
    expect(new Set(exact.findings.map((f) => f.severity))).toEqual(new Set(['high', 'low']));
    const repeated = await analyze('--severity', 'high', '--severity', 'low');
    expect(repeated.findings).toEqual(exact.findings);
  });

  it('--rule, --account, --cluster, -n/--namespace each keep what they name, together all of them', async () => {
    expect((await analyze('--rule', 'irsa-021')).findings.map((f) => f.ruleId)).toEqual(['IRSA-021']);
    const accounts = await analyze('--account', '222222222222,333333333333');
    expect(new Set(accounts.findings.map((f) => f.accountId))).toEqual(new Set(['222222222222', '333333333333']));
    const clusters = await analyze('--cluster', 'staging', '--cluster', 'dev');
    expect(new Set(clusters.findings.map((f) => f.cluster))).toEqual(new Set(['staging', 'dev']));
    expect((await analyze('-n', 'kube-system')).findings.map((f) => f.ruleId).sort()).toEqual(['IRSA-038', 'PI-056']);
    const both = await analyze('--account', '111111111111', '--severity', 'critical');
    expect(both.findings.length).toBeGreaterThan(0);
    for (const f of both.findings) expect([f.accountId, f.severity]).toEqual(['111111111111', 'critical']);
  });

  it('applies before --fail-on: a finding filtered out does not fail the run', async () => {
    expect((await analyze('--fail-on', 'critical')).code).toBe(1);
    expect((await analyze('--fail-on', 'critical', '--severity', 'low,info')).code).toBe(0);
    expect((await analyze('--fail-on', 'critical', '--rule', 'IRSA-038')).code).toBe(0);
    expect((await analyze('--fail-on', 'high', '--rule', 'IRSA-038')).code).toBe(1);
  });

  it('plan shows the plans of the findings kept', async () => {
    const all = JSON.parse((await run(['plan', '--snapshot', ESTATE, '-o', 'json'])).out);
    const { code, out } = await run(['plan', '--snapshot', ESTATE, '-o', 'json', '--account', '222222222222']);
    expect(code).toBe(0);
    const some = JSON.parse(out) as { plans: Array<{ accountId: string }> };
    expect(some.plans.length).toBeGreaterThan(0);
    expect(some.plans.length).toBeLessThan(all.plans.length);
    expect(new Set(some.plans.map((p) => p.accountId))).toEqual(new Set(['222222222222']));
  });

  it('refuses a bad filter value in one line, exit 2', async () => {
    for (const args of [
      ['--rule', 'IRSA-21'],
      ['--account', '12345'],
      ['--severity', 'severe'],
    ]) {
      const { code, out, err } = await run(['analyze', '--snapshot', ESTATE, ...args]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expectOneErrorLine(err);
    }
  });

  it('scan has them, with --save-snapshot, in its help', async () => {
    const { out } = await run(['scan', '--help']);
    for (const flag of [
      '--severity <levels>',
      '--rule <ids>',
      '--account <ids>',
      '--cluster <names>',
      '-n, --namespace',
    ]) {
      expect(out).toContain(flag);
    }
  });
});

describe('short flags, as kubectl and the AWS CLI tools spell them', () => {
  it('probe takes -n for --namespace and -o for --output', async () => {
    const { code, err } = await run([
      'probe',
      '--cluster',
      'c',
      '--region',
      'us-west-2',
      '-n',
      'Bad_NS',
      '--service-account',
      's',
      '-o',
      'json',
    ]);
    expect(code).toBe(2);
    expect(err).toMatch(/^irsa-doctor: --namespace must be a Kubernetes name/);
  });
});

describe('--no-color', () => {
  it.each([
    ['after the command', ['analyze', '--snapshot', ESTATE, '--no-color']],
    ['before the command', ['--no-color', 'analyze', '--snapshot', ESTATE]],
  ])('turns colour off on a terminal, %s, even with FORCE_COLOR', async (_where, args) => {
    const coloured = await run(['analyze', '--snapshot', ESTATE], { tty: true });
    expect(coloured.out).toContain('\u001b[');
    const plain = await run(args, { tty: true, env: { FORCE_COLOR: '1' } });
    expect(plain.code).toBe(0);
    expect(plain.out).not.toContain('\u001b[');
    expect(plain.out.length).toBeGreaterThan(1000);
  });
});

describe('one error style: `irsa-doctor: <what>: <cause>`, one line, exit 2', () => {
  it.each([
    [
      ['analyse'],
      /^irsa-doctor: usage: unknown command 'analyse' \(Did you mean analyze\?\); see "irsa-doctor --help"\n$/,
    ],
    [
      ['analyze', '--snapshot', ESTATE, '--fail-onn', 'high'],
      /^irsa-doctor: analyze: unknown option '--fail-onn' \(Did you mean --fail-on\?\); see "irsa-doctor analyze --help"\n$/,
    ],
    [['analyze'], /^irsa-doctor: analyze: required option '--snapshot <file>' not specified; see/],
    [['approvals', 'lst'], /^irsa-doctor: approvals: unknown command 'lst' \(Did you mean list\?\)/],
    [['approvals', 'show'], /^irsa-doctor: approvals show: missing required argument 'plan'/],
    [['completion', 'tcsh'], /^irsa-doctor: completion: command-argument value 'tcsh' is invalid/],
    [
      ['analyze', '--snapshot', join(dir, 'nope.json')],
      /^irsa-doctor: cannot read snapshot .*nope\.json: no such file\n$/,
    ],
  ])('%j', async (args, message) => {
    const { code, out, err } = await run(args as string[]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expectOneErrorLine(err);
    expect(err).toMatch(message);
  });

  it('never lets "fetch failed" be the whole message', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    const explained = explainFetchFailure(refused);
    expect(explained).toBeInstanceOf(NetworkError);
    expect((explained as Error).message).toBe('network request failed: connection refused (ECONNREFUSED)');
    const other = new TypeError('x is not a function');
    expect(explainFetchFailure(other)).toBe(other);
  });

  it('keeps exit 0 for --help and --version', async () => {
    expect((await run(['--help'])).code).toBe(0);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('lazy loading', () => {
  it('loads neither the AWS SDK nor the rule registry for --version, --help or completion', async () => {
    // A fresh process, as the launcher runs it: which modules did loading cli/main.ts and running it bring in?
    const script = `
      require('tsx/cjs/api').register();
      const { main } = require('./cli/main.ts');
      (async () => {
        const out = { write: () => true };
        const io = { stdout: out, stderr: out, env: {}, readStdin: async () => '' };
        for (const args of [['--version'], ['--help'], ['scan', '--help'], ['completion', 'bash']]) await main(args, io);
        const loaded = Object.keys(require.cache);
        process.stdout.write(JSON.stringify({
          sdk: loaded.filter((m) => m.includes('@aws-sdk') || m.includes('@smithy')).length,
          registry: loaded.filter((m) => /lambdas[\\\\/]domain[\\\\/]rules[\\\\/]/.test(m)).length,
          commands: loaded.filter((m) => /cli[\\\\/]commands[\\\\/]/.test(m)).length,
          completion: loaded.some((m) => m.endsWith('completion.ts')),
        }));
      })();`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: ROOT });
    expect(JSON.parse(stdout)).toEqual({ sdk: 0, registry: 0, commands: 0, completion: true });
  });
});
