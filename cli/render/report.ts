import { stringify as toYaml } from 'yaml';
import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import type { PlanResult } from '../../lambdas/domain/plan/plan-model';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';
import { UsageError } from '../../lambdas/shared/errors';
import { renderAsff } from './asff-report';
import { collectionReport, findingCounts, ruleResults } from './collection';
import { GITHUB_COMMENT_LIMIT, renderFindingsComment, renderPlansComment } from './comment-markdown';
import { renderFindingsTable } from './findings';
import { renderJunit } from './junit';
import { type OutputFormat, PLAN_OUTPUT_FORMATS } from './output-formats';
import { renderPlansTable } from './plans';
import { renderSarif } from './sarif';
import type { Terminal } from './terminal';
import { renderFindingsText, renderPlansText } from './text-report';

export { OUTPUT_FORMATS, type OutputFormat, PLAN_OUTPUT_FORMATS, parseOutputFormat } from './output-formats';

/** What a report is rendered for: who made it and when, from which snapshot, and how the terminal shows it. */
export interface ReportContext {
  readonly toolVersion: string;
  /** When the report was made (ISO 8601 UTC). */
  readonly generatedAt: string;
  readonly command: 'analyze' | 'scan' | 'plan';
  /** The snapshot analyzed: its collection status and counts go into every machine-readable report. */
  readonly snapshot: EstateSnapshot;
  /** Colour and width for the table (terminalFor: --no-color, FORCE_COLOR, NO_COLOR, the terminal, COLUMNS). */
  readonly terminal: Terminal;
  /**
   * The snapshot file as the user named it, when it is a file (not stdin, not a scan that wrote none): SARIF
   * points each result's physical location at it, the only file a finding honestly comes from.
   */
  readonly snapshotFile?: string;
  /**
   * The report is written to a file (--out-file), not shown or posted: markdown is then written whole, not cut to
   * a GitHub comment's 65,536 characters (the cut report's last line points here).
   */
  readonly toFile?: boolean;
}

/** A plan run's result as the plan command has it: the plans, the planner's own findings and the analysis. */
export type PlansReportInput = PlanResult & { readonly analysis: AnalysisResult };

/** The findings of analyze or scan in one of the eight formats. */
export function renderFindingsReport(result: AnalysisResult, format: OutputFormat, ctx: ReportContext): string {
  switch (format) {
    case 'table':
      return renderFindingsTable(result, ctx.terminal);
    case 'json':
      return `${JSON.stringify(findingsEnvelope(result, ctx), null, 2)}\n`;
    case 'yaml':
      return yaml(findingsEnvelope(result, ctx));
    case 'text':
      return renderFindingsText(result.findings);
    case 'markdown':
      return renderFindingsComment(result, ctx, commentLimit(ctx));
    case 'sarif':
      return `${JSON.stringify(renderSarif(result, ctx), null, 2)}\n`;
    case 'junit':
      return renderJunit(result, ctx);
    case 'asff':
      return renderAsff(result, ctx);
  }
}

/**
 * The fix plans in table, json, yaml, text or markdown. SARIF and JUnit describe findings, not changes: asked of
 * plan they are a UsageError that points at `analyze`, which gives them (the command line refuses them first).
 */
export function renderPlansReport(result: PlansReportInput, format: OutputFormat, ctx: ReportContext): string {
  return [...renderPlansReportChunks(result, format, ctx)].join('');
}

/** renderPlansReport piece by piece: JSON of a large estate is written one plan or finding at a time. */
export function* renderPlansReportChunks(
  result: PlansReportInput,
  format: OutputFormat,
  ctx: ReportContext,
): Generator<string> {
  switch (format) {
    case 'table':
      yield renderPlansTable(result, ctx.terminal);
      return;
    case 'json': {
      const { plans, findings, ...head } = plansEnvelope(result, ctx);
      yield* jsonEnvelopeChunks(head, [
        ['plans', plans],
        ['findings', findings],
      ]);
      return;
    }
    case 'yaml':
      yield yaml(plansEnvelope(result, ctx));
      return;
    case 'text':
      yield renderPlansText(result.plans, result.findings);
      return;
    case 'markdown':
      yield renderPlansComment(result, ctx, commentLimit(ctx));
      return;
    default:
      throw new UsageError(
        `plan cannot be written as ${format}: --output takes ${PLAN_OUTPUT_FORMATS.join(', ')} for plans; SARIF, JUnit and ASFF report findings (irsa-doctor analyze --output ${format})`,
      );
  }
}

/** What every JSON and YAML report starts with: the tool, the time, the command, and how complete the snapshot is. */
function envelopeHeader(ctx: ReportContext) {
  return {
    toolVersion: ctx.toolVersion,
    generatedAt: ctx.generatedAt,
    command: ctx.command,
    collection: collectionReport(ctx.snapshot),
  };
}

/**
 * The JSON and YAML report of findings. `summary` keeps the analysis' counts (accounts, clusters, providers,
 * roles, findings by severity) and adds open and suppressed totals; `rules` says which rules passed.
 */
export function findingsEnvelope(result: AnalysisResult, ctx: ReportContext) {
  const counts = findingCounts(result.findings);
  return {
    ...envelopeHeader(ctx),
    summary: {
      ...result.summary,
      openFindings: counts.openTotal,
      suppressedFindings: counts.suppressedTotal,
      openBySeverity: counts.open,
    },
    rules: ruleResults(result),
    findings: result.findings,
  };
}

/** The JSON and YAML report of plans: the envelope, the plans and the findings the planner raised. */
export function plansEnvelope(result: PlansReportInput, ctx: ReportContext) {
  const applicable = result.plans.filter((p) => p.applicable).length;
  const counts = findingCounts(result.analysis.findings);
  return {
    ...envelopeHeader(ctx),
    summary: {
      ...result.analysis.summary,
      openFindings: counts.openTotal,
      suppressedFindings: counts.suppressedTotal,
      plans: result.plans.length,
      applicable,
      proposeOnly: result.plans.length - applicable,
      planningFindings: result.findings.length,
    },
    plans: result.plans,
    findings: result.findings as readonly Finding[],
  };
}

/**
 * `JSON.stringify({ ...head, [key]: items... }, null, 2)` and a newline, byte for byte, one item at a time: a
 * hundred thousand roles give about 100 MB of plans, and built as one string it was the CLI plan's peak memory.
 */
export function* jsonEnvelopeChunks(
  head: Readonly<Record<string, unknown>>,
  lists: ReadonlyArray<readonly [string, readonly unknown[]]>,
): Generator<string> {
  const headText = JSON.stringify(head, null, 2);
  const open = headText === '{}' ? '{' : headText.slice(0, -2);
  yield open;
  for (const [at, [key, items]] of lists.entries()) {
    const comma = at > 0 || open !== '{' ? ',' : '';
    yield `${comma}\n  ${JSON.stringify(key)}: ${items.length === 0 ? '[]' : '['}`;
    if (items.length === 0) continue;
    for (const [i, item] of items.entries()) {
      // Nested two levels deep: every line of the item's own indented form moves right by four spaces.
      yield `${i > 0 ? ',' : ''}\n    ${JSON.stringify(item, null, 2).replace(/\n/g, '\n    ')}`;
    }
    yield '\n  ]';
  }
  yield '\n}\n';
}

function commentLimit(ctx: ReportContext): number {
  return ctx.toFile ? Number.POSITIVE_INFINITY : GITHUB_COMMENT_LIMIT;
}

/** YAML 1.2 of a JSON-shaped value: no anchors for repeated objects, no line folding (a value stays one line). */
function yaml(value: unknown): string {
  return toYaml(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}
