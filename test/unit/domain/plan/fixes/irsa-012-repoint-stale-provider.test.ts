import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import type { ServiceAccountSnapshot } from '../../../../../lambdas/domain/snapshot';
import { applyPlans } from '../../../../support/apply-plans';
import { account, cluster, estate, provider, role, serviceAccount } from '../../../../support/estate-builder';
import { publishedFixture } from './published-fixture';

const A = '111111111111';
// The EBS CSI template's provider names us-west-2; the issuer id is the real cluster's, which runs in eu-west-1.
const prod = cluster({ name: 'prod', region: 'eu-west-1', accountId: A, id: '5D3C2B1A0F9E8D7C6B5A49382716A0B1' });
// More clusters in the template's region than the analyzer lists as candidates (20): each a same-region guess.
const west = Array.from({ length: 22 }, (_, i) => cluster({ name: `west${i}`, region: 'us-west-2', accountId: A }));
const ROLE = `arn:aws:iam::${A}:role/AmazonEKS_EBS_CSI_DriverRole`;
const TEMPLATE_PREFIX = 'oidc.eks.us-west-2.amazonaws.com/id/5D3C2B1A0F9E8D7C6B5A49382716A0B1';

function ebsEstate(serviceAccounts: ServiceAccountSnapshot[]) {
  return estate([
    account(A, {
      clusters: [prod.snapshot, ...west.map((c) => c.snapshot)],
      oidcProviders: [provider(prod), ...west.map((c) => provider(c))],
      roles: [role(A, 'AmazonEKS_EBS_CSI_DriverRole', publishedFixture('ebs-csi-template-region-kept.json'))],
      serviceAccounts,
    }),
  ]);
}

const rolePlans = (snapshot: ReturnType<typeof ebsEstate>) =>
  planEstate(snapshot).plans.filter((p) => p.resourceArn === ROLE);

describe('IRSA-012 fix: a stale provider from a template with a hard-coded region', () => {
  it('ranks the exact issuer-id match above any number of same-region guesses, and repoints applicably', () => {
    // Given the template's provider and more same-region clusters than the analyzer's candidate list holds
    const snapshot = ebsEstate([]);
    const finding = analyzeEstate(snapshot).findings.find((f) => f.resourceArn === ROLE);
    expect(finding?.ruleId === 'IRSA-012' && finding.evidence.moreCandidates).toBe(true);
    // When planned
    const [plan, ...others] = rolePlans(snapshot);
    // Then the one plan repoints to the cluster with the same issuer id, applicably
    expect(others).toEqual([]);
    expect(plan?.ruleIds).toEqual(['IRSA-012']);
    expect(plan?.applicable).toBe(true);
    expect(JSON.stringify(plan?.after)).toContain(prod.providerArn());
    expect(JSON.stringify(plan?.after)).toContain(`${prod.hostPath}:sub`);
    expect(JSON.stringify(plan?.after)).not.toContain(TEMPLATE_PREFIX);
  });

  it('repoints the dead statement instead of appending one beside it, and nothing is planned after applying', () => {
    // Given the EBS CSI controller's service account on the cluster names the role (IRSA-031 as well)
    const snapshot = ebsEstate([serviceAccount(prod, 'kube-system', 'ebs-csi-controller-sa', ROLE)]);
    // When planned
    const plans = rolePlans(snapshot);
    const plan = plans.find((p) => p.after !== null);
    // Then one applicable plan fixes both findings with the statement repointed, not a second statement
    expect(plans.filter((p) => p.after === null)).toEqual([]);
    expect(plan?.ruleIds).toEqual(expect.arrayContaining(['IRSA-012', 'IRSA-031']));
    expect(plan?.applicable).toBe(true);
    const after = plan?.action === 'update-trust-policy' ? plan.after : null;
    expect(after?.Statement).toHaveLength(1);
    expect(JSON.stringify(plan?.after)).not.toContain(TEMPLATE_PREFIX);
    // And with `after` applied, re-analysis gives no new plan for the role
    const applied = applyPlans(snapshot, plan ? [plan] : []);
    expect(rolePlans(applied)).toEqual([]);
  });
});
