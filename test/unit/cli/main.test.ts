import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../../cli/main';
import { findingsSchemaProblems } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';

const ROOT = join(__dirname, '../../..');
const ESTATE = join(ROOT, 'examples/estate.json');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const empty = JSON.stringify({ schemaVersion: 1, partition: 'aws', accounts: [] });

describe('irsa-doctor analyze', () => {
  it('prints schema-valid JSON and exits 0', async () => {
    const cli = captureIo();
    const code = await main(['analyze', '--snapshot', ESTATE, '--output', 'json'], cli.io);
    expect(code).toBe(0);
    const parsed = JSON.parse(cli.out());
    expect(findingsSchemaProblems(parsed)).toEqual([]);
    expect(parsed.findings.length).toBeGreaterThan(30);
  });

  it('groups the table by account and cluster, worst first, without colour off a terminal', async () => {
    const cli = captureIo();
    await main(['analyze', '--snapshot', ESTATE], cli.io);
    const text = cli.out();
    expect(text).toMatch(/^IRSA Doctor: 4 account\(s\)/);
    expect(text).not.toContain('\u001b[');
    const account111 = text.indexOf('Account 111111111111');
    expect(account111).toBeGreaterThan(0);
    expect(text.indexOf('  Cluster prod (us-west-2)', account111)).toBeGreaterThan(account111);
    const firstSeverity = /\n {4}(CRITICAL|HIGH|MEDIUM|LOW|INFO)/.exec(text)?.[1];
    expect(firstSeverity).toBe('CRITICAL');
  });

  it('colours severities on a terminal unless NO_COLOR is set', async () => {
    const tty = captureIo('', { tty: true });
    await main(['analyze', '--snapshot', ESTATE], tty.io);
    expect(tty.out()).toContain('\u001b[');
    const noColor = captureIo('', { tty: true, env: { NO_COLOR: '1' } });
    await main(['analyze', '--snapshot', ESTATE], noColor.io);
    expect(noColor.out()).not.toContain('\u001b[');
  });

  it('renders markdown for a report, with policy text escaped', async () => {
    const cli = captureIo();
    await main(['analyze', '--snapshot', ESTATE, '--output', 'markdown'], cli.io);
    expect(cli.out()).toMatch(/^## IRSA Doctor\n\n\*\*44 open finding\(s\)\*\*/);
    expect(cli.out()).toContain('#### CRITICAL IRSA-021: Several clusters merged into one statement');
    expect(cli.out()).not.toMatch(/<script/i);
  });

  it.each([
    ['critical', 1],
    ['info', 1],
  ])('exits 1 when --fail-on %s is met', async (severity, expected) => {
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--fail-on', severity, '--output', 'json'], cli.io)).toBe(
      expected,
    );
  });

  it('exits 0 with --fail-on when nothing reaches the threshold', async () => {
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', file('empty.json', empty), '--fail-on', 'info'], cli.io)).toBe(0);
    expect(cli.out()).toContain('No findings');
  });

  it('reads the snapshot from stdin with "-"', async () => {
    const cli = captureIo(empty);
    expect(await main(['analyze', '--snapshot', '-', '--output', 'json'], cli.io)).toBe(0);
    expect(JSON.parse(cli.out()).findings).toEqual([]);
  });

  it.each([
    ['a missing file', ['--snapshot', join(dir, 'nope.json')], /cannot read snapshot .*nope\.json: no such file/],
    ['a directory', ['--snapshot', dir], /it is a directory/],
    ['an empty file', ['--snapshot', file('blank.json', '  \n')], /blank\.json is empty/],
    [
      'malformed JSON',
      ['--snapshot', file('bad.json', '{\n  "schemaVersion": 1,\n  oops\n}')],
      /bad\.json is not valid JSON \(line 3, column 3\)/,
    ],
    [
      'a schema violation',
      [
        '--snapshot',
        file('wrong.json', JSON.stringify({ schemaVersion: 1, partition: 'aws', accounts: [{ accountId: 'x' }] })),
      ],
      /\$\.accounts\[0\]: missing required property "clusters"/,
    ],
    [
      'another schema version',
      ['--snapshot', file('v2.json', JSON.stringify({ schemaVersion: 2 }))],
      /unsupported schemaVersion 2/,
    ],
    ['an unknown format', ['--snapshot', ESTATE, '--output', 'xml'], /argument 'xml' is invalid/],
    ['an unknown severity', ['--snapshot', ESTATE, '--fail-on', 'severe'], /argument 'severe' is invalid/],
    [
      'a bad quota',
      ['--snapshot', ESTATE, '--trust-policy-quota', 'lots'],
      /--trust-policy-quota must be a whole number/,
    ],
    ['no snapshot option', [], /required option '--snapshot <file>' not specified/],
  ])('fails with exit 2 and a clear message on %s', async (_title, args, message) => {
    const cli = captureIo();
    const code = await main(['analyze', ...args], cli.io);
    expect(code).toBe(2);
    expect(cli.err()).toMatch(message);
    expect(cli.err()).not.toMatch(/\n\s+at /); // no stack trace
    expect(cli.out()).toBe('');
  });

  it('exits 2 on an unknown command and 0 on --help', async () => {
    expect(await main(['analyse'], captureIo().io)).toBe(2);
    const help = captureIo();
    expect(await main(['analyze', '--help'], help.io)).toBe(0);
    expect(help.out()).toContain('Exit codes: 0 analysis ran; 1 a finding met --fail-on; 2 bad input or usage.');
  });
});

