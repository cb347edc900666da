import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportContext } from '../../cli/render/report';
import { analyzeEstate } from '../../lambdas/domain/analyze-estate';
import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';
import { parseSnapshot } from '../../lambdas/shared/schemas';

export const EXAMPLE_ESTATE_PATH = join(__dirname, '../../examples/estate.json');

/** The example estate: 4 accounts (one partial, one unreachable), 44 findings. */
export function exampleEstate(): EstateSnapshot {
  return parseSnapshot(JSON.parse(readFileSync(EXAMPLE_ESTATE_PATH, 'utf8')), 'examples/estate.json');
}

export const EMPTY_ESTATE: EstateSnapshot = { schemaVersion: 1, partition: 'aws', accounts: [] };

export function reportContext(snapshot: EstateSnapshot, extra: Partial<ReportContext> = {}): ReportContext {
  return {
    toolVersion: '1.2.3',
    generatedAt: '2026-11-30T12:00:00.000Z',
    command: 'analyze',
    snapshot,
    terminal: { color: false, width: 100 },
    ...extra,
  };
}

export function analyzed(snapshot: EstateSnapshot): AnalysisResult {
  return analyzeEstate(snapshot);
}

/** Text an attacker can put in a name: terminal escapes, bidi overrides, XML/HTML/markdown syntax, CDATA ends. */
export const HOSTILE =
  'evil\u001b[31m\u202eoverride\u2066 </summary><script>alert(1)</script> ]]> & "q" \'a\' `tick` *b* | \u0000\u0007\ud800 \t\n\r end';

/** The findings with every free-text field made hostile (a copy; ids and rule ids kept). */
export function hostileFindings(findings: readonly Finding[]): Finding[] {
  return findings.map(
    (f) =>
      ({
        ...f,
        resourceArn: `${f.resourceArn}${HOSTILE}`,
        title: `${f.title} ${HOSTILE}`,
        message: `${f.message} ${HOSTILE}`,
        remediation: `${f.remediation} ${HOSTILE}`,
        ...(f.cluster ? { cluster: `${f.cluster}${HOSTILE}` } : {}),
        ...(f.podError ? { podError: `${f.podError}${HOSTILE}` } : {}),
      }) as Finding,
  );
}

/** The same result with the first `n` findings suppressed. */
export function withSuppressed(result: AnalysisResult, n: number): AnalysisResult {
  return {
    ...result,
    findings: result.findings.map((f, i) =>
      i < n
        ? ({
            ...f,
            suppressed: { by: `mute-${i}`, reason: `accepted risk ${HOSTILE}`, until: '2027-01-31T00:00:00.000Z' },
          } as Finding)
        : f,
    ),
  };
}
