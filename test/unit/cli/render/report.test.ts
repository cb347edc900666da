import { parse as parseYaml } from 'yaml';
import { generateEstate } from '../../../../bench/estate-generator';
import {
  findingsEnvelope,
  jsonEnvelopeChunks,
  plansEnvelope,
  renderFindingsReport,
  renderPlansReport,
  renderPlansReportChunks,
} from '../../../../cli/render/report';
import type { AnalysisResult } from '../../../../lambdas/domain/finding';
import { planShard } from '../../../../lambdas/domain/plan/plan-estate';
import { RULE_CATALOG } from '../../../../lambdas/domain/rules/catalog';
import { UsageError } from '../../../../lambdas/shared/errors';
import { findingsSchemaProblems } from '../../../../lambdas/shared/schemas';
import {
  analyzed,
  EMPTY_ESTATE,
  exampleEstate,
  HOSTILE,
  hostileFindings,
  reportContext,
  withSuppressed,
} from '../../../support/report-fixture';

const snapshot = exampleEstate();
const result = analyzed(snapshot);
const ctx = reportContext(snapshot, { snapshotFile: 'examples/estate.json' });

describe('renderFindingsReport json and yaml: one envelope', () => {
  it('carries the tool version, the time, the collection status, the counts, each rule and the findings', () => {
    const json = JSON.parse(renderFindingsReport(withSuppressed(result, 2), 'json', ctx));
    expect(json.toolVersion).toBe('1.2.3');
    expect(json.generatedAt).toBe('2026-11-30T12:00:00.000Z');
    expect(json.command).toBe('analyze');
    expect(json.collection.accounts).toEqual({ total: 4, complete: 2, partial: 1, unreachable: 1 });
    expect(json.collection.clusters.kubernetes.notRead).toBe(json.collection.clusters.total);
    expect(json.collection.incompleteAccounts.map((a: { accountId: string }) => a.accountId).sort()).toEqual([
      '333333333333',
      '444444444444',
    ]);
    expect(json.summary).toMatchObject({ accounts: 4, openFindings: 42, suppressedFindings: 2 });
    expect(json.rules).toHaveLength(RULE_CATALOG.size);
    expect(json.rules.find((r: { id: string }) => r.id === 'IRSA-001')).toMatchObject({ status: 'failed', open: 3 });
    expect(json.rules.some((r: { status: string }) => r.status === 'passed')).toBe(true);
    expect(json.findings).toHaveLength(44);
  });

  it('validates against the published findings schema (schema/findings.v1.schema.json)', () => {
    const json = JSON.parse(renderFindingsReport(withSuppressed(result, 2), 'json', ctx));
    expect(findingsSchemaProblems(json)).toEqual([]);
    expect(findingsSchemaProblems({ ...json, extra: 1 })).not.toEqual([]);
  });

  it('YAML is the same document as the JSON', () => {
    const yaml = renderFindingsReport(result, 'yaml', ctx);
    expect(parseYaml(yaml)).toEqual(JSON.parse(renderFindingsReport(result, 'json', ctx)));
    expect(yaml).not.toMatch(/[&*]a\d+\b/); // no anchors or aliases for repeated objects
  });

  it('YAML keeps hostile names as data (parsed back unchanged)', () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const back = parseYaml(renderFindingsReport(hostile, 'yaml', ctx));
    expect(back.findings[0].title).toBe(hostile.findings[0]?.title);
  });

  it('an empty estate gives an empty list, zero counts and every rule passed', () => {
    const empty = reportContext(EMPTY_ESTATE);
    const json = JSON.parse(renderFindingsReport(analyzed(EMPTY_ESTATE), 'json', empty));
    expect(json.findings).toEqual([]);
    expect(json.summary.openFindings).toBe(0);
    expect(json.rules.every((r: { status: string }) => r.status === 'passed')).toBe(true);
    expect(findingsSchemaProblems(json)).toEqual([]);
  });
});

describe('renderFindingsReport text', () => {
  it('is one tab-separated line per finding, 12 columns, "None" for absent values', () => {
    const lines = renderFindingsReport(withSuppressed(result, 1), 'text', ctx).trimEnd().split('\n');
    expect(lines).toHaveLength(44);
    for (const line of lines) expect(line.split('\t')).toHaveLength(12);
    const [type, severity, ruleId, status, accountId, region, cluster] = lines[0]?.split('\t') ?? [];
    expect([type, status]).toEqual(['FINDING', 'suppressed']);
    expect(severity).toBe(result.findings[0]?.severity);
    expect(ruleId).toBe(result.findings[0]?.ruleId);
    expect(accountId).toBe(result.findings[0]?.accountId);
    expect(region).toBe(result.findings[0]?.region ?? 'None');
    expect(cluster).toBe(result.findings[0]?.cluster ?? 'None');
  });

  it('keeps one record per line with hostile names: tabs, newlines and escapes made visible', () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const lines = renderFindingsReport(hostile, 'text', ctx).trimEnd().split('\n');
    expect(lines).toHaveLength(44);
    for (const line of lines) expect(line.split('\t')).toHaveLength(12);
    expect(lines[0]).toContain('evil\\e[31m\\u{202e}override');
    expect(lines[0]).not.toContain('\u001b');
  });

  it('prints nothing for no findings', () => {
    expect(renderFindingsReport(analyzed(EMPTY_ESTATE), 'text', reportContext(EMPTY_ESTATE))).toBe('');
  });
});

