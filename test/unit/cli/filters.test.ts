import { join } from 'node:path';
import {
  filterAnalysis,
  filterPlanResult,
  findingNamespace,
  keepsEverything,
  parseFindingFilter,
  parseSeverityFilter,
} from '../../../cli/filters';
import { readSnapshot } from '../../../cli/io';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { AnalysisResult } from '../../../lambdas/domain/finding';
import { planShard } from '../../../lambdas/domain/plan/plan-estate';
import { captureIo } from '../../support/cli-io';

const ESTATE = join(__dirname, '../../../examples/estate.json');
let analysis: AnalysisResult;
beforeAll(async () => {
  analysis = analyzeEstate(await readSnapshot(ESTATE, captureIo().io));
});

describe('parseFindingFilter', () => {
  it('reads one severity as a minimum and several as exactly those, in any case', () => {
    expect([...parseSeverityFilter(['HIGH'])]).toEqual(['critical', 'high']);
    expect([...parseSeverityFilter(['high,Low'])]).toEqual(['high', 'low']);
    expect([...parseSeverityFilter(['medium', 'info'])]).toEqual(['medium', 'info']);
  });

  it('splits comma-separated and repeated values, upper-cases rule ids', () => {
    const filter = parseFindingFilter({
      rule: ['irsa-021, IRSA-015', 'pi-050'],
      account: ['111111111111,222222222222'],
      cluster: ['prod', 'staging'],
      namespace: ['kube-system'],
    });
    expect([...(filter.rules ?? [])]).toEqual(['IRSA-021', 'IRSA-015', 'PI-050']);
    expect([...(filter.accounts ?? [])]).toEqual(['111111111111', '222222222222']);
    expect([...(filter.clusters ?? [])]).toEqual(['prod', 'staging']);
    expect(keepsEverything(filter)).toBe(false);
    expect(keepsEverything(parseFindingFilter({}))).toBe(true);
  });

  it.each([
    [{ severity: ['severe'] }, /--severity: "severe" is not a severity; use one of critical, high, medium, low, info/],
    [{ rule: ['IRSA-21'] }, /--rule: not rule ids: "IRSA-21"/],
    [{ account: ['1234'] }, /--account: not 12-digit account ids: "1234"/],
  ])('refuses %j', (options, message) => {
    expect(() => parseFindingFilter(options)).toThrow(message);
  });
});

describe('filterAnalysis', () => {
  it('keeps the findings matching every filter given and recounts the summary', () => {
    const filtered = filterAnalysis(
      analysis,
      parseFindingFilter({ severity: ['high'], account: ['111111111111'], cluster: ['prod'] }),
    );
    expect(filtered.findings.length).toBeGreaterThan(0);
    expect(filtered.findings.length).toBeLessThan(analysis.findings.length);
    for (const f of filtered.findings) {
      expect(['critical', 'high']).toContain(f.severity);
      expect(f.accountId).toBe('111111111111');
      expect(f.cluster).toBe('prod');
    }
    const counts = filtered.summary.findingsBySeverity;
    expect(counts.critical + counts.high).toBe(filtered.findings.length);
    expect(counts.medium + counts.low + counts.info).toBe(0);
    expect(filtered.summary.roles).toBe(analysis.summary.roles);
  });

  it('finds the namespace of service-account and Pod Identity findings', () => {
    const kept = filterAnalysis(analysis, parseFindingFilter({ namespace: ['kube-system', 'apps'] })).findings;
    expect(kept.map((f) => f.ruleId).sort()).toEqual(['IRSA-031', 'IRSA-038', 'PI-050', 'PI-056']);
    expect(new Set(kept.map(findingNamespace))).toEqual(new Set(['kube-system', 'apps']));
  });

  it('returns the same result when no filter is given', () => {
    expect(filterAnalysis(analysis, {})).toBe(analysis);
  });
});

describe('filterPlanResult', () => {
  it('keeps the plans fixing a kept finding, with the plans they depend on', async () => {
    const snapshot = await readSnapshot(ESTATE, captureIo().io);
    const planned = planShard(snapshot, { record: () => true, plan: () => true });
    const filter = parseFindingFilter({ account: ['222222222222'] });
    const filtered = filterPlanResult(planned, filter);
    const kept = new Set(filtered.analysis.findings.map((f) => f.id));
    const ids = new Set(filtered.plans.map((p) => p.id));
    expect(filtered.plans.length).toBeGreaterThan(0);
    expect(filtered.plans.length).toBeLessThan(planned.plans.length);
    for (const p of filtered.plans) {
      const fixesKept = p.findingIds.some((id) => kept.has(id));
      const neededByKept = filtered.plans.some((q) => q.dependsOn.includes(p.id));
      expect(fixesKept || neededByKept).toBe(true);
      for (const d of p.dependsOn) expect(ids.has(d)).toBe(true);
    }
    // Every plan of the whole result that fixes a kept finding is there.
    for (const p of planned.plans) if (p.findingIds.some((id) => kept.has(id))) expect(ids.has(p.id)).toBe(true);
  });
});
