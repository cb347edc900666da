import { analyzeEstate } from '../../lambdas/domain/analyze-estate';
import { type AnalysisResult, atLeast, SEVERITIES, type Severity } from '../../lambdas/domain/finding';
import { UsageError } from '../../lambdas/shared/errors';
import { RULES_FORMATS } from '../cli-options';
import { type FindingFilter, filterAnalysis } from '../filters';
import { type CliIo, readSnapshot } from '../io';
import { withKubeObjects } from '../kube-objects-input';
import { readMutelist, withMutelist } from '../mutelist';
import { type OutputFormat, parseOutputFormat } from '../render/output-formats';
import { type ReportContext, renderFindingsReport } from '../render/report';
import { terminalFor } from '../render/terminal';
import { TOOL_VERSION } from '../version';

/** The formats of `rules` (analyze, scan and plan take OUTPUT_FORMATS, cli/render/output-formats.ts). */
export const FORMATS = RULES_FORMATS;
export type Format = (typeof FORMATS)[number];

/** What the command line resolved about where the output goes (cli/main.ts runAction). */
export interface OutputOptions {
  /** --out-file: the output is written to this file (by the command line), not to a terminal. */
  readonly outFile?: string;
  /** false under --no-color. */
  readonly color?: boolean;
}

export interface AnalyzeOptions extends OutputOptions {
  readonly snapshot: string;
  readonly format: string;
  readonly failOn?: string;
  readonly trustPolicyQuota?: string;
  /** `CLUSTER@REGION=FILE` values of --kube-objects. */
  readonly kubeObjects?: readonly string[];
  /** A YAML or JSON list of suppressions: covered findings shown as suppressed, not counted as open. */
  readonly mutelist?: string;
  /** --severity, --rule, --account, --cluster, --namespace: applied before the output and --fail-on. */
  readonly filter?: FindingFilter;
}

/** `irsa-doctor analyze`: returns the exit code (0 ran, 1 --fail-on met). Bad input throws a typed error. */
export async function analyzeCommand(options: AnalyzeOptions, io: CliIo): Promise<number> {
  const format = parseOutputFormat(options.format);
  const failOn = options.failOn === undefined ? undefined : parseSeverity(options.failOn);
  const quota = options.trustPolicyQuota === undefined ? undefined : parseQuota(options.trustPolicyQuota);
  const now = new Date();
  const mutelist = options.mutelist === undefined ? [] : await readMutelist(options.mutelist, now);
  const snapshot = await withKubeObjects(await readSnapshot(options.snapshot, io), options.kubeObjects ?? []);
  const result = analyzeEstate(snapshot, quota === undefined ? {} : { trustPolicyQuota: quota });
  const file = options.snapshot === '-' ? undefined : options.snapshot;
  const ctx = reportContext('analyze', snapshot, io, reportTarget(options, file, now));
  return printFindings(
    filterAnalysis(withMutelist(result, mutelist, now), options.filter ?? {}),
    format,
    failOn,
    io,
    ctx,
  );
}

/** Where a report goes and what it is of, beyond the result: see reportContext. */
export interface ReportTarget {
  /** The snapshot's file when there is one (SARIF locations point at it). */
  readonly snapshotFile?: string | undefined;
  /** The output goes to --out-file: a markdown report is written whole, not cut to a comment's size. */
  readonly toFile?: boolean;
  /** false under --no-color. */
  readonly color?: boolean;
  readonly now?: Date;
}

/** The report's target from the command's options: its snapshot file, --out-file and --no-color. */
export function reportTarget(options: OutputOptions, snapshotFile: string | undefined, now: Date): ReportTarget {
  return {
    snapshotFile,
    toFile: options.outFile !== undefined,
    ...(options.color === undefined ? {} : { color: options.color }),
    now,
  };
}

/** What every report of a run is rendered with: the tool's version, the time, the snapshot, and the terminal. */
export function reportContext(
  command: ReportContext['command'],
  snapshot: ReportContext['snapshot'],
  io: CliIo,
  target: ReportTarget = {},
): ReportContext {
  return {
    toolVersion: TOOL_VERSION,
    generatedAt: (target.now ?? new Date()).toISOString(),
    command,
    snapshot,
    terminal: terminalFor(io, target.color === undefined ? {} : { color: target.color }),
    ...(target.snapshotFile === undefined ? {} : { snapshotFile: target.snapshotFile }),
    ...(target.toFile ? { toFile: true } : {}),
  };
}

/** Prints the findings in the chosen format; returns the exit code (1 when a finding reaches `failOn`). */
export function printFindings(
  result: AnalysisResult,
  format: OutputFormat,
  failOn: Severity | undefined,
  io: CliIo,
  ctx: ReportContext,
): number {
  io.stdout.write(renderFindingsReport(result, format, ctx));
  // A suppressed finding is not open: it does not fail the run.
  return failOn && result.findings.some((f) => !f.suppressed && atLeast(f.severity, failOn)) ? 1 : 0;
}

export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${value}"`);
}

export function parseSeverity(value: string): Severity {
  const lower = value.toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(lower)) return lower as Severity;
  throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}; got "${value}"`);
}

export function parseQuota(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 131072) {
    throw new UsageError(
      `--trust-policy-quota must be a whole number of characters (default 2048, at most 4096 by quota increase); got "${value}"`,
    );
  }
  return n;
}
