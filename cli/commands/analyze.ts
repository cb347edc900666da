import { analyzeEstate } from '../../lambdas/domain/analyze-estate';
import { type AnalysisResult, atLeast, SEVERITIES, type Severity } from '../../lambdas/domain/finding';
import { UsageError } from '../../lambdas/shared/errors';
import { type CliIo, readSnapshot } from '../io';
import { withKubeObjects } from '../kube-objects-input';
import { readMutelist, withMutelist } from '../mutelist';
import { renderFindingsJson, renderFindingsMarkdown, renderFindingsTable } from '../render/findings';
import { terminalFor } from '../render/terminal';

export const FORMATS = ['table', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export interface AnalyzeOptions {
  readonly snapshot: string;
  readonly format: string;
  readonly failOn?: string;
  readonly trustPolicyQuota?: string;
  /** `CLUSTER@REGION=FILE` values of --kube-objects. */
  readonly kubeObjects?: readonly string[];
  /** A YAML or JSON list of suppressions: covered findings shown as suppressed, not counted as open. */
  readonly mutelist?: string;
  /** False with the global --no-color (terminalFor: FORCE_COLOR, NO_COLOR and the terminal decide otherwise). */
  readonly color?: boolean;
}

/** `irsa-doctor analyze`: returns the exit code (0 ran, 1 --fail-on met). Bad input throws a typed error. */
export async function analyzeCommand(options: AnalyzeOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format);
  const failOn = options.failOn === undefined ? undefined : parseSeverity(options.failOn);
  const quota = options.trustPolicyQuota === undefined ? undefined : parseQuota(options.trustPolicyQuota);
  const now = new Date();
  const mutelist = options.mutelist === undefined ? [] : await readMutelist(options.mutelist, now);
  const snapshot = await withKubeObjects(await readSnapshot(options.snapshot, io), options.kubeObjects ?? []);
  const result = analyzeEstate(snapshot, quota === undefined ? {} : { trustPolicyQuota: quota });
  return printFindings(withMutelist(result, mutelist, now), format, failOn, io, options);
}

/** Prints the findings in the chosen format; returns the exit code (1 when a finding reaches `failOn`). */
export function printFindings(
  result: AnalysisResult,
  format: Format,
  failOn: Severity | undefined,
  io: CliIo,
  options: { color?: boolean } = {},
): number {
  io.stdout.write(
    format === 'json'
      ? renderFindingsJson(result)
      : format === 'markdown'
        ? renderFindingsMarkdown(result)
        : renderFindingsTable(result, terminalFor(io, options)),
  );
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
