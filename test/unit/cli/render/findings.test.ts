import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { main } from '../../../../cli/main';
import { renderFindingsTable } from '../../../../cli/render/findings';
import type { Terminal } from '../../../../cli/render/terminal';
import { displayWidth } from '../../../../cli/render/wrap-text';
import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import type { AnalysisResult, Finding } from '../../../../lambdas/domain/finding';
import { captureIo } from '../../../support/cli-io';

const ESTATE = join(__dirname, '../../../../examples/estate.json');
const result = analyzeEstate(JSON.parse(readFileSync(ESTATE, 'utf8')));
const lines = (text: string) => text.trimEnd().split('\n');
/** The text with each line break and the indentation after it taken out: a value broken over lines is whole again. */
const joined = (text: string) => stripVTControlCharacters(text).replace(/\n */g, '');

describe('renderFindingsTable (the example estate)', () => {
  it.each([40, 80, 200])('fits every line in %i columns, without colour, and loses no ARN or rule', (width) => {
    const text = renderFindingsTable(result, { color: false, width });
    expect(text).not.toContain('\u001b');
    for (const line of lines(text)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    const whole = joined(text);
    for (const f of result.findings) {
      expect(whole).toContain(f.resourceArn);
      expect(whole).toContain(f.ruleId);
    }
  });

  it('wraps less the wider the terminal', () => {
    const count = (width: number) => lines(renderFindingsTable(result, { color: false, width })).length;
    expect(count(40)).toBeGreaterThan(count(80));
    expect(count(80)).toBeGreaterThan(count(200));
  });

  it('colours with colour on, and the codes take no columns', () => {
    const width = 80;
    const coloured = renderFindingsTable(result, { color: true, width });
    expect(coloured).toContain('\u001b[1m\u001b[35mCRITICAL');
    expect(stripVTControlCharacters(coloured)).toBe(renderFindingsTable(result, { color: false, width }));
  });

  it('keeps the severity column and indents continuation lines under the rule id', () => {
    const text = renderFindingsTable(result, { color: false, width: 60 });
    expect(text).toMatch(/\n {4}CRITICAL IRSA-\d{3} {2}/);
    const detail = lines(text).filter((l) => /^ {5}/.test(l));
    expect(detail.length).toBeGreaterThan(result.findings.length);
    expect(detail.every((l) => /^ {13}\S/.test(l))).toBe(true);
  });
});

describe('renderFindingsTable (hostile and wide names)', () => {
  const base = result.findings[0] as Finding;
  const hostile = (over: Partial<Finding>): AnalysisResult => ({
    summary: result.summary,
    findings: [{ ...base, ...over } as Finding],
  });

  it('shows escape sequences and bidi overrides in names as visible escapes, at any width', () => {
    const evil = hostile({
      accountId: '111111111111\u001b[2J',
      cluster: 'prod\u001b]0;pwned\u0007',
      region: 'us-west-2\u202e',
      title: 'title \u2066isolated\u2069',
      resourceArn: 'arn:aws:iam::111111111111:role/\u001b[31mred\u202eevil',
    });
    for (const terminal of [
      { color: false, width: 40 },
      { color: true, width: 200 },
    ] satisfies Terminal[]) {
      const text = stripVTControlCharacters(renderFindingsTable(evil, terminal));
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e\u2066\u2069]/);
      const whole = joined(renderFindingsTable(evil, terminal));
      expect(whole).toContain('111111111111\\e[2J');
      expect(whole).toContain('prod\\e]0;pwned\\x07');
      expect(whole).toContain('role/\\e[31mred\\u{202e}evil');
    }
    // With colour, the only escape sequences are the renderer's own SGR codes.
    const coloured = renderFindingsTable(evil, { color: true, width: 80 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape sequences is the point
    expect(coloured.replace(/\u001b\[\d+m/g, '')).not.toContain('\u001b');
  });

  it('wraps a CJK cluster name by its columns', () => {
    const name = '本番クラスタ東京リージョンの長い名前です';
    const text = renderFindingsTable(hostile({ cluster: name, region: 'ap-northeast-1' }), { color: false, width: 40 });
    for (const line of lines(text)) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(text).toContain('  Cluster 本番クラスタ東京リージョンの長');
    expect(joined(text)).toContain(`Cluster ${name} (ap-northeast-1)`);
  });
});

describe('irsa-doctor analyze at a terminal', () => {
  it('colours with FORCE_COLOR in a pipe, and not with --no-color', async () => {
    const forced = captureIo('', { env: { FORCE_COLOR: '1' } });
    await main(['analyze', '--snapshot', ESTATE], forced.io);
    expect(forced.out()).toContain('\u001b[');
    const off = captureIo('', { tty: true, env: { FORCE_COLOR: '0' } });
    await main(['analyze', '--snapshot', ESTATE], off.io);
    expect(off.out()).not.toContain('\u001b[');
  });

  it('wraps to COLUMNS when stdout is not a terminal', async () => {
    const cli = captureIo('', { env: { COLUMNS: '60' } });
    await main(['analyze', '--snapshot', ESTATE], cli.io);
    const out = lines(cli.out());
    expect(Math.max(...out.map(displayWidth))).toBeLessThanOrEqual(60);
    expect(Math.max(...out.map(displayWidth))).toBeGreaterThan(50);
  });
});
