import type { Plan } from '../../lambdas/domain/plan/plan-model';

/** A trust-policy plan with neutral defaults, for tests of what happens to a plan rather than how it is made. */
export function testPlan(overrides: Partial<Plan>): Plan {
  return {
    id: 'plan-1',
    ruleIds: ['IRSA-015'],
    findingIds: [],
    accountId: '111111111111',
    resourceArn: 'arn:aws:iam::111111111111:role/app',
    action: 'update-trust-policy',
    before: { Version: '2012-10-17', Statement: [] },
    after: { Version: '2012-10-17', Statement: [] },
    diff: '',
    rationale: '',
    requiresApproval: true,
    applicable: true,
    risk: { level: 'low', notes: [] },
    dependsOn: [],
    ...overrides,
  };
}
