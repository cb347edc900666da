import { generateEstate } from '../../../../bench/estate-generator';
import {
  GITHUB_COMMENT_LIMIT,
  renderFindingsComment,
  renderPlansComment,
} from '../../../../cli/render/comment-markdown';
import type { AnalysisResult } from '../../../../lambdas/domain/finding';
import { planShard } from '../../../../lambdas/domain/plan/plan-estate';
import {
  analyzed,
  EMPTY_ESTATE,
  exampleEstate,
  hostileFindings,
  reportContext,
  withSuppressed,
} from '../../../support/report-fixture';

/** The heading every finding's block starts with. */
const FINDING_HEADING = /^#### (CRITICAL|HIGH|MEDIUM|LOW|INFO) /gm;

describe('renderFindingsComment (markdown for a GitHub comment)', () => {
  const snapshot = exampleEstate();
  const result = analyzed(snapshot);
  const ctx = reportContext(snapshot, { snapshotFile: 'examples/estate.json' });

  it('puts the summary first: the verdict, counts by severity, how completely the estate was read', () => {
    const md = renderFindingsComment(result, ctx);
    const firstDetails = md.indexOf('<details>');
    const verdict = md.indexOf('**44 open finding(s)**');
    expect(verdict).toBeGreaterThan(0);
    expect(verdict).toBeLessThan(firstDetails);
    expect(md.indexOf('| critical | 8 | 0 |')).toBeLessThan(firstDetails);
    expect(md).toMatch(/1 partial, 1 unreachable/);
    expect(md).toMatch(/2 account\(s\) were not read completely/);
  });

  it('fits the 44-finding example whole, each account and cluster in a collapsed block', () => {
    const md = renderFindingsComment(result, ctx);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md.match(FINDING_HEADING)).toHaveLength(44);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    expect(md).toContain('<details><summary>Account 111111111111 · cluster prod (us-west-2):');
    expect(md).not.toContain('Cut to fit');
  });

  it('cuts a huge estate at a finding boundary below the limit, saying how many were left out and where the rest is', () => {
    const huge = generateEstate({
      accounts: 40,
      rolesPerAccount: 60,
      clustersPerAccount: 3,
      regions: ['us-west-2', 'eu-west-1'],
    });
    const big = analyzed(huge);
    expect(big.findings.length).toBeGreaterThan(300);
    const md = renderFindingsComment(big, reportContext(huge, { snapshotFile: 'estate.json' }));
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const shown = md.match(FINDING_HEADING)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    const left = Number(/(\d+) more finding\(s\) not shown/.exec(md)?.[1]);
    expect(shown + left).toBe(big.findings.length);
    expect(md).toContain('--output markdown --out-file report.md');
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^\*Cut to fit a GitHub comment/);
    // Every block opened is closed, and the last finding shown ends with its fix (not cut inside).
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    const lastBlock = md.slice(md.lastIndexOf('\n#### '));
    expect(lastBlock).toMatch(/\*\*Fix:\*\* /);
  });

  it('cuts at a smaller limit the same way', () => {
    const md = renderFindingsComment(result, ctx, 6000);
    expect(md.length).toBeLessThanOrEqual(6000);
    const shown = md.match(FINDING_HEADING)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(md).toContain(`${44 - shown} more finding(s) not shown`);
    expect(md).toContain('irsa-doctor analyze --snapshot examples/estate.json --output markdown --out-file report.md');
  });

  it('stays under the limit with a very long snapshot file name in the pointer', () => {
    const long = reportContext(snapshot, { snapshotFile: `${'d/'.repeat(400)}estate.json` });
    for (const limit of [3000, 6000, 20_000]) {
      const md = renderFindingsComment(result, long, limit);
      expect(md.length).toBeLessThanOrEqual(limit);
      expect(md).toContain('more finding(s) not shown');
    }
  });

  it('says there is nothing open when there are no findings', () => {
    const md = renderFindingsComment(analyzed(EMPTY_ESTATE), reportContext(EMPTY_ESTATE));
    expect(md).toContain('**No open findings**');
    expect(md).not.toContain('<details>');
  });

  it('marks suppressed findings and does not count them as open', () => {
    const md = renderFindingsComment(withSuppressed(result, 5), ctx);
    expect(md).toContain('**39 open finding(s)** (5 suppressed)');
    expect(md.match(/ \(suppressed\)\n/g)).toHaveLength(5);
    expect(md).toMatch(/\*Suppressed by mute-0 until 2027-01-31/);
  });

  it('neutralises hostile names: no raw HTML, controls or bidi overrides reach the comment', () => {
    const hostile: AnalysisResult = { ...result, findings: hostileFindings(result.findings) };
    const md = renderFindingsComment(hostile, ctx);
    // Outside code spans and fenced blocks (where GitHub shows text literally), no markup survives.
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '').replace(/(`+) [\s\S]*? \1|(`+)[^`\n]+\2/g, '');
    expect(prose).not.toContain('<script>');
    expect(prose).not.toContain('</summary><');
    expect(prose).toContain('\\<script\\>');
    for (const raw of ['\u001b', '\u202e', '\u2066', '\u0000']) expect(md).not.toContain(raw);
    // Summaries are HTML: the markup is written as entities.
    expect(md).toMatch(/<summary>Account 111111111111 · cluster prod[^<]*&#60;\/summary&#62;&#60;script&#62;/);
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });
});

describe('renderPlansComment', () => {
  it('returns the plan markdown whole when it fits, and cuts it at a plan boundary when not', () => {
    const snapshot = exampleEstate();
    const planned = planShard(snapshot, { record: () => true, plan: () => true });
    const ctx = reportContext(snapshot, { command: 'plan', snapshotFile: 'examples/estate.json' });
    const whole = renderPlansComment(planned, ctx, 1_000_000);
    expect(whole).not.toContain('Cut to fit');
    // The example's 32 plans with their evidence and proofs are about 100 KB: over a comment's limit.
    expect(renderPlansComment(planned, ctx).length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const cut = renderPlansComment(planned, ctx, 20_000);
    expect(cut.length).toBeLessThanOrEqual(20_000);
    const shown = cut.match(/^## \d+\. /gm)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(cut).toContain(`${planned.plans.length - shown} more plan(s) not shown`);
    expect(whole.startsWith(cut.slice(0, cut.indexOf('\n---\n')))).toBe(true);
  });
});
