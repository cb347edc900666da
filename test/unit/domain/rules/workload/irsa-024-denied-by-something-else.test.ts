import fc from 'fast-check';
import { EstateIndex } from '../../../../../lambdas/domain/estate-index';
import { canonicalStatementAllows } from '../../../../../lambdas/domain/rules/workload/irsa-024-denied-by-something-else';
import { classifyStatement } from '../../../../../lambdas/domain/trust-policy/classify';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { account, cluster, estate } from '../../../../support/estate-builder';

const one = cluster({ name: 'one', region: 'us-west-2', accountId: '111111111111' });
const two = cluster({ name: 'two', region: 'us-west-2', accountId: '111111111111' });
const index = new EstateIndex(estate([account('111111111111', { clusters: [one.snapshot, two.snapshot] })]));
const target = index.clusters[0];

const subject = fc.constantFrom(
  'system:serviceaccount:ns:app',
  'system:serviceaccount:ns:other',
  'system:serviceaccount:kube-system:app',
);
const subPattern = fc.constantFrom(
  'system:serviceaccount:ns:app',
  'system:serviceaccount:ns:*',
  'system:serviceaccount:*:app',
  'system:serviceaccount:ns:ap?',
  '*',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
  'system:serviceaccount:ns:${aws:username}',
);
const audience = fc.constantFrom('sts.amazonaws.com', 'vault', 'sts.amazonaws.com.cn');
const prefix = fc.constantFrom(one.hostPath, one.hostPath.toUpperCase(), two.hostPath, `https://${one.hostPath}`);
const claim = fc.constantFrom('sub', 'aud', 'SUB', 'amr');
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'StringNotEquals',
  'ForAnyValue:StringEquals',
  'StringEqualsIfExists',
  'StringEqualsIgnoreCase',
  'Null',
);
const condition = fc.dictionary(
  operator,
  fc.dictionary(
    fc.tuple(prefix, claim).map(([p, c]) => `${p}:${c}`),
    fc.oneof(subPattern, audience, fc.array(fc.oneof(subPattern, audience), { minLength: 1, maxLength: 3 })),
    { maxKeys: 3 },
  ),
  { maxKeys: 3 },
);
const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
  Principal: fc.constantFrom(
    { Federated: one.providerArn() },
    { Federated: two.providerArn() },
    { Federated: [one.providerArn(), two.providerArn()] },
    '*',
    { AWS: '*' },
  ),
  Action: fc.constantFrom(
    'sts:AssumeRoleWithWebIdentity',
    'sts:AssumeRole*',
    ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'],
    'sts:AssumeRole',
  ),
  Condition: condition,
});

describe('canonicalStatementAllows', () => {
  it('never says allowed when the evaluator would deny (5,000 generated statements)', () => {
    let decided = 0;
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 3 }), subject, audience, (statements, sub, aud) => {
        const read = parseTrustPolicy({ Version: '2012-10-17', Statement: statements });
        if (!read.ok || !target) return;
        if (read.policy.statements.some((s) => s.effect === 'Deny')) return;
        const request = webIdentityRequest(one.providerArn(), one.hostPath, { sub, aud });
        const evaluation = evaluateTrustPolicy(read.policy, request);
        const shortcut = read.policy.statements.filter(
          (s) =>
            s.effect === 'Allow' && canonicalStatementAllows(classifyStatement(s), target, one.providerArn(), sub, aud),
        );
        decided += shortcut.length;
        if (shortcut.length > 0) expect(evaluation.decision).toBe('Allow');
      }),
      { numRuns: 5000, seed: 4242 },
    );
    // The shortcut must actually be taken on a good share of inputs, or this test proves nothing.
    expect(decided).toBeGreaterThan(100);
  });

  it('declines what it cannot decide: other keys, qualifiers, variables, another provider', () => {
    const view = (condition: Record<string, unknown>, federated = one.providerArn()) => {
      const read = parseTrustPolicy({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: federated },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: condition,
          },
        ],
      });
      if (!read.ok || !read.policy.statements[0]) throw new Error('fixture must read');
      return classifyStatement(read.policy.statements[0]);
    };
    const sub = 'system:serviceaccount:ns:app';
    const ok = { StringEquals: { [`${one.hostPath}:sub`]: sub, [`${one.hostPath}:aud`]: 'sts.amazonaws.com' } };
    if (!target) throw new Error('target');
    expect(canonicalStatementAllows(view(ok), target, one.providerArn(), sub, 'sts.amazonaws.com')).toBe(true);
    expect(
      canonicalStatementAllows(view(ok, two.providerArn()), target, one.providerArn(), sub, 'sts.amazonaws.com'),
    ).toBe(false);
    expect(
      canonicalStatementAllows(
        view({ ...ok, StringNotEquals: { 'aws:SourceIp': '10.0.0.1' } }),
        target,
        one.providerArn(),
        sub,
        'sts.amazonaws.com',
      ),
    ).toBe(false);
    expect(
      canonicalStatementAllows(
        view({ 'ForAnyValue:StringEquals': { [`${one.hostPath}:sub`]: sub } }),
        target,
        one.providerArn(),
        sub,
        'sts.amazonaws.com',
      ),
    ).toBe(false);
    expect(
      canonicalStatementAllows(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
        view({ StringEquals: { [`${one.hostPath}:sub`]: 'system:serviceaccount:ns:${aws:x}' } }),
        target,
        one.providerArn(),
        sub,
        'sts.amazonaws.com',
      ),
    ).toBe(false);
  });
});
