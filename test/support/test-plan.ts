import type { Plan, PlanChange, PlanCommon, PlanOf, UpdateTrustPolicyPlan } from '../../lambdas/domain/plan/plan-model';

/** Overrides of a test plan: a trust-policy plan's fields, or any action's change (action, before, after) in full. */
export type TestPlanOverrides = Partial<Omit<UpdateTrustPolicyPlan, 'action'>> | (Partial<PlanCommon> & PlanChange);

/** A trust-policy plan with neutral defaults, for tests of what happens to a plan rather than how it is made. */
export function testPlan(overrides: Partial<Omit<UpdateTrustPolicyPlan, 'action'>>): UpdateTrustPolicyPlan;
/** A plan of another action: its change (action, before, after) given whole. */
export function testPlan<C extends PlanChange>(overrides: Partial<PlanCommon> & C): PlanOf<C['action']>;
export function testPlan(overrides: TestPlanOverrides): Plan {
  const change: PlanChange<'update-trust-policy'> = {
    action: 'update-trust-policy',
    before: { Version: '2012-10-17', Statement: [] },
    after: { Version: '2012-10-17', Statement: [] },
  };
  return {
    id: 'plan-1',
    ruleIds: ['IRSA-015'],
    findingIds: [],
    accountId: '111111111111',
    resourceArn: 'arn:aws:iam::111111111111:role/app',
    ...change,
    diff: '',
    rationale: '',
    requiresApproval: true,
    applicable: true,
    risk: { level: 'low', notes: [] },
    dependsOn: [],
    ...overrides,
  };
}