describe('irsa-doctor plan', () => {
  it('prints {"plans": [...], "findings": [...]} with the provider plans first', async () => {
    const cli = captureIo();
    expect(await main(['plan', '--snapshot', ESTATE, '--output', 'json'], cli.io)).toBe(0);
    const { plans, findings } = JSON.parse(cli.out());
    expect(Array.isArray(findings)).toBe(true);
    expect(plans.length).toBeGreaterThan(20);
    const lastProvider = plans.map((p: { action: string }) => p.action).lastIndexOf('create-oidc-provider');
    const firstTrust = plans.findIndex((p: { action: string }) => p.action === 'update-trust-policy');
    expect(lastProvider).toBeLessThan(firstTrust);
    for (const p of plans) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'id',
          'ruleIds',
          'accountId',
          'resourceArn',
          'action',
          'before',
          'after',
          'diff',
          'rationale',
          'requiresApproval',
          'applicable',
          'risk',
          'dependsOn',
        ]),
      );
    }
  });

  it('keeps plans with a declared widening propose-only unless --allow-widening names their class', async () => {
    const applicable = async (args: string[]) => {
      const cli = captureIo();
      expect(await main(['plan', '--snapshot', ESTATE, '--output', 'json', ...args], cli.io)).toBe(0);
      const { plans } = JSON.parse(cli.out()) as { plans: Array<{ resourceArn: string; applicable: boolean }> };
      return plans.find((p) => p.resourceArn.endsWith(':role/crossplane-provider-aws'))?.applicable;
    };
    expect(await applicable([])).toBe(false);
    expect(await applicable(['--allow-widening', 'dropped-duplicate'])).toBe(false);
    expect(await applicable(['--allow-widening', 'dropped-duplicate,wildcard-meant'])).toBe(true);
    const bad = captureIo();
    expect(await main(['plan', '--snapshot', ESTATE, '--allow-widening', 'everything'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--allow-widening takes .*wildcard-meant.*"everything"/);
  });

  it("renders the approver's markdown: finding, evidence, diff, proof and risk for each plan", async () => {
    const cli = captureIo();
    await main(['plan', '--snapshot', ESTATE, '--output', 'markdown'], cli.io);
    const text = cli.out();
    const argo = text.slice(text.indexOf('role/argo-workflows`'));
    for (const part of [
      '### Findings',
      '<summary>Evidence</summary>',
      '### Change',
      '```diff',
      '### Proof',
      '| request | before | after | why |',
      '### Risk',
    ]) {
      expect(argo).toContain(part);
    }
  });

  it('shows policy text containing HTML or script as text', async () => {
    // Given a role whose broken trust policy carries markup in its Sid and condition value
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const snapshot = {
      schemaVersion: 1,
      partition: 'aws',
      accounts: [
        {
          accountId: '111111111111',
          clusters: [
            {
              name: 'c',
              region: 'us-west-2',
              status: 'ACTIVE',
              oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
            },
          ],
          oidcProviders: [],
          roles: [
            {
              arn: 'arn:aws:iam::111111111111:role/r',
              name: 'r',
              trustPolicy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: evil,
                    Effect: 'Allow',
                    Principal: {
                      Federated:
                        'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF',
                    },
                    Action: 'sts:AssumeRole',
                    Condition: {
                      StringEquals: {
                        'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF:sub': `system:serviceaccount:a:${evil}`,
                      },
                    },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    // When the approver's markdown is rendered
    const cli = captureIo(JSON.stringify(snapshot));
    expect(await main(['plan', '--snapshot', '-', '--output', 'markdown'], cli.io)).toBe(0);
    // Then the markup appears only inside code blocks or escaped, never as live HTML
    const outsideCode = cli
      .out()
      .replace(/(`{3,})[\s\S]*?\1/g, '')
      .replace(/`[^`\n]*`/g, '');
    expect(outsideCode).not.toMatch(/(?<!\\)<(script|img)/i); // a backslash-escaped \< is text in Markdown
    expect(cli.out()).toContain('alert(1)');
  });

  it('fails with exit 2 on a bad snapshot, like analyze', async () => {
    const cli = captureIo();
    expect(await main(['plan', '--snapshot', join(dir, 'nope.json')], cli.io)).toBe(2);
    expect(cli.err()).toMatch(/cannot read snapshot/);
  });
});

describe('irsa-doctor rules', () => {
  it('lists every rule', async () => {
    const cli = captureIo();
    expect(await main(['rules', '--output', 'json'], cli.io)).toBe(0);
    expect(JSON.parse(cli.out()).rules.map((r: { id: string }) => r.id)).toContain('IRSA-021');
  });
});

describe('the development launcher', () => {
  // bin/irsa-doctor.cjs runs the build in dist/; the package integration test (test/integ/cli/package.integ.ts) runs it
  // installed from the packed tarball. Here the development launcher, which runs these sources through tsx.
  it('runs from scripts/dev-cli.cjs in a process, with the same exit codes', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [
      join(ROOT, 'scripts/dev-cli.cjs'),
      'analyze',
      '--snapshot',
      ESTATE,
      '--output',
      'json',
    ]);
    expect(JSON.parse(ok.stdout).summary.accounts).toBe(4);
    await expect(
      run(process.execPath, [join(ROOT, 'scripts/dev-cli.cjs'), 'analyze', '--snapshot', ESTATE, '--fail-on', 'high']),
    ).rejects.toMatchObject({ code: 1 });
    await expect(
      run(process.execPath, [join(ROOT, 'scripts/dev-cli.cjs'), 'analyze', '--snapshot', join(dir, 'nope.json')]),
    ).rejects.toMatchObject({ code: 2 });
  });
});

describe('irsa-doctor scan: bad usage is refused before any AWS call', () => {
  // Any AWS call would go to a closed port and fail differently; each case must stop at its own message.
  const run = async (...args: string[]) => {
    const { io, err } = captureIo('', { env: {} });
    const code = await main(['scan', '--endpoint-url', 'http://127.0.0.1:9', '--max-attempts', '1', ...args], io);
    return { code, err: err() };
  };

  it.each([
    [['--regions', 'us-west-2,uswest2'], /--regions .* not regions: "uswest2"/],
    [['--regions', ','], /--regions .* got none/],
    [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 64; got "0"/],
    [['--max-attempts', 'lots'], /--max-attempts must be a whole number from 1 to 20; got "lots"/],
    [['--output', 'xml'], /Allowed choices are table, json, yaml, text, markdown, sarif, junit, asff/],
  ])('%j', async (args, message) => {
    const { code, err } = await run(...(args as string[]));
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('names a bad --endpoint-url', async () => {
    const { io, err } = captureIo('', { env: {} });
    expect(await main(['scan', '--endpoint-url', 'localhost:4566'], io)).toBe(2);
    expect(err()).toMatch(/--endpoint-url must be an http\(s\) URL; got "localhost:4566"/);
  });
});
