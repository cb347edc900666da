import fc from 'fast-check';
import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import { EstateIndex } from '../../../../../lambdas/domain/estate-index';
import { AnalysisContext } from '../../../../../lambdas/domain/rules/context';
import { readRole } from '../../../../../lambdas/domain/rules/document/role-pass';
import {
  fastPathEligible,
  isCanonicalStatement,
} from '../../../../../lambdas/domain/rules/irsa-statement/canonical-statement';
import type { EstateSnapshot } from '../../../../../lambdas/domain/snapshot';
import { account, cluster, estate, provider, role, serviceAccount } from '../../../../support/estate-builder';

const ACCOUNT = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: ACCOUNT });
const two = cluster({ name: 'two', region: 'eu-west-1', accountId: ACCOUNT });
const SUB = 'system:serviceaccount:ns:app';

/** The canonical part most of the time (6 in 7), else one of its mutations. */
function near<T>(canonical: T, ...mutations: T[]): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(canonical) },
    { weight: 1, arbitrary: fc.constantFrom(...mutations) },
  );
}

// Each part of the canonical statement, or one of its mutations.
const federated = near<unknown>(
  one.providerArn(),
  [one.providerArn()],
  two.providerArn(),
  one.providerArn('222222222222'),
  one.providerArn().replace('arn:aws:', 'arn:aws-cn:'),
  one.providerArn().toUpperCase(),
  `arn:aws:iam::${ACCOUNT}:oidc-provider/${one.hostPath}/`,
  `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/*`,
  one.hostPath,
  [one.providerArn(), two.providerArn()],
);
const principal = fc
  .tuple(federated, near<unknown>(undefined, `arn:aws:iam::${ACCOUNT}:root`, '*'))
  .map(([f, aws]) => (aws === '*' ? '*' : aws === undefined ? { Federated: f } : { Federated: f, AWS: aws }));
const action = near<unknown>(
  'sts:AssumeRoleWithWebIdentity',
  ['sts:AssumeRoleWithWebIdentity'],
  ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  'sts:AssumeRole',
  'sts:AssumeRoleWith*',
);
const prefix = near(one.hostPath, one.hostPath.toUpperCase(), two.hostPath, `https://${one.hostPath}`);
const subValue = near<unknown>(
  SUB,
  [SUB, 'system:serviceaccount:kube-system:other'],
  'system:serviceaccount: ns:app',
  'system:serviceaccount:ns:*',
  'system:serviceaccount:NS:app',
  'sts.amazonaws.com',
  [],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
  'system:serviceaccount:ns:${aws:username}',
);
const audValue = near<unknown>('sts.amazonaws.com', 'vault', [SUB], ['sts.amazonaws.com', 'vault']);
const subKey = fc.tuple(prefix, near('sub', 'Sub', ' sub', 'aud')).map(([p, c]) => `${p}:${c}`);
const audKey = fc.tuple(prefix, near('aud', 'AUD', 'amr')).map(([p, c]) => `${p}:${c}`);
const operator = near(
  'StringEquals',
  'StringLike',
  'StringEqualsIgnoreCase',
  'StringEqualsIfExists',
  'ForAnyValue:StringEquals',
  'stringEquals',
);
const condition = fc
  .record({
    subOp: operator,
    audOp: operator,
    sub: fc.oneof({ weight: 8, arbitrary: fc.tuple(subKey, subValue) }, { weight: 1, arbitrary: fc.constant(null) }),
    aud: fc.oneof({ weight: 8, arbitrary: fc.tuple(audKey, audValue) }, { weight: 1, arbitrary: fc.constant(null) }),
    extra: near<[string, unknown] | undefined>(undefined, ['aws:SourceIp', '10.0.0.1'], [`${one.hostPath}:amr`, 'x']),
  })
  .map(({ subOp, audOp, sub, aud, extra }) => {
    const out: Record<string, Record<string, unknown>> = {};
    const put = (op: string, [k, v]: [string, unknown]) => {
      out[op] ??= {};
      (out[op] as Record<string, unknown>)[k] = v;
    };
    if (sub) put(subOp, sub);
    if (aud) put(audOp, aud);
    if (extra) put('StringEquals', extra);
    return out;
  });
