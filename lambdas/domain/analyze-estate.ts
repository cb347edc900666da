import { EstateIndex } from './estate-index';
import { type AnalysisResult, type Finding, SEVERITIES, type Severity, severityRank } from './finding';
import { AnalysisContext, type AnalysisOptions } from './rules/context';
import { runRules } from './rules/index';
import type { EstateSnapshot } from './snapshot';

export type { AnalysisOptions } from './rules/context';

/**
 * Analyzes a validated estate snapshot and returns every finding, worst first. Pure and total: whatever the
 * trust policies contain, it returns findings rather than throwing.
 */
export function analyzeEstate(snapshot: EstateSnapshot, options: AnalysisOptions = {}): AnalysisResult {
  const index = new EstateIndex(snapshot);
  const ctx = new AnalysisContext(index, options);
  runRules(ctx);
  const findings = ctx.findings().sort(compareFindings);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  return {
    findings,
    summary: {
      accounts: index.accounts.size,
      clusters: snapshot.accounts.reduce((n, a) => n + a.clusters.length, 0),
      oidcProviders: index.providersByArn.size,
      roles: index.roles.length,
      irsaRoles: ctx.irsaRoles,
      findingsBySeverity: bySeverity,
    },
  };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    a.accountId.localeCompare(b.accountId) ||
    (a.cluster ?? '').localeCompare(b.cluster ?? '') ||
    a.resourceArn.localeCompare(b.resourceArn) ||
    a.ruleId.localeCompare(b.ruleId) ||
    a.id.localeCompare(b.id)
  );
}
