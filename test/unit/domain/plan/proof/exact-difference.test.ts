import { type ExactResult, exactNewlyAllowed } from '../../../../../lambdas/domain/plan/proof/exact-difference';
import type { DeclaredWidening, IntendedRequest } from '../../../../../lambdas/domain/plan/prove';
import { evaluateTrustPolicy } from '../../../../../lambdas/domain/trust-policy/evaluate';
import type { TrustPolicy } from '../../../../../lambdas/domain/trust-policy/model';
import { parseTrustPolicy } from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';

const URL = 'oidc.eks.us-west-2.amazonaws.com/id/AAAA';
const P = `arn:aws:iam::111111111111:oidc-provider/${URL}`;
const WI = 'sts:AssumeRoleWithWebIdentity';
const SUB = `${URL}:sub`;
const sa = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

const read = (statements: Record<string, unknown>[]): TrustPolicy => {
  const r = parseTrustPolicy({ Version: '2012-10-17', Statement: statements });
  if (!r.ok) throw new Error(r.message);
  return r.policy;
};
const allow = (condition?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: { Federated: P },
  Action: WI,
  ...(condition ? { Condition: condition } : {}),
  ...extra,
});
const deny = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...allow(condition, extra),
  Effect: 'Deny',
});

function diff(
  before: Record<string, unknown>[],
  after: Record<string, unknown>[],
  intended: IntendedRequest[] = [],
  declared: DeclaredWidening[] = [],
  budget?: number,
): ExactResult {
  const b = read(before);
  const a = read(after);
  const result = exactNewlyAllowed(b, a, intended, declared, budget === undefined ? {} : { budget });
  // Every witness is what it claims to be, by the evaluator itself.
  for (const c of result.classes) {
    expect(evaluateTrustPolicy(b, c.request).decision).not.toBe('Allow');
    expect(evaluateTrustPolicy(a, c.request).decision).toBe('Allow');
  }
  return result;
}
const subOf = (r: ExactResult, i = 0) => r.classes[i]?.request.context[SUB];

