/**
 * `--mutelist FILE` of analyze, scan and plan: a YAML or JSON list of suppressions (lambdas/domain/suppressions.ts),
 * validated whole (every bad entry named), applied to the findings: a covered finding is shown as suppressed, not
 * counted as open (nor by --fail-on), and not planned.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { AnalysisResult, Finding, FindingSuppression } from '../lambdas/domain/finding';
import { SEVERITIES, type Severity } from '../lambdas/domain/finding';
import {
  applySuppressions,
  parseSuppressions,
  SuppressionError,
  type SuppressionRule,
} from '../lambdas/domain/suppressions';
import { InputReadError } from '../lambdas/shared/errors';
import { clip } from '../lambdas/shared/text';

/** Reads and validates a mutelist file; a missing file, bad YAML/JSON or a bad entry is an InputReadError. */
export async function readMutelist(path: string, now: Date): Promise<SuppressionRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputReadError(`--mutelist ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    // YAML 1.2 reads JSON too.
    raw = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new InputReadError(`--mutelist ${path}: not YAML or JSON: ${clip((err as Error).message, 300)}`);
  }
  try {
    return parseSuppressions(raw ?? [], { now, createdBy: 'mutelist' });
  } catch (err) {
    if (err instanceof SuppressionError) throw new InputReadError(`--mutelist ${path}: ${err.message}`);
    throw err;
  }
}

/** The findings with `suppressed` set on those a suppression covers. */
export function markSuppressed<F extends Finding>(
  findings: readonly F[],
  rules: readonly SuppressionRule[],
  now: Date,
): F[] {
  if (rules.length === 0) return [...findings];
  const byId = new Map(rules.map((r) => [r.id, r]));
  const covered = new Map<F, FindingSuppression>();
  for (const { finding, suppressionId } of applySuppressions(findings, rules, now).suppressed) {
    const r = byId.get(suppressionId);
    if (r) covered.set(finding, { by: r.id, reason: r.reason, until: r.expiresAt });
  }
  return findings.map((f) => {
    const by = covered.get(f);
    return by ? ({ ...f, suppressed: by } as F) : f;
  });
}

/** An analysis with the mutelist applied: suppressed findings marked, the summary counting open findings only. */
export function withMutelist(result: AnalysisResult, rules: readonly SuppressionRule[], now: Date): AnalysisResult {
  if (rules.length === 0) return result;
  const findings = markSuppressed(result.findings, rules, now);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) if (!f.suppressed) bySeverity[f.severity]++;
  return { findings, summary: { ...result.summary, findingsBySeverity: bySeverity } };
}
