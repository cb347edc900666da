import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { attr, renderJunit, text } from '../../../../cli/render/junit';
import type { AnalysisResult } from '../../../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../../../lambdas/domain/rules/catalog';
import {
  analyzed,
  EMPTY_ESTATE,
  exampleEstate,
  HOSTILE,
  hostileFindings,
  reportContext,
  withSuppressed,
} from '../../../support/report-fixture';

/** The Jenkins xunit plugin's JUnit schema, checked with libxml2's xmllint (WebAssembly). */
const XSD = readFileSync(join(__dirname, '../../../fixtures/schemas/junit-10.xsd'), 'utf8');

async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: XSD }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

const count = (xml: string, pattern: RegExp) => xml.match(pattern)?.length ?? 0;

describe('renderJunit', () => {
  const snapshot = exampleEstate();
  const result = analyzed(snapshot);
  const ctx = reportContext(snapshot);

  it('is valid against the published JUnit schema', async () => {
    expect(await schemaErrors(renderJunit(result, ctx))).toEqual([]);
  });

  it('has one suite per rule, a failure per open finding, a passing case per clean rule', () => {
    const xml = renderJunit(result, ctx);
    const clean = [...RULE_CATALOG.keys()].filter((id) => !result.findings.some((f) => f.ruleId === id));
    expect(count(xml, /<failure /g)).toBe(result.findings.length);
    expect(count(xml, /name="no finding"/g)).toBe(clean.length);
    expect(count(xml, /<testsuite /g)).toBe(RULE_CATALOG.size + 1);
    const first = result.findings[0];
    expect(xml).toContain(`<failure message="${attr(first?.title ?? '')}"`);
    expect(xml).toContain(`Fix: ${text(first?.remediation ?? '')}`);
    expect(xml).toMatch(/<testsuites name="IRSA Doctor 1\.2\.3" tests="\d+" failures="44" errors="2">/);
  });

  it('reports each account not read completely as an error in a "collection" suite', () => {
    const xml = renderJunit(result, ctx);
    expect(xml).toMatch(/<testsuite name="collection" tests="2" failures="0" errors="2"/);
    expect(xml).toContain('name="account 444444444444"');
    expect(xml).toContain('sts:AssumeRole: AccessDenied');
  });

  it('marks suppressed findings skipped, with the suppression, and they are not failures', async () => {
    const xml = renderJunit(withSuppressed(result, 4), ctx);
    expect(count(xml, /<skipped message="suppressed by mute-\d until 2027-01-31/g)).toBe(4);
    expect(count(xml, /<failure /g)).toBe(result.findings.length - 4);
    expect(await schemaErrors(xml)).toEqual([]);
  });

  it('stays well-formed and valid with hostile names: controls, bidi overrides, ]]>, markup, quotes', async () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const xml = renderJunit(withSuppressed(hostile, 2), ctx);
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('<script>');
    for (const raw of ['\u001b', '\u0000', '\u0007', '\u202e', '\u2066', '\ud800']) expect(xml).not.toContain(raw);
    expect(xml).toContain('evil\\e[31m\\u{202e}override');
    expect(xml).toContain('&lt;/summary&gt;&lt;script&gt;');
  });

  it('escapes attribute values so tabs and line breaks survive attribute normalisation', () => {
    expect(attr('a"b\tc\nd\re & <x>')).toBe('a&#34;b\\tc&#10;d\\re &amp; &lt;x&gt;');
    expect(text('a\ufffeb\u0000')).toBe('a\\u{fffe}b\\x00');
    expect(text(`x${HOSTILE}`)).not.toMatch(/[<>]/);
  });

  it('is valid with no findings: every rule passes', async () => {
    const xml = renderJunit(analyzed(EMPTY_ESTATE), reportContext(EMPTY_ESTATE));
    expect(await schemaErrors(xml)).toEqual([]);
    expect(count(xml, /<failure /g)).toBe(0);
    expect(count(xml, /name="no finding"/g)).toBe(RULE_CATALOG.size);
    expect(xml).not.toContain('name="collection"');
  });

  it('the schema check can fail: a testsuite without its counts is refused', async () => {
    const xml = renderJunit(result, ctx).replace(/ failures="\d+" errors="\d+" skipped/, ' skipped');
    expect((await schemaErrors(xml)).length).toBeGreaterThan(0);
  });
});
