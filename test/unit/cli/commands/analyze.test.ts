import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { main } from '../../../../cli/main';
import { TOOL_VERSION } from '../../../../cli/version';
import { captureIo } from '../../../support/cli-io';

const ESTATE = join(__dirname, '../../../../examples/estate.json');

describe('analyze and plan render through the report module', () => {
  it.each([
    ['json', (out: string) => JSON.parse(out)],
    ['yaml', (out: string) => parseYaml(out)],
  ])('analyze --output %s carries the tool version, the time and the collection status', async (format, parse) => {
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--output', format], cli.io)).toBe(0);
    const report = parse(cli.out());
    expect(report.toolVersion).toBe(TOOL_VERSION);
    expect(Date.parse(report.generatedAt)).not.toBeNaN();
    expect(report.command).toBe('analyze');
    expect(report.collection.accounts.unreachable).toBe(1);
    expect(report.findings).toHaveLength(44);
  });

  it('analyze --output sarif points results at the snapshot file; --fail-on still sets the exit code', async () => {
    const cli = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--output', 'sarif', '--fail-on', 'critical'], cli.io)).toBe(1);
    const log = JSON.parse(cli.out());
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results).toHaveLength(44);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /examples\/estate\.json$/,
    );
  });

  it('analyze of stdin in SARIF has no physical location', async () => {
    const { readFileSync } = await import('node:fs');
    const cli = captureIo(readFileSync(ESTATE, 'utf8'));
    expect(await main(['analyze', '--snapshot', '-', '--output', 'sarif'], cli.io)).toBe(0);
    expect(JSON.parse(cli.out()).runs[0].results[0].locations[0].physicalLocation).toBeUndefined();
  });

  it('analyze --output junit and --format text', async () => {
    const junit = captureIo();
    await main(['analyze', '--snapshot', ESTATE, '--output', 'junit'], junit.io);
    expect(junit.out()).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    const text = captureIo();
    await main(['analyze', '--snapshot', ESTATE, '--output', 'text'], text.io);
    expect(text.out().trimEnd().split('\n')).toHaveLength(44);
  });

  it('analyze --output asff writes a BatchImportFindings body, one finding per open finding', async () => {
    const asff = captureIo();
    expect(await main(['analyze', '--snapshot', ESTATE, '--output', 'asff'], asff.io)).toBe(0);
    const body = JSON.parse(asff.out()) as { Findings: { Workflow: { Status: string } }[] };
    expect(body.Findings).toHaveLength(44);
    expect(body.Findings.every((f) => f.Workflow.Status === 'NEW')).toBe(true);
  });

  it('plan --output yaml and text; sarif, junit and asff are refused with exit 2', async () => {
    const yaml = captureIo();
    expect(await main(['plan', '--snapshot', ESTATE, '--output', 'yaml'], yaml.io)).toBe(0);
    expect(parseYaml(yaml.out()).command).toBe('plan');
    const text = captureIo();
    expect(await main(['plan', '--snapshot', ESTATE, '--output', 'text'], text.io)).toBe(0);
    expect(text.out()).toMatch(/^PLAN\t/);
    for (const format of ['sarif', 'junit', 'asff']) {
      const cli = captureIo();
      expect(await main(['plan', '--snapshot', ESTATE, '--output', format], cli.io)).toBe(2);
      expect(cli.out()).toBe('');
      expect(cli.err()).toMatch(/table, json, yaml, text, markdown/);
    }
  });
});
