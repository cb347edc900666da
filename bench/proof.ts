/**
 * The exact proof on the largest policies the property test generates: 200 subjects over 10 providers, a wildcard
 * statement and a Deny, with the stale-provider repoint (the wildcard statement moved to a live provider).
 */

import { exactNewlyAllowed } from '../lambdas/domain/plan/proof/exact-difference';
import { type IntendedRequest, proveTrustChange } from '../lambdas/domain/plan/prove';
import { parseTrustPolicy } from '../lambdas/domain/trust-policy/parse-trust-policy';

const WI = 'sts:AssumeRoleWithWebIdentity';
const url = (i: number) => `oidc.eks.us-west-2.amazonaws.com/id/${i.toString(16).toUpperCase().padStart(32, '0')}`;
const arn = (i: number) => `arn:aws:iam::111111111111:oidc-provider/${url(i)}`;

export interface ProofBench {
  readonly subjects: number;
  readonly providers: number;
  readonly iterations: number;
  readonly exactMs: number;
  readonly proveMs: number;
  readonly classes: number;
  readonly undeclared: number;
  readonly work: number;
  readonly probes: number;
}

export function runProofBench(subjects: number, providers: number, iterations: number): ProofBench {
  const per = Math.ceil(subjects / providers);
  const statements: Record<string, unknown>[] = [];
  const intended: IntendedRequest[] = [];
  for (let p = 0; p < providers; p++) {
    const subs = Array.from({ length: per }, (_, i) => `system:serviceaccount:ns-${i % 7}:w${p}-${i}`);
    for (const sub of subs) intended.push({ providerArn: arn(p), sub, aud: 'sts.amazonaws.com', why: sub });
    statements.push({
      Effect: 'Allow',
      Principal: { Federated: arn(p) },
      Action: WI,
      Condition: { StringEquals: { [`${url(p)}:sub`]: subs, [`${url(p)}:aud`]: 'sts.amazonaws.com' } },
    });
  }
  const wildcard = (p: number) => ({
    Effect: 'Allow',
    Principal: { Federated: arn(p) },
    Action: WI,
    Condition: { StringLike: { [`${url(p)}:sub`]: 'system:serviceaccount:team-a:*' } },
  });
  const denyStatement = {
    Effect: 'Deny',
    Principal: { Federated: arn(0) },
    Action: WI,
    Condition: { StringLike: { [`${url(0)}:sub`]: 'system:serviceaccount:kube-system:*' } },
  };
  const before = { Version: '2012-10-17', Statement: [...statements, wildcard(99), denyStatement] };
  const after = { Version: '2012-10-17', Statement: [...statements, wildcard(providers - 1), denyStatement] };
  const b = parseTrustPolicy(before);
  const a = parseTrustPolicy(after);
  if (!b.ok || !a.ok) throw new Error('bench policies must read');
  const median = (f: () => void) => {
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      f();
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    return times[Math.floor(times.length / 2)] as number;
  };
  const exact = exactNewlyAllowed(b.policy, a.policy, intended, []);
  const proof = proveTrustChange({ before, after, intended, declared: [], quota: 1_000_000, otherProviders: [] });
  return {
    subjects: per * providers,
    providers,
    iterations,
    exactMs: median(() => exactNewlyAllowed(b.policy, a.policy, intended, [])),
    proveMs: median(() =>
      proveTrustChange({ before, after, intended, declared: [], quota: 1_000_000, otherProviders: [] }),
    ),
    classes: exact.classes.length,
    undeclared: exact.classes.filter((c) => !c.accountedFor).length,
    work: exact.work,
    probes: proof.probes.evaluated,
  };
}
