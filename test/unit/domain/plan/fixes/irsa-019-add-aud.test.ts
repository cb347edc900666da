import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import { applyPlans } from '../../../../support/apply-plans';
import { account, cluster, estate, provider, role, serviceAccount } from '../../../../support/estate-builder';
import { publishedFixture } from './published-fixture';

const A = '111111111111';
// The cluster was recreated: same name and region, a new issuer id; the role still names the old provider.
const recreated = cluster({ name: 'one', region: 'us-west-2', accountId: A, id: 'ABCDEF0123456789ABCDEF0123456789' });
const OLD_PREFIX = 'oidc.eks.us-west-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF';
const ROLE = `arn:aws:iam::${A}:role/lbc`;

describe('IRSA-019 fix: :aud is pinned under the provider the plan leaves the statement with', () => {
  it('adds :aud under the new prefix after IRSA-012 repointed the statement, so the proof holds and the role works', () => {
    // Given the published :sub-only trust naming the provider of a cluster since recreated, and its workload there
    const snapshot = estate([
      account(A, {
        clusters: [recreated.snapshot],
        oidcProviders: [provider(recreated)],
        roles: [role(A, 'lbc', publishedFixture('sub-only-recreated-cluster.json'))],
        serviceAccounts: [serviceAccount(recreated, 'kube-system', 'aws-load-balancer-controller', ROLE)],
      }),
    ]);
    // When planned
    const plan = planEstate(snapshot).plans.find((p) => p.resourceArn === ROLE && p.after !== null);
    // Then one plan repoints and pins :aud, both under the new issuer, and no key under the old one is left
    expect(plan?.ruleIds).toEqual(expect.arrayContaining(['IRSA-012', 'IRSA-019']));
    expect(plan?.proof?.holds).toBe(true);
    expect(plan?.applicable).toBe(true);
    expect(plan?.after).toMatchObject({
      Statement: [{ Condition: { StringEquals: { [`${recreated.hostPath}:aud`]: 'sts.amazonaws.com' } } }],
    });
    expect(JSON.stringify(plan?.after)).not.toContain(OLD_PREFIX);
    // And once applied, nothing on the role is left to plan
    const applied = applyPlans(snapshot, plan ? [plan] : []);
    expect(analyzeEstate(applied).findings.filter((f) => f.resourceArn === ROLE && f.severity !== 'info')).toEqual([]);
    expect(planEstate(applied).plans.filter((p) => p.resourceArn === ROLE)).toEqual([]);
  });
});
