import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import { PLAN_ACTIONS, planChangeProblems } from '../../../../lambdas/domain/plan/plan-model';
import { parseSnapshot } from '../../../../lambdas/shared/schemas';
import { testPlan } from '../../../support/test-plan';

const provider = { url: 'oidc.eks.us-west-2.amazonaws.com/id/A', clientIds: ['sts.amazonaws.com'], thumbprints: [] };

describe('planChangeProblems: a stored plan read back as its action', () => {
  it('accepts every plan the planner makes of the example estate, as stored (JSON), every action among them', () => {
    // Given the example estate's plans, through JSON as the state store keeps them
    const example = parseSnapshot(
      JSON.parse(readFileSync(join(__dirname, '../../../../examples/estate.json'), 'utf8')),
    );
    const stored: unknown[] = JSON.parse(JSON.stringify(planEstate(example).plans));

    // When each is checked
    // Then each fits its action
    expect(stored.flatMap(planChangeProblems)).toEqual([]);
    // (but create-access-entry, which needs a cluster read the example has not: its plan is checked below)
    expect(new Set(stored.map((p) => (p as { action: string }).action))).toEqual(
      new Set(PLAN_ACTIONS.filter((a) => a !== 'create-access-entry')),
    );
  });

  it('accepts the create-access-entry plan of KUBE-001, as stored (JSON)', () => {
    const scanner = 'arn:aws:iam::111111111111:role/IrsaDoctorScanner';
    const plan = {
      action: 'create-access-entry',
      before: null,
      after: {
        clusterName: 'prod',
        principalArn: scanner,
        type: 'STANDARD',
        kubernetesGroups: [],
        policies: [
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
            accessScope: { type: 'cluster', namespaces: [] },
          },
        ],
      },
    };
    expect(planChangeProblems(JSON.parse(JSON.stringify(plan)))).toEqual([]);
    expect(planChangeProblems({ ...plan, after: { ...plan.after, policies: [{ policyArn: 'x' }] } })).toEqual([
      'after of a create-access-entry plan must be access-entry',
    ]);
  });

  it.each<[string, unknown, string]>([
    [
      "a text as a trust-policy plan's after",
      { ...testPlan({}), after: '{"Statement":[]}' },
      'after of a update-trust-policy plan must be trust or null',
    ],
    ['a trust document where a provider is created', { ...testPlan({}), action: 'create-oidc-provider' }, 'before'],
    [
      'a provider with a non-string client id',
      { ...testPlan({}), action: 'add-client-id', before: { ...provider, clientIds: [1] }, after: provider },
      'before of a add-client-id plan must be provider',
    ],
    [
      'a deletion that keeps the provider',
      { ...testPlan({}), action: 'delete-oidc-provider', before: provider, after: provider },
      'after',
    ],
    ['an unknown action', { ...testPlan({}), action: 'delete-role' }, 'action "delete-role" is not one of'],
    ['not an object', 'plan', 'not an object'],
  ])('refuses %s', (_what, plan, problem) => {
    expect(planChangeProblems(plan).join('; ')).toContain(problem);
  });
});
