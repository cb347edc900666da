/**
 * `--mutelist FILE` of analyze and plan: a YAML or JSON list of suppressions, validated (each bad entry named, exit
 * 2, nothing printed), applied: covered findings shown as suppressed, not counted as open nor by --fail-on, not
 * planned.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { findingsSchemaProblems } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';

const ESTATE = join(__dirname, '../../../examples/estate.json');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-mutelist-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const FAR = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);

const yaml = file(
  'mutelist.yaml',
  `# accepted for now
- id: orphan-provider
  ruleId: IRSA-005
  reason: decommissioning in Q3
  expiresAt: ${FAR}
- ruleId: IRSA-019
  accountId: "111111111111"
  reason: audience left open on purpose
  expiresAt: ${FAR}
`,
);

interface Out {
  findings: Array<{ id: string; ruleId: string; severity: string; suppressed?: { by: string; reason: string } }>;
  summary: { findingsBySeverity: { low: number } };
}

describe('--mutelist', () => {
  it('analyze shows covered findings as suppressed and counts only open ones', async () => {
    const plain = captureIo();
    await main(['analyze', '--snapshot', ESTATE, '--output', 'json'], plain.io);
    const before = JSON.parse(plain.out()) as Out;
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--output', 'json', '--mutelist', yaml], cli.io)).toBe(0);
    const after = JSON.parse(cli.out()) as Out;
    expect(findingsSchemaProblems(JSON.parse(cli.out()))).toEqual([]);
    const suppressed = after.findings.filter((f) => f.suppressed);
    expect(suppressed.map((f) => f.ruleId).sort()).toEqual(
      before.findings
        .filter((f) => f.ruleId === 'IRSA-005' || f.ruleId === 'IRSA-019')
        .map((f) => f.ruleId)
        .sort(),
    );
    expect(suppressed.find((f) => f.ruleId === 'IRSA-005')?.suppressed).toMatchObject({
      by: 'orphan-provider',
      reason: 'decommissioning in Q3',
    });
    expect(after.findings).toHaveLength(before.findings.length);
    expect(after.summary.findingsBySeverity.low).toBe(before.summary.findingsBySeverity.low - suppressed.length);

    const table = captureIo();
    await main(['analyze', '--snapshot', ESTATE, '--mutelist', yaml], table.io);
    expect(table.out()).toContain('IRSA-005  Orphaned OIDC provider: no cluster has this issuer [suppressed]');
    expect(table.out()).toContain('suppressed by orphan-provider until');
  });

  it('a suppressed finding does not meet --fail-on', async () => {
    const only = file(
      'critical.json',
      JSON.stringify([{ ruleId: 'SWEEP-001', reason: 'account being closed', expiresAt: FAR }]),
    );
    const snapshot = file(
      'unreachable.json',
      JSON.stringify({
        schemaVersion: 1,
        partition: 'aws',
        accounts: [
          {
            accountId: '444444444444',
            clusters: [],
            oidcProviders: [],
            roles: [],
            collection: {
              status: 'unreachable',
              errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'no' }],
            },
          },
        ],
      }),
    );
    expect(await main(['analyze', '--snapshot', snapshot, '--fail-on', 'high'], captureIo().io)).toBe(1);
    expect(
      await main(['analyze', '--snapshot', snapshot, '--fail-on', 'high', '--mutelist', only], captureIo().io),
    ).toBe(0);
  });

  it('plan does not plan suppressed findings', async () => {
    const plain = captureIo();
    await main(['plan', '--snapshot', ESTATE, '--output', 'json'], plain.io);
    const before = JSON.parse(plain.out()) as { plans: Array<{ ruleIds: string[] }> };
    expect(before.plans.some((p) => p.ruleIds.includes('IRSA-005'))).toBe(true);
    const cli = captureIo();
    await main(['plan', '--snapshot', ESTATE, '--output', 'json', '--mutelist', yaml], cli.io);
    const after = JSON.parse(cli.out()) as { plans: Array<{ ruleIds: string[] }> };
    expect(after.plans.some((p) => p.ruleIds.includes('IRSA-005'))).toBe(false);
    expect(after.plans.length).toBeLessThan(before.plans.length);
    const markdown = captureIo();
    await main(['plan', '--snapshot', ESTATE, '--output', 'markdown', '--mutelist', yaml], markdown.io);
    expect(markdown.out()).not.toContain('IRSA-005');
  });

  it('refuses a bad mutelist with exit 2, naming each bad entry, before reading anything else', async () => {
    const bad = file(
      'bad.yaml',
      `- ruleId: IRSA-005
  reason: ok
  expiresAt: ${FAR}
- id: wrong
  ruleId: irsa5
  reason: typo
  expiresAt: ${FAR}
- accountId: "111111111111"
  expiresAt: 2020-01-01
`,
    );
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', 'does-not-exist.json', '--mutelist', bad], cli.io)).toBe(2);
    expect(cli.out()).toBe('');
    expect(cli.err()).toContain(`--mutelist ${bad}: invalid mutelist`);
    expect(cli.err()).toContain('entry 2 (id "wrong"): ruleId "irsa5" is not a rule id');
    expect(cli.err()).toContain('entry 3: reason is required; expiresAt 2020-01-01 is already past');
    expect(cli.err()).not.toContain('entry 1');

    const notYaml = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--mutelist', file('x.yaml', '- [unclosed')], notYaml.io)).toBe(
      2,
    );
    expect(notYaml.err()).toContain('not YAML or JSON');
    const missing = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--mutelist', join(dir, 'nope.yaml')], missing.io)).toBe(2);
    expect(missing.err()).toContain('cannot read it (ENOENT)');
  });
});
