import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import type { EstateSnapshot } from '../../../../../lambdas/domain/snapshot';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { applyPlans } from '../../../../support/apply-plans';
import { account, cluster, estate, provider, role, sa, serviceAccount } from '../../../../support/estate-builder';
import { publishedFixture } from './published-fixture';

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A, id: '0123456789ABCDEF0123456789ABCDEF' });
const ROLE = `arn:aws:iam::${A}:role/lbc`;
const LBC = sa('kube-system', 'aws-load-balancer-controller');

function withTrust(text: string): EstateSnapshot {
  return estate([
    account(A, {
      clusters: [one.snapshot],
      oidcProviders: [provider(one)],
      roles: [role(A, 'lbc', text)],
      serviceAccounts: [serviceAccount(one, 'kube-system', 'aws-load-balancer-controller', ROLE)],
    }),
  ]);
}

const allows = (document: unknown, sub: string) => {
  const read = parseTrustPolicy(document);
  return (
    read.ok &&
    evaluateTrustPolicy(
      read.policy,
      webIdentityRequest(one.providerArn(), one.hostPath, { sub, aud: 'sts.amazonaws.com' }),
    ).decision === 'Allow'
  );
};

describe('IRSA-014 fix: a subject written under :aud', () => {
  it('moves it to a new :sub key of the same issuer and sets :aud to sts.amazonaws.com when there is no :sub', () => {
    // Given the published IRSA trust with the subject pasted under :aud and no :sub key
    const snapshot = withTrust(publishedFixture('aud-holds-subject-no-sub.json'));
    // When planned
    const plan = planEstate(snapshot).plans.find((p) => p.resourceArn === ROLE && p.after !== null);
    // Then one applicable plan fixes IRSA-014 with exactly the two keys
    expect(plan?.ruleIds).toContain('IRSA-014');
    expect(plan?.applicable).toBe(true);
    expect(plan?.after).toMatchObject({
      Statement: [
        {
          Condition: {
            StringEquals: { [`${one.hostPath}:aud`]: 'sts.amazonaws.com', [`${one.hostPath}:sub`]: LBC },
          },
        },
      ],
    });
    expect(allows(plan?.after, LBC)).toBe(true);
    expect(allows(plan?.after, sa('kube-system', 'other'))).toBe(false);
    // And once applied, the role has no finding left and nothing to plan
    const applied = applyPlans(snapshot, plan ? [plan] : []);
    expect(analyzeEstate(applied).findings.filter((f) => f.resourceArn === ROLE && f.severity !== 'info')).toEqual([]);
    expect(planEstate(applied).plans.filter((p) => p.resourceArn === ROLE)).toEqual([]);
  });

  it('moves a wildcard subject under StringLike, declared, so the plan is applicable only where the class is allowed', () => {
    // Given the same mistake with a namespace pattern
    const text = publishedFixture('aud-holds-subject-no-sub.json').replace(LBC, 'system:serviceaccount:kube-system:*');
    const snapshot = withTrust(text);
    // When planned, with and without allowing the wildcard-meant class
    const find = (r: ReturnType<typeof planEstate>) =>
      r.plans.find((p) => p.resourceArn === ROLE && p.ruleIds.includes('IRSA-014') && p.after !== null);
    const strict = find(planEstate(snapshot));
    const allowed = find(planEstate(snapshot, { allowWidening: ['wildcard-meant'] }));
    // Then the pattern moves to StringLike :sub and the declared class decides
    expect(JSON.stringify(strict?.after)).toContain(
      `"StringLike":{"${one.hostPath}:sub":"system:serviceaccount:kube-system:*"}`,
    );
    expect(strict?.applicable).toBe(false);
    expect(strict?.proposeOnlyReason).toMatch(/wildcard-meant/);
    expect(allowed?.applicable).toBe(true);
  });
});
