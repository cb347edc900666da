import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import { ruleMeta } from '../../../../lambdas/domain/rules/catalog';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  serviceAccount,
} from '../../../support/estate-builder';

// A finding's remediation is shown next to its plan: it must be true whether that plan is applicable or not.

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const roleArn = `arn:aws:iam::${A}:role/broad`;

function plan(workloads: boolean) {
  return planEstate(
    estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'broad', policy(irsaStatement(one, 'system:serviceaccount:*:*', { operator: 'StringLike' })))],
        serviceAccounts: workloads ? [serviceAccount(one, 'apps', 'web', roleArn)] : [],
      }),
    ]),
  );
}

describe('IRSA-018 remediation', () => {
  it('does not call the fix propose-only when the plan narrows :sub to the known workloads and is applicable', () => {
    // Given an over-broad :sub and a known workload on the cluster
    const result = plan(true);
    const finding = result.analysis.findings.find((f) => f.ruleId === 'IRSA-018');
    const fix = result.plans.find((p) => p.ruleIds.includes('IRSA-018'));
    // Then the plan is applicable, and the remediation says what it does, not that it is never applied
    expect(fix?.applicable).toBe(true);
    expect(finding?.remediation).not.toContain('never applied automatically');
    expect(finding?.remediation).toContain('narrows :sub to exactly those');
  });

  it('says why a person must give the list when no workload is known, as the plan does', () => {
    const result = plan(false);
    const fix = result.plans.find((p) => p.ruleIds.includes('IRSA-018'));
    expect(fix?.applicable).toBe(false);
    expect(ruleMeta('IRSA-018').remediation).toContain('When no workload is known, the list cannot be derived');
  });
});
