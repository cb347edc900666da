import { EstateIndex } from './estate-index';
import { type AnalysisResult, type Finding, SEVERITIES, type Severity, severityRank } from './finding';
import { AnalysisContext, type AnalysisOptions, type RoleAnalysis } from './rules/context';
import { runRules } from './rules/index';
import type { EstateSnapshot } from './snapshot';

export type { AnalysisResult } from './finding';
export type { AnalysisOptions } from './rules/context';

/**
 * What planning reuses of an analysis, in memory (not JSON-able): the index, and the documents read and classified
 * of the roles that have findings on them (only those: memory stays bounded by the roles a plan may touch).
 */
export interface PlanningHandle {
  readonly index: EstateIndex;
  readonly roles: ReadonlyMap<string, Pick<RoleAnalysis, 'read' | 'views'>>;
}

/**
 * Analyzes a validated estate snapshot and returns every finding, worst first. Pure and total: whatever the
 * trust policies contain, it returns findings rather than throwing.
 */
export function analyzeEstate(snapshot: EstateSnapshot, options: AnalysisOptions = {}): AnalysisResult {
  return analyze(snapshot, options).result;
}

/** analyzeEstate, and what planning reuses of it (PlanningHandle). */
export function analyzeForPlanning(
  snapshot: EstateSnapshot,
  options: AnalysisOptions = {},
): { result: AnalysisResult; handle: PlanningHandle } {
  const { result, ctx } = analyze(snapshot, options, true);
  const roles = new Map<string, RoleAnalysis>();
  for (const f of result.findings) {
    const role = f.resourceType === 'role' ? ctx.analysisOf(f.resourceArn) : undefined;
    if (role) roles.set(f.resourceArn, role);
  }
  return { result, handle: { index: ctx.index, roles } };
}

function analyze(snapshot: EstateSnapshot, options: AnalysisOptions, keepForPlanning = false) {
  const index = new EstateIndex(snapshot);
  const ctx = new AnalysisContext(index, options, keepForPlanning);
  runRules(ctx);
  const findings = ctx.findings().sort(compareFindings);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  const result: AnalysisResult = {
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
  return { result, ctx };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.accountId, b.accountId) ||
    compareText(a.cluster ?? '', b.cluster ?? '') ||
    compareText(a.resourceArn, b.resourceArn) ||
    compareText(a.ruleId, b.ruleId) ||
    a.id.localeCompare(b.id)
  );
}

/** localeCompare, without asking ICU about equal strings (most neighbours share account, cluster and often role). */
function compareText(a: string, b: string): number {
  return a === b ? 0 : a.localeCompare(b);
}
