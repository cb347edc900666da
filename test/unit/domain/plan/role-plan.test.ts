import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import type { EstateSnapshot, ServiceAccountSnapshot } from '../../../../lambdas/domain/snapshot';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
  serviceAccount,
} from '../../../support/estate-builder';
import { publishedFixture } from './fixes/published-fixture';

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A, id: '0123456789ABCDEF0123456789ABCDEF' });
const ROLE = `arn:aws:iam::${A}:role/lbc`;

function withRole(trust: string | Record<string, unknown>, serviceAccounts: ServiceAccountSnapshot[]): EstateSnapshot {
  return estate([
    account(A, {
      clusters: [one.snapshot],
      oidcProviders: [provider(one)],
      roles: [role(A, 'lbc', trust)],
      serviceAccounts,
    }),
  ]);
}

const changePlan = (snapshot: EstateSnapshot) =>
  planEstate(snapshot).plans.find((p) => p.resourceArn === ROLE && p.after !== null);

describe('role plan risk', () => {
  it('is low for pure hardening: adding :aud denies only requests no known workload makes', () => {
    // Given the published :sub-only trust of a live cluster, and the workload it names
    const snapshot = withRole(publishedFixture('sub-only-recreated-cluster.json'), [
      serviceAccount(one, 'kube-system', 'aws-load-balancer-controller', ROLE),
    ]);
    // When planned
    const plan = changePlan(snapshot);
    // Then the plan pins :aud, narrows, and is rated low
    expect(plan?.ruleIds).toEqual(['IRSA-019']);
    expect(plan?.proof?.probes.newlyDenied).toBeGreaterThan(0);
    expect(plan?.risk.level).toBe('low');
    expect(plan?.risk.notes.join(' ')).toMatch(/no known workload of the role loses access/);
  });

  it('is high when a known workload of the role loses access', () => {
    // Given a :sub-only statement naming two workloads, one of which presents a custom audience
    const trust = policy(
      irsaStatement(one, [sa('kube-system', 'aws-load-balancer-controller'), sa('vault', 'agent')], { audience: null }),
    );
    const snapshot = withRole(trust, [
      serviceAccount(one, 'kube-system', 'aws-load-balancer-controller', ROLE),
      serviceAccount(one, 'vault', 'agent', ROLE, { audience: 'vault' }),
    ]);
    // When planned: :aud is pinned to sts.amazonaws.com, which the custom-audience workload does not present
    const plan = changePlan(snapshot);
    // Then the plan says who loses access and is rated high
    expect(plan?.ruleIds).toContain('IRSA-019');
    expect(plan?.risk.level).toBe('high');
    expect(plan?.risk.notes.join(' ')).toMatch(
      /Takes access away from who uses the role: system:serviceaccount:vault:agent/,
    );
  });
});
