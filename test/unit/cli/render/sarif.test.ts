import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { renderFindingsReport } from '../../../../cli/render/report';
import { renderSarif, ruleName, SARIF_SCHEMA_URI, sarifLevel } from '../../../../cli/render/sarif';
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

/** The OASIS SARIF 2.1.0 schema (errata 01), draft-04: validated with ajv's draft-04 class. */
const schema = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/schemas/sarif-schema-2.1.0.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
// The schema's three formats, checked rather than ignored.
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(s));
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addFormat('uri-reference', (s: string) => URL.canParse(s, 'https://base.invalid/'));
const validate = ajv.compile(schema);

function expectValid(log: unknown) {
  const ok = validate(JSON.parse(JSON.stringify(log)));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
}

describe('renderSarif', () => {
  const snapshot = exampleEstate();
  const result = analyzed(snapshot);
  const ctx = reportContext(snapshot, { snapshotFile: 'examples/estate.json' });

  it('is a SARIF 2.1.0 log valid against the published schema, one result per finding', () => {
    const log = renderSarif(result, ctx);
    expectValid(log);
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.runs[0]?.results).toHaveLength(result.findings.length);
    expect(result.findings.length).toBe(44);
  });

  it('describes every rule of the catalog with its metadata, and each result points at its rule', () => {
    const run = renderSarif(result, ctx).runs[0];
    if (!run) throw new Error('no run');
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual([...RULE_CATALOG.keys()]);
    const irsa001 = rules.find((r) => r.id === 'IRSA-001');
    const meta = RULE_CATALOG.get('IRSA-001');
    expect(irsa001?.shortDescription.text).toBe(meta?.title);
    expect(irsa001?.fullDescription.text).toBe(meta?.explanation);
    expect(irsa001?.help.text).toContain(`Fix: ${meta?.remediation}`);
    expect(irsa001?.defaultConfiguration.level).toBe('error');
    expect(irsa001?.properties['security-severity']).toBe('9.5');
    expect(irsa001?.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
    expect(run.tool.driver.version).toBe('1.2.3');
    for (const r of run.results) {
      expect(rules[r.ruleIndex ?? -1]?.id).toBe(r.ruleId);
    }
  });

  it('gives each result the resource as logical locations, and the snapshot file as its physical location', () => {
    const run = renderSarif(result, ctx).runs[0];
    const clusterResult = run?.results.find((r) => r.properties.cluster !== undefined);
    const location = clusterResult?.locations[0];
    expect(location?.physicalLocation?.artifactLocation.uri).toBe('examples/estate.json');
    const kinds = location?.logicalLocations.map((l) => l.kind);
    expect(kinds).toEqual(expect.arrayContaining(['namespace', 'module', 'resource']));
    expect(location?.logicalLocations.at(-1)?.fullyQualifiedName).toMatch(/^arn:aws:iam::/);
  });

  it('gives no physical location when there is no snapshot file (stdin): never an invented one', () => {
    const log = renderSarif(result, reportContext(snapshot));
    expectValid(log);
    expect(log.runs[0]?.results.every((r) => r.locations[0]?.physicalLocation === undefined)).toBe(true);
  });

  it('has fingerprints that stay the same across runs and differ between findings', () => {
    const a = renderSarif(result, ctx).runs[0]?.results.map((r) => r.partialFingerprints['irsaDoctorFinding/v1']);
    const later = reportContext(snapshot, { generatedAt: '2027-01-01T00:00:00.000Z', toolVersion: '9.9.9' });
    const b = renderSarif(analyzed(exampleEstate()), later).runs[0]?.results.map(
      (r) => r.partialFingerprints['irsaDoctorFinding/v1'],
    );
    expect(b).toEqual(a);
    expect(new Set(a).size).toBe(a?.length);
  });

  it('records suppressed findings as accepted external suppressions', () => {
    const log = renderSarif(withSuppressed(result, 3), ctx);
    expectValid(log);
    const suppressed = log.runs[0]?.results.filter((r) => r.suppressions !== undefined) ?? [];
    expect(suppressed).toHaveLength(3);
    expect(suppressed[0]?.suppressions?.[0]).toMatchObject({ kind: 'external', status: 'accepted' });
    expect(suppressed[0]?.suppressions?.[0]?.justification).toContain('mute-0');
  });

  it('warns of the accounts not read completely', () => {
    const notes = renderSarif(result, ctx).runs[0]?.invocations[0]?.toolExecutionNotifications ?? [];
    expect(notes.map((n) => n.message.text).join('\n')).toMatch(/account 444444444444 was unreachable/);
    expect(notes.map((n) => n.message.text).join('\n')).toMatch(/account 333333333333 was read only in part/);
  });

  it('stays valid JSON and valid SARIF with hostile names, keeping them as data', () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const text = renderFindingsReport(
      hostile,
      'sarif',
      reportContext(snapshot, { snapshotFile: `dir/${HOSTILE}.json` }),
    );
    const log = JSON.parse(text);
    expectValid(log);
    const message: string = log.runs[0].results[0].message.text;
    expect(message).toContain('evil\\e[31m\\u{202e}override');
    for (const raw of ['\u001b', '\u202e', '\u2066']) expect(message).not.toContain(raw);
    const logical = log.runs[0].results[0].locations[0].logicalLocations.at(-1).fullyQualifiedName;
    expect(logical).toContain(HOSTILE);
    const uri: string = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    expect(uri).not.toMatch(/\s/);
    expect(uri).toContain('%1B');
  });

  it('is valid with no findings: every rule still described', () => {
    const log = renderSarif(analyzed(EMPTY_ESTATE), reportContext(EMPTY_ESTATE));
    expectValid(log);
    expect(log.runs[0]?.results).toEqual([]);
    expect(log.runs[0]?.tool.driver.rules.length).toBe(RULE_CATALOG.size);
  });

  it('the schema check can fail: a result without a message is refused', () => {
    const log = renderSarif(result, ctx) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    delete log.runs[0]?.results[0]?.message;
    expect(validate(JSON.parse(JSON.stringify(log)))).toBe(false);
  });
});

describe('sarifLevel and ruleName', () => {
  it('maps severities to levels', () => {
    expect(['critical', 'high', 'medium', 'low', 'info'].map((s) => sarifLevel(s as never))).toEqual([
      'error',
      'error',
      'warning',
      'note',
      'note',
    ]);
  });

  it('makes a PascalCase identifier of a title', () => {
    expect(ruleName('No IAM OIDC provider for the cluster issuer')).toBe('NoIamOidcProviderForTheClusterIssuer');
    expect(ruleName("Role's :sub (a/b) wildcard")).toBe('RoleSSubABWildcard');
  });
});
