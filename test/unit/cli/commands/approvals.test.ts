import { stripVTControlCharacters } from 'node:util';
import { renderDetail, renderPendingGroups } from '../../../../cli/commands/approvals';
import { displayWidth } from '../../../../cli/render/wrap-text';
import type { PendingGroup, PlanDetail, PlanSummary } from '../../../../lambdas/api/views';
import { testPlan } from '../../../support/test-plan';

const summary: PlanSummary = {
  runId: 'run-2030-01-01T00-00-00Z',
  planId: 'c45944a2ca2e6d64',
  accountId: '111111111111',
  cluster: 'prod',
  region: 'us-west-2',
  action: 'update-trust-policy',
  resourceArn: 'arn:aws:iam::111111111111:role/a-rather-long-role-name-for-the-fluent-bit-daemonset-in-logging',
  ruleIds: ['IRSA-012'],
  risk: 'medium',
  title: 'Federated principal names a provider that matches no cluster \u001b[2J\u202e',
  status: 'awaiting-approval',
  contentHash: 'h',
  requestedAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-08T00:00:00.000Z',
} as PlanSummary;

describe('renderPendingGroups (approvals list in table format)', () => {
  const groups: PendingGroup[] = [{ accountId: '111111111111', cluster: 'prod (us-west-2)', plans: [summary] }];

  it.each([40, 80, 200])('fits %i columns, keeps the plan reference whole and escapes the title', (width) => {
    const lines = renderPendingGroups(groups, { color: false, width });
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    expect(lines[0]).toBe('Account 111111111111 · prod (us-west-2)');
    expect(lines[1]).toMatch(/^ {2}run-2030-01-01T00-00-00Z\//);
    const text = lines.join('\n');
    expect(text.replace(/\n */g, '')).toContain('run-2030-01-01T00-00-00Z/c45944a2ca2e6d64');
    for (const c of ['\u001b', '\u202e']) expect(text).not.toContain(c);
    expect(text).toContain('\\e[2J');
    expect(text.replace(/\n */g, '')).toContain(summary.resourceArn);
  });

  it('colours only with colour on', () => {
    const coloured = renderPendingGroups(groups, { color: true, width: 80 });
    expect(coloured.join('\n')).toContain('\u001b[1mAccount');
    expect(coloured.map((l) => stripVTControlCharacters(l))).toEqual(
      renderPendingGroups(groups, { color: false, width: 80 }),
    );
  });
});

describe('renderDetail (approvals show)', () => {
  const diff = Array.from({ length: 120 }, (_, i) => `+  "line ${i}": "${'x'.repeat(i % 7)}",`);
  const detail: PlanDetail = {
    runId: summary.runId,
    planId: summary.planId,
    status: 'awaiting-approval',
    contentHash: 'abc123',
    plan: testPlan({
      resourceArn: summary.resourceArn,
      rationale: 'Replace the provider \u001b]0;title\u0007 and the keys together',
      diff: ['--- a (before)', '+++ a (after)', '@@ -0,0 +1,120 @@', ...diff].join('\n'),
    }),
    findings: [],
  } as PlanDetail;

  it('shows the whole diff (the approver approves what was printed), wrapped and escaped', () => {
    const text = renderDetail(detail, { color: false, width: 60 });
    for (const line of text.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    for (const line of diff) expect(text).toContain(line);
    expect(text).not.toContain('more lines');
    expect(text).toContain('--- a (before)');
    expect(text).toContain('content abc123');
    for (const c of ['\u001b', '\u0007']) expect(text).not.toContain(c);
    expect(text).toContain('\\e]0;title\\x07');
  });

  it('colours the added lines green with colour on', () => {
    const text = renderDetail(detail, { color: true, width: 100 });
    expect(text).toContain('\u001b[32m+  \u001b[39m\u001b[32m"line 1": "x",\u001b[39m');
    expect(stripVTControlCharacters(text)).toBe(renderDetail(detail, { color: false, width: 100 }));
  });
});
