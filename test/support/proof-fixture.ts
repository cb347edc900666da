/** A proof whose undeclared newly allowed list mixes exact-check witnesses and probe requests. */
import type { ProbeOutcome, Proof } from '../../lambdas/domain/plan/plan-model';

const FED = 'Federated arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/A';
const newly = (sub: string, source: 'exact' | 'probe'): ProbeOutcome => ({
  principal: FED,
  action: 'sts:AssumeRoleWithWebIdentity',
  sub,
  before: 'ImplicitDeny',
  after: 'Allow',
  source,
});

/** Two classes newly allowed by the exact check (one witness each), and three probe requests newly allowed. */
export const mixedProof: Proof = {
  intended: [],
  probes: {
    evaluated: 40,
    newlyAllowed: [],
    undeclaredNewlyAllowed: [
      newly('system:serviceaccount:a:*', 'exact'),
      newly('system:serviceaccount:b:*', 'exact'),
      newly('system:serviceaccount:a:x', 'probe'),
      newly('system:serviceaccount:a:y', 'probe'),
      newly('system:serviceaccount:b:z', 'probe'),
    ],
    newlyDenied: 1,
  },
  exact: { decided: true, classes: 2, undeclared: 2, work: 10 },
  size: { minifiedLength: 300, quota: 2048, withinQuota: true },
  holds: false,
  summary: ['the proof does not hold'],
};
