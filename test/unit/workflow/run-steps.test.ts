import type { Finding } from '../../../lambdas/domain/finding';
import type { Plan, Proof, UpdateTrustPolicyPlan } from '../../../lambdas/domain/plan/plan-model';
import { canonicalJson, planContentHash } from '../../../lambdas/workflow/run-steps';
import { testPlan } from '../../support/test-plan';

const outcome = (sub: string) => ({
  principal: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC',
  action: 'sts:AssumeRoleWithWebIdentity',
  sub,
  aud: 'sts.amazonaws.com',
  before: 'ImplicitDeny' as const,
  after: 'Allow' as const,
});

const proof: Proof = {
  intended: [outcome('system:serviceaccount:team-a:app')],
  probes: {
    evaluated: 40,
    newlyAllowed: [{ ...outcome('system:serviceaccount:team-a:app-2'), declaredBy: 'a wildcard meant as one' }],
    undeclaredNewlyAllowed: [],
    newlyDenied: 0,
  },
  exact: { decided: true, classes: 1, undeclared: 0, work: 120 },
  size: { minifiedLength: 300, quota: 2048, withinQuota: true },
  holds: true,
  summary: ['system:serviceaccount:team-a:app goes from denied to allowed', 'nothing else is newly allowed'],
};

const finding: Finding<'IRSA-015'> = {
  id: 'f-1',
  ruleId: 'IRSA-015',
  severity: 'high',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  resourceType: 'role',
  title: 'A stray space in the subject',
  message: 'the :sub value has a trailing space',
  podError: 'AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
  remediation: 'remove the space',
  references: [],
  evidence: {
    statementIndex: 0,
    statement: { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' },
    conditionKey: 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE:sub',
    value: 'system:serviceaccount:team-a:app ',
    withoutWhitespace: 'system:serviceaccount:team-a:app',
  },
};

const plan = testPlan({
  findingIds: ['f-1'],
  cluster: 'pay',
  region: 'us-west-2',
  after: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity' }] },
  diff: '-  "sub": "x "\n+  "sub": "x"',
  rationale: 'remove the stray space',
  risk: { level: 'low', notes: ['one subject'] },
  proof,
});
const base = planContentHash(plan, [finding]);

describe('planContentHash covers everything the approver is shown', () => {
  // Compliance: every field the console's plan view and `irsa-doctor approvals show` render
  it.each<[string, Partial<Omit<UpdateTrustPolicyPlan, 'action'>>]>([
    ['the after document', { after: { Version: '2012-10-17', Statement: [] } }],
    ['the before document', { before: { Version: '2012-10-17', Statement: [{ Effect: 'Deny' }] } }],
    ['the diff', { diff: '+ something else' }],
    ['the rationale', { rationale: 'another reason' }],
    ['the risk level', { risk: { level: 'high', notes: ['one subject'] } }],
    ['the risk notes', { risk: { level: 'low', notes: [] } }],
    ['the propose-only state', { applicable: false, proposeOnlyReason: 'needs a person' }],
    ['the owner', { owner: { tool: 'terraform', evidence: 'tag', howToChange: 'edit main.tf' } }],
    ['the proof summary', { proof: { ...proof, summary: ['nothing to see here'] } }],
    ['whether the proof holds', { proof: { ...proof, holds: false } }],
    ['a witness', { proof: { ...proof, probes: { ...proof.probes, newlyAllowed: [] } } }],
    ['a declared reason', { proof: { ...proof, probes: { ...proof.probes, newlyAllowed: [{ ...outcome('x') }] } } }],
    ['the probe count', { proof: { ...proof, probes: { ...proof.probes, evaluated: 41 } } }],
    ['the size', { proof: { ...proof, size: { ...proof.size, minifiedLength: 301 } } }],
    ['the exact check', { proof: { ...proof, exact: { ...proof.exact, decided: false, reason: 'over budget' } } }],
    ['the cluster', { cluster: 'other' }],
    ['the region', { region: 'eu-west-1' }],
    ['the rules', { ruleIds: ['IRSA-016'] }],
    ['the dependencies', { dependsOn: ['plan-0'] }],
    ['the resource', { resourceArn: 'arn:aws:iam::111111111111:role/other' }],
  ])('changes when %s changes', (_what, change) => {
    expect(planContentHash({ ...plan, ...change }, [finding])).not.toBe(base);
  });

  it.each<[string, Partial<Finding<'IRSA-015'>>]>([
    ['title', { title: 'Something else' }],
    ['message', { message: 'another message' }],
    ['error pods see', { podError: 'another error' }],
    ['evidence', { evidence: { ...finding.evidence, value: 'system:serviceaccount:team-a:other' } }],
    ['severity', { severity: 'low' }],
  ])("changes when a finding's %s changes", (_what, change) => {
    expect(planContentHash(plan, [{ ...finding, ...change }])).not.toBe(base);
  });

  // Noncompliance: what is not shown with the plan, and how it was stored
  it('does not depend on findings of other plans, their order, or key order', () => {
    const other = { ...finding, id: 'f-2', title: 'another plan' };
    expect(planContentHash(plan, [other, finding])).toBe(base);
    const reordered = Object.fromEntries(Object.entries(plan).reverse()) as unknown as Plan;
    expect(planContentHash(reordered, [finding])).toBe(base);
  });

  it('writes canonical JSON: keys sorted at every level, undefined members dropped', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, 'x'], c: null }, e: undefined })).toBe(
      '{"a":{"c":null,"d":[1,null,"x"]},"b":1}',
    );
  });
});