describe('renderFindingsReport table and markdown', () => {
  it('table is the terminal table, in colour only when the terminal has it', () => {
    expect(renderFindingsReport(result, 'table', ctx)).toMatch(/^IRSA Doctor: 4 account\(s\)/);
    expect(renderFindingsReport(result, 'table', ctx)).not.toContain('\u001b[');
    const colour = reportContext(snapshot, { terminal: { color: true, width: 100 } });
    expect(renderFindingsReport(result, 'table', colour)).toContain('\u001b[');
  });

  it('markdown is cut to a comment, except when written to a file', () => {
    const huge = generateEstate({ accounts: 30, rolesPerAccount: 60, clustersPerAccount: 3, regions: ['us-west-2'] });
    const big = analyzed(huge);
    const shown = renderFindingsReport(big, 'markdown', reportContext(huge));
    const toFile = renderFindingsReport(big, 'markdown', reportContext(huge, { toFile: true }));
    expect(shown.length).toBeLessThanOrEqual(65_536);
    expect(shown).toContain('Cut to fit');
    expect(toFile.length).toBeGreaterThan(65_536);
    expect(toFile).not.toContain('Cut to fit');
    expect(toFile).toContain('<details><summary>Evidence</summary>');
    expect(shown).not.toContain('<details><summary>Evidence</summary>');
  });
});

describe('renderPlansReport', () => {
  const planned = planShard(snapshot, { record: () => true, plan: () => true });
  const planCtx = reportContext(snapshot, { command: 'plan' });

  it('json is the envelope with the plans and the planning findings, written piece by piece', () => {
    const chunks = [...renderPlansReportChunks(planned, 'json', planCtx)];
    expect(chunks.length).toBeGreaterThan(planned.plans.length);
    const text = chunks.join('');
    expect(text).toBe(`${JSON.stringify(plansEnvelope(planned, planCtx), null, 2)}\n`);
    const json = JSON.parse(text);
    expect(json).toMatchObject({ toolVersion: '1.2.3', command: 'plan' });
    expect(json.plans).toHaveLength(planned.plans.length);
    expect(json.summary.plans).toBe(planned.plans.length);
    expect(json.collection.accounts.unreachable).toBe(1);
  });

  it('yaml parses to the json; text is one PLAN line per plan', () => {
    expect(parseYaml(renderPlansReport(planned, 'yaml', planCtx))).toEqual(
      JSON.parse(renderPlansReport(planned, 'json', planCtx)),
    );
    const lines = renderPlansReport(planned, 'text', planCtx).trimEnd().split('\n');
    const plans = lines.filter((l) => l.startsWith('PLAN\t'));
    expect(plans).toHaveLength(planned.plans.length);
    for (const l of plans) expect(l.split('\t')).toHaveLength(11);
  });

  it('table and markdown are the plan table and the plan markdown', () => {
    expect(renderPlansReport(planned, 'table', planCtx)).toMatch(/^IRSA Doctor: \d+ plan\(s\)/);
    expect(renderPlansReport(planned, 'markdown', { ...planCtx, toFile: true })).toMatch(/^# IRSA Doctor: fix plans/);
  });

  it('refuses sarif, junit and asff with a usage error that points at analyze', () => {
    for (const format of ['sarif', 'junit', 'asff'] as const) {
      expect(() => renderPlansReport(planned, format, planCtx)).toThrow(UsageError);
      expect(() => renderPlansReport(planned, format, planCtx)).toThrow(`irsa-doctor analyze --output ${format}`);
    }
  });
});

describe('jsonEnvelopeChunks', () => {
  it('is JSON.stringify(…, null, 2) byte for byte, with empty lists and awkward text', () => {
    const head = { a: 1, b: { c: 'two\nlines "quoted"' } };
    for (const lists of [[['x', []] as const], [['x', [{ y: 1 }, 'z\n"']] as const, ['w', []] as const]]) {
      const whole = { ...head, ...Object.fromEntries(lists.map(([k, v]) => [k, v])) };
      expect([...jsonEnvelopeChunks(head, lists)].join('')).toBe(`${JSON.stringify(whole, null, 2)}\n`);
    }
    expect([...jsonEnvelopeChunks({}, [['x', [1]]])].join('')).toBe(`${JSON.stringify({ x: [1] }, null, 2)}\n`);
  });
});

describe('findingsEnvelope', () => {
  it('survives hostile names as data (JSON round trip)', () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const back = JSON.parse(JSON.stringify(findingsEnvelope(hostile, ctx)));
    expect(back.findings[0].message).toContain(HOSTILE);
  });
});
