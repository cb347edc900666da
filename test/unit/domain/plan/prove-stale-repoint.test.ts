/**
 * Issue 12, point 1: a stale-provider repoint on a role whose other statement names many literal subjects. The
 * repointed statement lets every service account of a namespace in; before the exact proof, the probe set kept 36
 * subjects and cut the attacker probes first, so the plan came out applicable ("none newly allowed"); in this estate the
 * subject variants fill the sample before the attacker probes with 35 subjects too (checked against the old prove.ts).
 */

import { planEstate } from '../../../../lambdas/domain/plan/plan-estate';
import type { Plan } from '../../../../lambdas/domain/plan/plan-model';
import { evaluateTrustPolicy, type TrustRequest } from '../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { wildcardMatch } from '../../../../lambdas/domain/trust-policy/wildcard';
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

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const two = cluster({ name: 'two', region: 'eu-west-1', accountId: A });
/** cluster one before it was recreated: same region, another issuer id; its provider is gone. */
const stale = cluster({ name: 'one', region: 'us-west-2', accountId: A, id: 'DEADBEEFDEADBEEFDEADBEEFDEADBEEF' });
const roleArn = `arn:aws:iam::${A}:role/shared`;

function stalePlan(subjects: number, repointed = 'system:serviceaccount:team-a:*'): Plan | undefined {
  const named = Array.from({ length: subjects }, (_, i) => sa('a', `w${i}`));
  const snapshot = estate([
    account(A, {
      clusters: [one.snapshot, two.snapshot],
      oidcProviders: [provider(one), provider(two)],
      roles: [
        role(
          A,
          'shared',
          policy(
            irsaStatement(stale, repointed, { operator: 'StringLike', sid: 'Batch' }),
            irsaStatement(two, named, { sid: 'Apps' }),
          ),
        ),
      ],
      serviceAccounts: [serviceAccount(one, 'team-a', 'batch', roleArn)],
    }),
  ]);
  const plans = planEstate(snapshot).plans.filter(
    (p) => p.resourceArn === roleArn && p.action === 'update-trust-policy',
  );
  return plans.find((p) => p.ruleIds.includes('IRSA-012'));
}

describe.each([37, 35])('a stale-provider repoint next to a statement naming %i subjects', (subjects) => {
  const plan = stalePlan(subjects);

  it('is refused: the proof finds that every service account of team-a on cluster one gets in, and shows one', () => {
    expect(plan?.ruleIds).toContain('IRSA-012');
    expect(plan?.proof?.size.withinQuota).toBe(true);
    expect(plan?.applicable).toBe(false);
    expect(plan?.proof?.holds).toBe(false);
    expect(plan?.proof?.exact.decided).toBe(true);
    const witnesses = plan?.proof?.probes.undeclaredNewlyAllowed.filter((o) => o.source === 'exact') ?? [];
    expect(witnesses.length).toBeGreaterThan(0);
    const w = witnesses[0];
    expect(w?.principal).toBe(`Federated ${one.providerArn()}`);
    expect(wildcardMatch('system:serviceaccount:team-a:*', w?.sub ?? '')).toBe(true);
    // The witness is a real request of the class: denied before, allowed after, by the evaluator itself.
    const request: TrustRequest = {
      principal: { type: 'Federated', id: one.providerArn() },
      action: w?.action ?? '',
      context: w?.context ?? {},
    };
    for (const [doc, decision] of [
      [plan?.before, 'ImplicitDeny'],
      [plan?.after, 'Allow'],
    ] as const) {
      const read = parseTrustPolicy(doc);
      expect(read.ok && evaluateTrustPolicy(read.policy, request).decision).toBe(decision);
    }
    expect(plan?.proof?.summary.join(' ')).toMatch(
      /NOT accounted for \(witness: Federated arn:aws:iam::111111111111:oidc-provider\/oidc\.eks\.us-west-2/,
    );
  });
});

describe('the same repoint when the statement names its one workload', () => {
  it('is applicable: the exact check finds only the named workload newly allowed', () => {
    const plan = stalePlan(37, sa('team-a', 'batch'));
    expect(plan?.ruleIds).toContain('IRSA-012');
    expect(plan?.proof?.exact).toMatchObject({ decided: true, undeclared: 0 });
    expect(plan?.proof?.probes.undeclaredNewlyAllowed).toEqual([]);
    expect(plan?.proof?.probes.newlyAllowed.map((o) => [o.principal, o.sub, o.source])).toEqual([
      [`Federated ${one.providerArn()}`, sa('team-a', 'batch'), 'exact'],
    ]);
    expect(plan?.proof?.holds).toBe(true);
    expect(plan?.applicable).toBe(true);
  });
});
