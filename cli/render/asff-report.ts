import { type AsffFinding, findingTransitions, toAsff } from '../../lambdas/domain/asff';
import type { AnalysisResult } from '../../lambdas/domain/finding';
import { defaultRegionsOf } from '../../lambdas/domain/partitions';
import type { ReportContext } from './report';

/**
 * `--output asff`: the findings as a BatchImportFindings request body (`{ "Findings": [...] }`, usable as
 * `aws securityhub batch-import-findings --cli-input-json file://...` in batches of 100). Outside the workflow
 * nothing was seen before: an open finding is NEW, a suppressed one SUPPRESSED, first seen at the report's time.
 * The default product of a custom integration only takes findings of the calling account, so each finding is the
 * product's of its own account, in its cluster's region (else the partition's first default region).
 */
export function renderAsff(result: AnalysisResult, ctx: Pick<ReportContext, 'generatedAt' | 'snapshot'>): string {
  const partition = ctx.snapshot.partition;
  const fallbackRegion = defaultRegionsOf(partition)[0] ?? 'us-east-1';
  const findings: AsffFinding[] = findingTransitions(undefined, result.findings, ctx.generatedAt).map((t) =>
    toAsff(t, {
      partition,
      region: t.finding.region ?? fallbackRegion,
      accountId: t.finding.accountId,
      now: ctx.generatedAt,
    }),
  );
  return `${JSON.stringify({ Findings: findings }, null, 2)}\n`;
}
