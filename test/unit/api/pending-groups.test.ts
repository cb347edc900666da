import { ACCOUNT_WIDE, groupPending } from '../../../lambdas/api/pending-groups';
import type { PlanSummary } from '../../../lambdas/api/views';

const plan = (planId: string, accountId: string, more: Partial<PlanSummary> = {}): PlanSummary => ({
  runId: 'r',
  planId,
  accountId,
  action: 'update-trust-policy',
  resourceArn: `arn:aws:iam::${accountId}:role/${planId}`,
  ruleIds: [],
  risk: 'low',
  title: planId,
  status: 'awaiting-approval',
  contentHash: 'h',
  requestedAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-02T00:00:00.000Z',
  ...more,
});

describe('groupPending', () => {
  const plans = [
    plan('a', '222222222222', { severity: 'low', requestedAt: '2030-01-01T00:00:02.000Z' }),
    plan('b', '111111111111', { severity: 'low', cluster: 'prod', region: 'us-west-2' }),
    plan('c', '222222222222', { severity: 'critical', requestedAt: '2030-01-01T00:00:01.000Z' }),
  ];

  it("groups by account and cluster in the API's order: names, then oldest request first", () => {
    expect(groupPending(plans).map((g) => [g.accountId, g.cluster, g.plans.map((p) => p.planId)])).toEqual([
      ['111111111111', 'prod (us-west-2)', ['b']],
      ['222222222222', ACCOUNT_WIDE, ['c', 'a']],
    ]);
  });

  it('in a chosen order, puts each group where its first plan falls', () => {
    const worstFirst = (x: PlanSummary, y: PlanSummary) =>
      (x.severity === 'critical' ? -1 : 0) - (y.severity === 'critical' ? -1 : 0);
    expect(groupPending(plans, worstFirst).map((g) => g.plans.map((p) => p.planId))).toEqual([['c', 'a'], ['b']]);
  });
});
