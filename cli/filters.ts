/**
 * The finding filters of analyze, scan and plan: `--severity`, `--rule`, `--account`, `--cluster`, `--namespace`.
 * Pure: parsed from the option values, applied to an AnalysisResult (or a plan result) after the analysis and the
 * mutelist, and before rendering and before --fail-on, so a filtered-out finding neither shows nor fails the run.
 */
import { type AnalysisResult, atLeast, type Finding, SEVERITIES, type Severity } from '../lambdas/domain/finding';
import type { Plan } from '../lambdas/domain/plan/plan-model';
import { UsageError } from '../lambdas/shared/errors';

/** What each filter keeps; an absent field keeps everything. Every present field must match (AND). */
export interface FindingFilter {
  readonly severities?: ReadonlySet<Severity>;
  readonly rules?: ReadonlySet<string>;
  readonly accounts?: ReadonlySet<string>;
  readonly clusters?: ReadonlySet<string>;
  readonly namespaces?: ReadonlySet<string>;
}

/** The raw option values: each repeatable, each value comma-separated. */
export interface FilterOptions {
  readonly severity?: readonly string[];
  readonly rule?: readonly string[];
  readonly account?: readonly string[];
  readonly cluster?: readonly string[];
  readonly namespace?: readonly string[];
}

/** commander's collector for a repeatable, comma-separated option. */
export function collectList(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const split = (values: readonly string[]): string[] =>
  values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A severity in any case (`HIGH`, `High`, `high`); a UsageError naming the flag and the choices otherwise. */
export function parseSeverityValue(value: string, flag: string): Severity {
  const lower = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(lower)) return lower as Severity;
  throw new UsageError(`${flag}: "${value}" is not a severity; use one of ${SEVERITIES.join(', ')} (any case)`);
}

/**
 * One severity is a minimum (`--severity high`: high and critical), as --fail-on; several (`--severity high,low`
 * or the option repeated) are exactly those.
 */
export function parseSeverityFilter(values: readonly string[]): ReadonlySet<Severity> {
  const given = split(values).map((v) => parseSeverityValue(v, '--severity'));
  if (given.length === 1) return new Set(SEVERITIES.filter((s) => atLeast(s, given[0] as Severity)));
  return new Set(given);
}

const ACCOUNT = /^\d{12}$/;
const RULE = /^(IRSA|PI|DOC|SWEEP|KUBE)-\d{3}$/;

/** Reads the option values; a value that cannot match anything (a bad severity, rule id or account id) is refused. */
export function parseFindingFilter(options: FilterOptions): FindingFilter {
  const filter: {
    -readonly [K in keyof FindingFilter]: FindingFilter[K];
  } = {};
  if (options.severity !== undefined) filter.severities = parseSeverityFilter(options.severity);
  if (options.rule !== undefined) {
    const rules = split(options.rule).map((r) => r.toUpperCase());
    const bad = rules.filter((r) => !RULE.test(r));
    if (bad.length > 0) {
      throw new UsageError(
        `--rule: not rule ids: ${bad.map((b) => `"${b}"`).join(', ')} (e.g. IRSA-015; "irsa-doctor rules" lists them)`,
      );
    }
    filter.rules = new Set(rules);
  }
  if (options.account !== undefined) {
    const accounts = split(options.account);
    const bad = accounts.filter((a) => !ACCOUNT.test(a));
    if (bad.length > 0) {
      throw new UsageError(`--account: not 12-digit account ids: ${bad.map((b) => `"${b}"`).join(', ')}`);
    }
    filter.accounts = new Set(accounts);
  }
  if (options.cluster !== undefined) filter.clusters = new Set(split(options.cluster));
  if (options.namespace !== undefined) filter.namespaces = new Set(split(options.namespace));
  return filter;
}

/** Whether the filter keeps everything (no filter option given). */
export function keepsEverything(filter: FindingFilter): boolean {
  return Object.values(filter).every((v) => v === undefined);
}

const within = (set: ReadonlySet<string> | undefined, value: string | undefined): boolean =>
  set === undefined || (value !== undefined && set.has(value));

/**
 * Whether a finding passes: its severity, rule id, account, cluster (name) and Kubernetes namespace (of the object
 * it is about, as a mute's namespace matches) are each in the filter's set, for every set given.
 */
export function keepsFinding(filter: FindingFilter, finding: Finding): boolean {
  return (
    within(filter.severities, finding.severity) &&
    within(filter.rules, finding.ruleId) &&
    within(filter.accounts, finding.accountId) &&
    within(filter.clusters, finding.cluster) &&
    within(filter.namespaces, findingNamespace(finding))
  );
}

const SUBJECT = /^system:serviceaccount:([^:]+):[^:]+$/;

/**
 * The Kubernetes namespace a finding is about: its Kubernetes object's (as a mute matches), else the service account
 * its evidence names (`serviceAccount.namespace`, a Pod Identity `association.namespace`, `namespace`, or the `system:serviceaccount:NS:NAME` subject).
 */
export function findingNamespace(finding: Finding): string | undefined {
  if (finding.kubernetesObject?.namespace !== undefined) return finding.kubernetesObject.namespace;
  const evidence = finding.evidence as unknown as Readonly<Record<string, unknown>>;
  for (const holder of [evidence.serviceAccount, evidence.association]) {
    const namespace =
      typeof holder === 'object' && holder !== null ? (holder as { namespace?: unknown }).namespace : undefined;
    if (typeof namespace === 'string') return namespace;
  }
  if (typeof evidence.namespace === 'string') return evidence.namespace;
  return typeof evidence.subject === 'string' ? SUBJECT.exec(evidence.subject)?.[1] : undefined;
}

/** The analysis with only the findings the filter keeps; the summary counts the open ones kept. */
export function filterAnalysis(result: AnalysisResult, filter: FindingFilter): AnalysisResult {
  if (keepsEverything(filter)) return result;
  const findings = result.findings.filter((f) => keepsFinding(filter, f));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity]++;
  return { findings, summary: { ...result.summary, findingsBySeverity: bySeverity } };
}

/**
 * A plan result filtered by its findings: the analysis filtered as above, and the plans that fix at least one kept
 * finding, with the plans they depend on (a role's fix needs its provider's), so what is shown can still be applied.
 */
export function filterPlanResult<
  R extends {
    readonly plans: readonly Plan[];
    readonly findings: readonly Finding[];
    readonly analysis: AnalysisResult;
  },
>(result: R, filter: FindingFilter): R {
  if (keepsEverything(filter)) return result;
  const analysis = filterAnalysis(result.analysis, filter);
  const kept = new Set(analysis.findings.map((f) => f.id));
  const byId = new Map(result.plans.map((p) => [p.id, p]));
  const wanted = new Set<string>();
  const add = (id: string) => {
    const plan = byId.get(id);
    if (plan === undefined || wanted.has(id)) return;
    wanted.add(id);
    for (const dependency of plan.dependsOn) add(dependency);
  };
  for (const p of result.plans) if (p.findingIds.some((id) => kept.has(id))) add(p.id);
  return {
    ...result,
    analysis,
    plans: result.plans.filter((p) => wanted.has(p.id)),
    findings: result.findings.filter((f) => keepsFinding(filter, f)),
  };
}