const statement = fc.record({
  Sid: near('Irsa', ''),
  Effect: near('Allow', 'Deny'),
  Principal: principal,
  Action: action,
  Condition: condition,
});
// A role of one or two statements, sometimes with a known workload (default or custom audience).
const roleSpec = fc.record({
  statements: fc.array(statement, { minLength: 1, maxLength: 2 }),
  workload: fc.constantFrom<undefined | { audience?: string }>(undefined, {}, { audience: 'vault' }),
});

function estateOf(roles: ReadonlyArray<{ statements: unknown[]; workload?: { audience?: string } }>): EstateSnapshot {
  const built = roles.map((r, i) => role(ACCOUNT, `r${i}`, { Version: '2012-10-17', Statement: r.statements }));
  const serviceAccounts = roles.flatMap((r, i) =>
    r.workload ? [serviceAccount(one, 'ns', 'app', built[i]?.arn ?? '', r.workload)] : [],
  );
  return estate([
    account(ACCOUNT, {
      clusters: [one.snapshot, two.snapshot],
      oidcProviders: [provider(one)],
      roles: built,
      serviceAccounts,
    }),
  ]);
}

/**
 * Analyzes the estate with and without the fast path (the JSON must be identical), then checks that the general
 * path reported nothing on each statement the fast path accepts. Returns how many statements it accepted and declined.
 */
function checkEstate(snapshot: EstateSnapshot): { canonical: number; declined: number } {
  const general = analyzeEstate(snapshot, { statementFastPath: false });
  expect(JSON.stringify(analyzeEstate(snapshot))).toBe(JSON.stringify(general));
  const ctx = new AnalysisContext(new EstateIndex(snapshot), {});
  const tally = { canonical: 0, declined: 0 };
  for (const ref of ctx.index.roles) {
    const analysis = readRole(ref, ctx);
    const eligible = fastPathEligible(analysis);
    for (const view of analysis.views) {
      if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
      if (!eligible || !isCanonicalStatement(view, analysis, ctx)) {
        tally.declined++;
        continue;
      }
      tally.canonical++;
      const onStatement = general.findings.filter(
        (f) =>
          f.resourceArn === ref.role.arn &&
          (f.evidence as { statementIndex?: number }).statementIndex === view.statement.index,
      );
      expect(onStatement).toEqual([]);
    }
  }
  return tally;
}

describe('isCanonicalStatement (the statement pass fast path)', () => {
  it('accepts only statements the general path reports nothing on, and analysis is the same with and without it', () => {
    let canonical = 0;
    let declined = 0;
    fc.assert(
      fc.property(fc.array(roleSpec, { minLength: 1, maxLength: 4 }), (roles) => {
        const tally = checkEstate(estateOf(roles));
        canonical += tally.canonical;
        declined += tally.declined;
      }),
      { numRuns: 1500, seed: 1313 },
    );
    // Both ways must be exercised often, or this test proves nothing.
    expect(canonical).toBeGreaterThan(300);
    expect(declined).toBeGreaterThan(1500);
  });

  it('takes the fast path on the reference statement, and not on a Deny policy', () => {
    const reference = {
      Effect: 'Allow',
      Principal: { Federated: one.providerArn() },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${one.hostPath}:sub`]: SUB, [`${one.hostPath}:aud`]: 'sts.amazonaws.com' } },
    };
    const deny = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    const decide = (statements: unknown[]) => {
      const snapshot = estateOf([{ statements }]);
      const ctx = new AnalysisContext(new EstateIndex(snapshot), {});
      const ref = ctx.index.roles[0];
      if (!ref) throw new Error('fixture has a role');
      const analysis = readRole(ref, ctx);
      const view = analysis.views[0];
      return fastPathEligible(analysis) && view !== undefined && isCanonicalStatement(view, analysis, ctx);
    };
    expect(decide([reference])).toBe(true);
    expect(decide([reference, deny])).toBe(false);
    expect(decide([{ ...reference, Action: 'sts:AssumeRole' }])).toBe(false);
  });
});