describe('exactNewlyAllowed', () => {
  it('finds nothing when nothing changes, and when the change only narrows', () => {
    const s = allow({ StringEquals: { [SUB]: [sa('a', 'b'), sa('a', 'c')] } });
    expect(diff([s], [s])).toMatchObject({ decided: true, classes: [] });
    expect(diff([s], [allow({ StringEquals: { [SUB]: sa('a', 'b') } })])).toMatchObject({ decided: true, classes: [] });
  });

  it('StringEquals: an added subject is one class, accounted for by the intended workload', () => {
    const r = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      [allow({ StringEquals: { [SUB]: [sa('a', 'b'), sa('a', 'new')] } })],
      [{ providerArn: P, sub: sa('a', 'new'), aud: 'sts.amazonaws.com', why: 'the workload a/new' }],
    );
    expect(r.decided).toBe(true);
    expect(r.classes).toHaveLength(1);
    expect(subOf(r)).toEqual([sa('a', 'new')]);
    expect(r.classes[0]?.accountedFor).toEqual({ why: 'the workload a/new' });
  });

  it('StringLike: a wildcard is an undeclared class unless declared, and the declaration covers the whole class', () => {
    const before = [allow({ StringEquals: { [SUB]: sa('a', 'b') } })];
    const after = [allow({ StringLike: { [SUB]: 'system:serviceaccount:a:*' } })];
    const r = diff(before, after);
    expect(r.decided).toBe(true);
    expect(r.classes.map((c) => c.accountedFor)).toEqual([undefined]);
    expect(subOf(r)).toEqual(['system:serviceaccount:a:']);
    // Declared for namespace a only through a narrower pattern: what lies outside it stays undeclared.
    const narrower: DeclaredWidening = {
      class: 'wildcard-meant',
      why: 'meant',
      subPattern: 'system:serviceaccount:a:x*',
    };
    const split = diff(before, after, [], [narrower]);
    expect(split.classes.map((c) => c.accountedFor?.wideningClass ?? 'undeclared').sort()).toEqual([
      'undeclared',
      'wildcard-meant',
    ]);
    const whole: DeclaredWidening = { ...narrower, subPattern: 'system:serviceaccount:a:*', providerArn: P };
    const r2 = diff(before, after, [], [whole]);
    expect(r2.classes.map((c) => c.accountedFor?.wideningClass)).toEqual(['wildcard-meant']);
  });

  it('a dropped Deny (StringLike) newly allows what it denied', () => {
    const open = allow({ StringLike: { [SUB]: 'system:serviceaccount:*' } });
    const r = diff([open, deny({ StringLike: { [SUB]: 'system:serviceaccount:kube-system:*' } })], [open]);
    expect(r.classes).toHaveLength(1);
    expect(subOf(r)).toEqual(['system:serviceaccount:kube-system:']);
  });

  it('StringNotEquals and IfExists: absence is a region of its own', () => {
    const r = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      [allow({ StringNotEqualsIfExists: { [SUB]: sa('x', 'y') } })],
    );
    expect(r.decided).toBe(true);
    // No :sub at all, or a :sub other than a/b and x/y: the same class (both statements treat them alike).
    expect(r.classes.map((c) => c.request.context[SUB])).toEqual([undefined]);
  });

  it('StringEqualsIgnoreCase and Bool compare ignoring case, with witnesses that are their own lower case', () => {
    const r = diff(
      [allow({ StringEqualsIgnoreCase: { [SUB]: sa('a', 'b') } })],
      [allow({ StringEqualsIgnoreCase: { [SUB]: [sa('a', 'b'), 'System:ServiceAccount:A:C'] } })],
    );
    expect(r.decided).toBe(true);
    expect(r.classes).toHaveLength(1);
    expect(subOf(r)).toEqual(['System:ServiceAccount:A:C']);
    // One key compared both with and without case is not modeled: undecided when it matters.
    const mixed = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      [allow({ StringEqualsIgnoreCase: { [SUB]: sa('a', 'b') } })],
    );
    expect(mixed).toMatchObject({ decided: false, reason: expect.stringContaining('with and without case') });
    const mfa = diff(
      [allow({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } })],
      [allow({ Bool: { 'aws:multifactorauthpresent': ['TRUE', 'false'] } })],
    );
    expect(mfa.classes.map((c) => c.request.context['aws:MultiFactorAuthPresent'])).toEqual([['false']]);
  });

  it('ForAnyValue / ForAllValues: absence and multi-valued keys, with as many values as the class needs', () => {
    const any = diff(
      [allow({ 'ForAnyValue:StringEquals': { amr: 'a' } })],
      [allow({ 'ForAllValues:StringEquals': { amr: 'a' } })],
    );
    expect(any.classes.map((c) => c.request.context.amr)).toEqual([undefined]);
    // Newly allowed only with both values: a Deny on "any value is b" becomes "every value is b".
    const both = diff(
      [allow({ StringEquals: { amr: 'a' } }), deny({ 'ForAnyValue:StringEquals': { amr: 'b' } })],
      [allow({ StringEquals: { amr: 'a' } }), deny({ 'ForAllValues:StringEquals': { amr: 'b' } })],
    );
    expect(both.decided).toBe(true);
    expect(both.classes).toHaveLength(1);
    expect([...(both.classes[0]?.request.context.amr ?? [])].sort()).toEqual(['a', 'b']);
  });

  it('Null tests presence only', () => {
    const r = diff(
      [allow({ Null: { 'aws:SourceAccount': 'false' } })],
      [allow({ Null: { 'aws:SourceAccount': ['true', 'false'] } })],
    );
    expect(r.classes.map((c) => c.request.context['aws:SourceAccount'])).toEqual([undefined]);
  });

  it('principals: Service ignoring case, an account id naming its ARNs, NotPrincipal, NotAction', () => {
    const svc = diff(
      [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      [
        {
          Effect: 'Allow',
          Principal: { Service: ['EC2.amazonaws.com', 'pods.eks.amazonaws.com'] },
          Action: 'sts:AssumeRole',
        },
      ],
    );
    expect(svc.classes.map((c) => c.request.principal)).toEqual([{ type: 'Service', id: 'pods.eks.amazonaws.com' }]);
    const account = diff([], [{ Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: 'sts:AssumeRole' }]);
    expect(account.classes.map((c) => c.request.principal.id)).toEqual(
      expect.arrayContaining(['222222222222', expect.stringMatching(/^arn:aws:iam::222222222222:/)]),
    );
    const notPrincipal = diff(
      [],
      [{ Effect: 'Allow', NotPrincipal: { Service: 'ec2.amazonaws.com' }, NotAction: 'sts:TagSession' }],
    );
    expect(notPrincipal.decided).toBe(true);
    expect(notPrincipal.classes.some((c) => c.request.principal.id === 'ec2.amazonaws.com')).toBe(false);
    expect(notPrincipal.classes.every((c) => c.request.action.toLowerCase() !== 'sts:tagsession')).toBe(true);
  });

  it('an account written arn:<partition>:iam::<account>:root is the account, as its 12-digit id is', () => {
    // Given a role trusted by one role of account 222222222222, then by the account (CDK AccountRootPrincipal)
    const role = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:role/ci' }, Action: 'sts:AssumeRole' };
    const root = { ...role, Principal: { AWS: 'arn:aws:iam::222222222222:root' } };
    const id = { ...role, Principal: { AWS: '222222222222' } };
    // Then the two spellings of the account allow the same requests of its partition: nothing new from the ARN form,
    // and from the 12-digit form (which holds in any partition) only the account's principals of another partition
    expect(diff([id], [root])).toMatchObject({ decided: true, classes: [] });
    expect(diff([root], [id]).classes.map((c) => c.request.principal.id)).toEqual([
      expect.stringMatching(/^arn:aws-cn:iam::222222222222:/),
    ]);
    // And widening one role to the account newly allows the account's other principals (a fresh one stands for them)
    const widened = diff([role], [root]).classes.map((c) => c.request.principal.id);
    expect(widened).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::222222222222:root',
        expect.stringMatching(/^arn:aws:iam::222222222222:root./),
      ]),
    );
    expect(widened).not.toContain('arn:aws:iam::222222222222:role/ci');
    expect(widened.every((p) => p.startsWith('arn:aws:iam::222222222222:'))).toBe(true);
  });

  it('actions: a pattern is cut by the literals it covers, ignoring case', () => {
    const r = diff([allow()], [allow(undefined, { Action: 'STS:AssumeRole*' })]);
    expect(r.decided).toBe(true);
    expect(r.classes.map((c) => c.request.action.toLowerCase()).sort()).toEqual(['sts:assumerole']);
  });

  it('is undecided, naming what it does not model, when a newly allowed branch depends on it', () => {
    const r = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      [
        allow({ StringEquals: { [SUB]: sa('a', 'b') } }),
        allow({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }),
      ],
    );
    expect(r).toMatchObject({
      decided: false,
      reason: expect.stringContaining('NumericLessThan (aws:MultiFactorAuthAge)'),
    });
    // The same operator in a statement both documents share, on a change it cannot affect: decided.
    const ip = {
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    };
    const narrow = diff(
      [ip, allow({ StringLike: { [SUB]: 'system:serviceaccount:a:*' } })],
      [ip, allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
    );
    expect(narrow).toMatchObject({ decided: true, classes: [] });
    // Policy variables too.
    const variables = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
      [allow({ StringLike: { [SUB]: 'system:serviceaccount:${aws:username}:*' } })],
    );
    expect(variables).toMatchObject({ decided: false, reason: expect.stringContaining('policy variables') });
  });

  it('is undecided when it runs out of budget, never a guess', () => {
    const r = diff(
      [allow({ StringEquals: { [SUB]: sa('a', 'b') } })],
      [allow({ StringLike: { [SUB]: 'system:serviceaccount:a:*' } })],
      [],
      [],
      10,
    );
    expect(r).toMatchObject({ decided: false, reason: expect.stringContaining('budget') });
  });
});

describe('exactNewlyAllowed on a hostile policy', () => {
  it('gives up within its budget (undecided) instead of hanging on many long overlapping patterns', () => {
    const patterns = Array.from(
      { length: 60 },
      (_, i) => `*${'ab'.repeat(i % 7)}*${String.fromCharCode(97 + (i % 26))}*?*${i}*`,
    );
    const r = diff(
      [allow({ StringLike: { [SUB]: patterns.slice(0, 30) } })],
      [allow({ StringLike: { [SUB]: patterns } })],
    );
    expect(r.decided).toBe(false);
    if (!r.decided) expect(r.reason).toContain('budget');
  });
});
