import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Evaluation,
  evaluateTrustPolicy,
  type TrustRequest,
  webIdentityRequest,
} from '../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { ACTION, AUD_KEY, ISSUER, OTHER_ISSUER, OTHER_PROVIDER, PROVIDER, SUB_KEY } from '../../../support/issuers';

const AMR_KEY = `${ISSUER}:amr`;
const SUB = 'system:serviceaccount:ns:app';
const OTHER_SUB = 'system:serviceaccount:ns:other';
const AUD = 'sts.amazonaws.com';

type Doc = Record<string, unknown>;
type Context = Record<string, string | readonly string[]>;

/** The reference IRSA statement; `overrides` replace elements, and an `undefined` override removes one. */
function statement(overrides: Doc = {}): Doc {
  const base: Doc = {
    Effect: 'Allow',
    Principal: { Federated: PROVIDER },
    Action: ACTION,
    Condition: { StringEquals: { [SUB_KEY]: SUB, [AUD_KEY]: AUD } },
  };
  const out: Doc = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete out[key];
  return out;
}

function policy(...statements: Doc[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

/** A request from the trusted provider carrying exactly `context`. */
function requestWith(context: Context): TrustRequest {
  return { principal: { type: 'Federated', id: PROVIDER }, action: ACTION, context };
}

const CLAIMS: Context = { [SUB_KEY]: SUB, [AUD_KEY]: AUD };
const REQUEST = webIdentityRequest(PROVIDER, ISSUER, { sub: SUB, aud: AUD });

function decide(document: Doc, request: TrustRequest = REQUEST): Evaluation {
  const read = parseTrustPolicy(document);
  if (!read.ok) throw new Error(`fixture does not read: ${read.message}`);
  return evaluateTrustPolicy(read.policy, request);
}

describe('evaluateTrustPolicy: the reference IRSA policy', () => {
  it('allows the pod it was written for, decided by its only statement', () => {
    // Given the reference policy and the pod's projected-token claims
    // When the request is evaluated
    const evaluation = decide(policy(statement({ Sid: 'Irsa' })));

    // Then it is allowed, by statement #0, with both conditions holding
    expect(evaluation.decision).toBe('Allow');
    expect(evaluation.decidedBy?.index).toBe(0);
    expect(evaluation.decidedBy?.sid).toBe('Irsa');
    expect(evaluation.explanation).toBe('allowed by statement #0 (Irsa)');
    expect(evaluation.decidedBy?.conditions.map((c) => [c.key, c.result])).toEqual([
      [SUB_KEY, true],
      [AUD_KEY, true],
    ]);
  });

  it.each([
    ['the sub names another service account', { sub: OTHER_SUB, aud: AUD }, SUB_KEY, OTHER_SUB],
    ['the aud is not sts.amazonaws.com', { sub: SUB, aud: 'vault' }, AUD_KEY, 'vault'],
  ])('fails when %s, naming the failing key', (_case, claims, failingKey, wrongValue) => {
    // Given the reference policy and a token with one wrong claim
    // When the request is evaluated
    const evaluation = decide(policy(statement()), webIdentityRequest(PROVIDER, ISSUER, claims));

    // Then it is implicitly denied, and the closest statement's failing condition is that claim's key
    expect(evaluation.decision).toBe('ImplicitDeny');
    expect(evaluation.closest?.index).toBe(0);
    expect(evaluation.failedCondition?.key).toBe(failingKey);
    expect(evaluation.failedCondition?.result).toBe(false);
    expect(evaluation.explanation).toContain(failingKey);
    expect(evaluation.explanation).toContain(JSON.stringify(wrongValue));
  });
});

describe('evaluateTrustPolicy: Effect, Principal and Action', () => {
  describe('Compliance', () => {
    it.each<[string, Doc]>([
      ['Principal is "*"', statement({ Principal: '*' })],
      ['Principal is {"AWS": "*"}', statement({ Principal: { AWS: '*' } })],
      [
        'the provider is one of several Federated principals',
        statement({ Principal: { Federated: [OTHER_PROVIDER, PROVIDER] } }),
      ],
      [
        'NotPrincipal names only another provider',
        statement({ Principal: undefined, NotPrincipal: { Federated: OTHER_PROVIDER } }),
      ],
      ['Action is sts:AssumeRole*', statement({ Action: 'sts:AssumeRole*' })],
      ['Action is *', statement({ Action: '*' })],
      ['Action uses ? for single characters', statement({ Action: 'sts:AssumeRoleWith???Identity' })],
      ['Action is written in another letter case', statement({ Action: 'STS:assumerolewithwebidentity' })],
      ['NotAction excludes only sts:AssumeRole', statement({ Action: undefined, NotAction: 'sts:AssumeRole' })],
    ])('allows when %s', (_case, s) => {
      // Given a policy whose only statement differs from the reference in that element
      // When the pod's request is evaluated
      const evaluation = decide(policy(s));

      // Then that statement allows it
      expect(evaluation.decision).toBe('Allow');
      expect(evaluation.decidedBy?.index).toBe(0);
    });
  });

  describe('Noncompliance', () => {
    it.each<[string, Doc, { principal: boolean; action: boolean }]>([
      [
        'Principal is the EKS service',
        statement({ Principal: { Service: 'eks.amazonaws.com' } }),
        { principal: false, action: true },
      ],
      [
        'Principal is another cluster provider',
        statement({ Principal: { Federated: OTHER_PROVIDER } }),
        { principal: false, action: true },
      ],
      [
        'NotPrincipal names the requesting provider',
        statement({ Principal: undefined, NotPrincipal: { Federated: PROVIDER } }),
        { principal: false, action: true },
      ],
      ['Action is sts:AssumeRole', statement({ Action: 'sts:AssumeRole' }), { principal: true, action: false }],
      [
        'NotAction names sts:AssumeRoleWithWebIdentity',
        statement({ Action: undefined, NotAction: ACTION }),
        { principal: true, action: false },
      ],
      [
        'NotAction is sts:Assume*',
        statement({ Action: undefined, NotAction: 'sts:Assume*' }),
        { principal: true, action: false },
      ],
      [
        'Effect is "allow" (IAM accepts only Allow and Deny)',
        statement({ Effect: 'allow' }),
        { principal: true, action: true },
      ],
      ['Effect is missing', statement({ Effect: undefined }), { principal: true, action: true }],
    ])('fails when %s', (_case, s, matched) => {
      // Given a policy whose only statement differs from the reference in that element
      // When the pod's request is evaluated
      const evaluation = decide(policy(s));

      // Then nothing allows it, and the trace shows which element did not match
      expect(evaluation.decision).toBe('ImplicitDeny');
      expect(evaluation.decidedBy).toBeUndefined();
      expect(evaluation.statements[0]?.applies).toBe(false);
      expect(evaluation.statements[0]?.principalMatched).toBe(matched.principal);
      expect(evaluation.statements[0]?.actionMatched).toBe(matched.action);
    });

    it('fails when only a Service principal is trusted, saying no Allow names the Federated principal', () => {
      // Given a policy trusting only eks.amazonaws.com
      // When the pod's web-identity request is evaluated
      const evaluation = decide(policy(statement({ Principal: { Service: 'eks.amazonaws.com' } })));

      // Then the explanation names the requesting principal
      expect(evaluation.decision).toBe('ImplicitDeny');
      expect(evaluation.explanation).toBe(`no Allow statement names the principal Federated ${PROVIDER}`);
    });
  });
});

describe('evaluateTrustPolicy: AWS account principals', () => {
  // CDK AccountRootPrincipal, as synthesized (test/fixtures/published/README.md): AWS arn:aws:iam::<account>:root.
  const CDK_ROOT = JSON.parse(
    readFileSync(join(__dirname, '../../../fixtures/published/cdk-account-root-principal.json'), 'utf8'),
  ) as Doc;
  const BY_ID = JSON.parse(JSON.stringify(CDK_ROOT).replace('arn:aws:iam::111111111111:root', '111111111111')) as Doc;
  const aws = (id: string): TrustRequest => ({ principal: { type: 'AWS', id }, action: 'sts:AssumeRole', context: {} });

  it.each([
    ['a role of the account', 'arn:aws:iam::111111111111:role/deploy', 'Allow'],
    ['an assumed-role session of the account', 'arn:aws:sts::111111111111:assumed-role/deploy/session', 'Allow'],
    ['a user of the account', 'arn:aws:iam::111111111111:user/alice', 'Allow'],
    ['the account root itself', 'arn:aws:iam::111111111111:root', 'Allow'],
    ['the bare account id', '111111111111', 'Allow'],
    ['a role of another account', 'arn:aws:iam::222222222222:role/deploy', 'ImplicitDeny'],
    ['an ARN with the account in another field', 'arn:aws:iam::222222222222:role/111111111111', 'ImplicitDeny'],
  ])('treats AWS arn:aws:iam::<account>:root as the account: %s -> %s', (_case, id, expected) => {
    // Given the CDK trust and the same trust with the account written as its id
    // When the principal asks, Then both decide alike
    expect(decide(CDK_ROOT, aws(id)).decision).toBe(expected);
    expect(decide(BY_ID, aws(id)).decision).toBe(expected);
  });

  it('keeps the partition of the ARN form; the 12-digit form holds in any partition', () => {
    const china = aws('arn:aws-cn:iam::111111111111:role/deploy');
    expect(decide(CDK_ROOT, china).decision).toBe('ImplicitDeny');
    expect(decide(BY_ID, china).decision).toBe('Allow');
  });

  it('does not read other :root-like values as an account', () => {
    const odd = (value: string) =>
      JSON.parse(JSON.stringify(CDK_ROOT).replace('arn:aws:iam::111111111111:root', value)) as Doc;
    const request = aws('arn:aws:iam::111111111111:role/deploy');
    for (const value of [
      'arn:aws:iam::111111111111:user/root',
      'arn:aws:iam::11111111111:root',
      'arn:aws:sts::111111111111:root',
    ]) {
      expect(decide(odd(value), request).decision).toBe('ImplicitDeny');
    }
  });
});

describe('evaluateTrustPolicy: Deny', () => {
  const deny = (overrides: Doc = {}) =>
    statement({ Sid: 'NoApp', Effect: 'Deny', Condition: { StringEquals: { [SUB_KEY]: SUB } }, ...overrides });

  it.each<[string, Doc]>([
    ['after the Allow', policy(statement(), deny())],
    ['before the Allow', policy(deny(), statement())],
  ])('an applicable Deny wins %s, and decidedBy names it', (_case, document) => {
    // Given an Allow and a Deny that both apply to the pod
    // When the request is evaluated
    const evaluation = decide(document);

    // Then the Deny decides
    expect(evaluation.decision).toBe('ExplicitDeny');
    expect(evaluation.decidedBy?.sid).toBe('NoApp');
    expect(evaluation.decidedBy?.effect).toBe('Deny');
    expect(evaluation.explanation).toContain('NoApp');
  });

  it.each<[string, Doc]>([
    ['its condition does not hold', deny({ Condition: { StringEquals: { [SUB_KEY]: OTHER_SUB } } })],
    [
      'its NotPrincipal names the requesting provider',
      deny({ Principal: undefined, NotPrincipal: { Federated: PROVIDER } }),
    ],
    ['its Effect is "deny" (not exactly Deny)', deny({ Effect: 'deny' })],
    [
      'its negated operator is misspelled, even with the key absent',
      deny({ Condition: { StringNotEqual: { [AMR_KEY]: 'x' } } }),
    ],
  ])('a Deny does not apply when %s, so the Allow decides', (_case, d) => {
    // Given the reference Allow and a Deny that should not apply
    // When the pod's request is evaluated
    const evaluation = decide(policy(statement(), d));

    // Then the Allow decides
    expect(evaluation.decision).toBe('Allow');
    expect(evaluation.decidedBy?.index).toBe(0);
  });

  it('a Deny with NotPrincipal naming another provider denies the pod', () => {
    // Given a Deny for everyone but another cluster's provider
    // When the pod's request is evaluated
    const evaluation = decide(
      policy(statement(), deny({ Principal: undefined, NotPrincipal: { Federated: OTHER_PROVIDER } })),
    );

    // Then it is explicitly denied
    expect(evaluation.decision).toBe('ExplicitDeny');
    expect(evaluation.decidedBy?.index).toBe(1);
  });
});

/** The one condition key of a one-operator, one-key condition block. */
function onlyKey(condition: Doc): string {
  const [block] = Object.values(condition);
  const [key] = Object.keys(block as Doc);
  if (key === undefined) throw new Error('fixture has no condition key');
  return key;
}

describe('evaluateTrustPolicy: condition operators', () => {
  const arnContext = (arn: string): Context => ({ ...CLAIMS, 'aws:SourceArn': arn });
  const CLUSTER_ARN = 'arn:aws:eks:us-west-2:111111111111:cluster/prod';

  describe('Compliance', () => {
    it.each<[string, Doc, Context]>([
      ['several StringEquals values are ORed', { StringEquals: { [SUB_KEY]: [OTHER_SUB, SUB] } }, CLAIMS],
      [
        'several StringNotEquals values are NORed and none matches',
        { StringNotEquals: { [SUB_KEY]: [OTHER_SUB, 'x'] } },
        CLAIMS,
      ],
      ['a negated operator meets an absent key', { StringNotEquals: { [SUB_KEY]: OTHER_SUB } }, { [AUD_KEY]: AUD }],
      [
        'StringEqualsIfExists meets an absent key',
        { StringEqualsIfExists: { [SUB_KEY]: OTHER_SUB } },
        { [AUD_KEY]: AUD },
      ],
      ['StringEqualsIfExists meets a matching key', { StringEqualsIfExists: { [SUB_KEY]: SUB } }, CLAIMS],
      ['Null "true" meets an absent key', { Null: { [SUB_KEY]: 'true' } }, { [AUD_KEY]: AUD }],
      ['Null "false" meets a present key', { Null: { [SUB_KEY]: 'false' } }, CLAIMS],
      ['ForAllValues meets an absent key', { 'ForAllValues:StringEquals': { [AMR_KEY]: 'authenticated' } }, CLAIMS],
      [
        'ForAllValues: every request value is listed',
        { 'ForAllValues:StringEquals': { [AMR_KEY]: ['authenticated', 'mfa'] } },
        { ...CLAIMS, [AMR_KEY]: ['mfa', 'authenticated'] },
      ],
      [
        'ForAnyValue: one request value is listed',
        { 'ForAnyValue:StringEquals': { [AMR_KEY]: 'authenticated' } },
        { ...CLAIMS, [AMR_KEY]: ['unauthenticated', 'authenticated'] },
      ],
      ['the policy key is written in another case', { StringEquals: { [`${ISSUER.toUpperCase()}:SUB`]: SUB } }, CLAIMS],
      [
        'the request key is written in another case',
        { StringEquals: { [SUB_KEY]: SUB } },
        { [`${ISSUER.toUpperCase()}:Sub`]: SUB },
      ],
      [
        'StringEqualsIgnoreCase ignores the value case',
        { StringEqualsIgnoreCase: { [SUB_KEY]: SUB.toUpperCase() } },
        CLAIMS,
      ],
      ['StringLike * matches a run of characters', { StringLike: { [SUB_KEY]: 'system:serviceaccount:ns:*' } }, CLAIMS],
      ['StringLike * matches across colons', { StringLike: { [SUB_KEY]: 'system:serviceaccount:*:app' } }, CLAIMS],
      ['StringLike ? matches one character', { StringLike: { [SUB_KEY]: 'system:serviceaccount:ns:ap?' } }, CLAIMS],
      [
        'StringLike * still matches where the value holds a *',
        { StringLike: { [SUB_KEY]: 'system:serviceaccount:*' } },
        { [SUB_KEY]: 'system:serviceaccount:*:app' },
      ],
      [
        'Bool matches the boolean',
        { Bool: { 'aws:SecureTransport': 'true' } },
        { ...CLAIMS, 'aws:SecureTransport': 'true' },
      ],
      [
        'ArnLike matches each ARN component',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:eks:*:111111111111:cluster/*' } },
        arnContext(CLUSTER_ARN),
      ],
      ['ArnEquals matches the same ARN', { ArnEquals: { 'aws:SourceArn': CLUSTER_ARN } }, arnContext(CLUSTER_ARN)],
      [
        'a policy variable resolves under Version 2012-10-17',
        { StringEquals: { [SUB_KEY]: `\${${SUB_KEY}}` } },
        CLAIMS,
      ],
      [
        'a negated operator holds against a variable with no value',
        { StringNotEquals: { [SUB_KEY]: `system:serviceaccount:ns:\${aws:username}` } },
        CLAIMS,
      ],
      [
        `\${*} is a literal * under StringLike`,
        { StringLike: { [SUB_KEY]: `system:serviceaccount:ns:\${*}` } },
        { [SUB_KEY]: 'system:serviceaccount:ns:*' },
      ],
      [
        `\${*} is a * under StringEquals`,
        { StringEquals: { [SUB_KEY]: `system:serviceaccount:ns:\${*}` } },
        { [SUB_KEY]: 'system:serviceaccount:ns:*' },
      ],
    ])('allows when %s', (_case, condition, context) => {
      // Given a statement that allows the provider under that condition alone
      // When a request with that context is evaluated
      const evaluation = decide(policy(statement({ Condition: condition })), requestWith(context));

      // Then the condition holds and the statement allows the request
      expect(evaluation.decidedBy?.conditions.map((c) => c.result)).toEqual([true]);
      expect(evaluation.decision).toBe('Allow');
    });
  });

  describe('Noncompliance', () => {
    it.each<[string, Doc, Context]>([
      ['StringEquals is case-sensitive in the value', { StringEquals: { [SUB_KEY]: SUB.toUpperCase() } }, CLAIMS],
      ['StringEquals treats * as a character', { StringEquals: { [SUB_KEY]: 'system:serviceaccount:ns:*' } }, CLAIMS],
      ['a positive operator meets an absent key', { StringEquals: { [SUB_KEY]: SUB } }, { [AUD_KEY]: AUD }],
      [
        'several StringNotEquals values are NORed and one matches',
        { StringNotEquals: { [SUB_KEY]: [OTHER_SUB, SUB] } },
        CLAIMS,
      ],
      ['StringNotLike meets a matching value', { StringNotLike: { [SUB_KEY]: 'system:serviceaccount:ns:*' } }, CLAIMS],
      [
        'StringEqualsIfExists meets a present, different key',
        { StringEqualsIfExists: { [SUB_KEY]: OTHER_SUB } },
        CLAIMS,
      ],
      ['Null "true" meets a present key', { Null: { [SUB_KEY]: 'true' } }, CLAIMS],
      ['Null "false" meets an absent key', { Null: { [SUB_KEY]: 'false' } }, { [AUD_KEY]: AUD }],
      ['ForAnyValue meets an absent key', { 'ForAnyValue:StringEquals': { [AMR_KEY]: 'authenticated' } }, CLAIMS],
      [
        'ForAnyValue with IfExists meets an absent key',
        { 'ForAnyValue:StringEqualsIfExists': { [AMR_KEY]: 'authenticated' } },
        CLAIMS,
      ],
      [
        'ForAllValues: one request value is not listed',
        { 'ForAllValues:StringEquals': { [AMR_KEY]: 'authenticated' } },
        { ...CLAIMS, [AMR_KEY]: ['authenticated', 'unauthenticated'] },
      ],
      [
        'ForAnyValue: no request value is listed',
        { 'ForAnyValue:StringEquals': { [AMR_KEY]: 'authenticated' } },
        { ...CLAIMS, [AMR_KEY]: ['unauthenticated'] },
      ],
      [
        'StringLike ? needs exactly one character',
        { StringLike: { [SUB_KEY]: 'system:serviceaccount:ns:app?' } },
        CLAIMS,
      ],
      [
        'StringLike names another namespace',
        { StringLike: { [SUB_KEY]: 'system:serviceaccount:kube-system:*' } },
        CLAIMS,
      ],
      ['the key belongs to another issuer', { StringEquals: { [`${OTHER_ISSUER}:sub`]: SUB } }, CLAIMS],
      [
        'Bool meets the other boolean',
        { Bool: { 'aws:SecureTransport': 'true' } },
        { ...CLAIMS, 'aws:SecureTransport': 'false' },
      ],
      ['Bool meets an absent key', { Bool: { 'aws:SecureTransport': 'true' } }, CLAIMS],
      [
        'ArnLike * does not span an ARN component',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:eks:*:111111111111:cluster/prod' } },
        arnContext('arn:aws:eks:us-west-2:extra:111111111111:cluster/prod'),
      ],
      [
        'ArnLike meets another account',
        { ArnLike: { 'aws:SourceArn': 'arn:aws:eks:*:222222222222:cluster/*' } },
        arnContext(CLUSTER_ARN),
      ],
      [
        'a positive operator meets a variable with no value',
        { StringEquals: { [SUB_KEY]: `system:serviceaccount:ns:\${aws:username}` } },
        CLAIMS,
      ],
      [
        `\${*} is not a wildcard under StringLike`,
        { StringLike: { [SUB_KEY]: `system:serviceaccount:ns:\${*}` } },
        CLAIMS,
      ],
      ['the operator is unknown (StringEqual), even with the right value', { StringEqual: { [SUB_KEY]: SUB } }, CLAIMS],
    ])('fails when %s', (_case, condition, context) => {
      // Given a statement that allows the provider under that condition alone
      // When a request with that context is evaluated
      const evaluation = decide(policy(statement({ Condition: condition })), requestWith(context));

      // Then the condition fails, and it is the one named as failing
      expect(evaluation.decision).toBe('ImplicitDeny');
      expect(evaluation.failedCondition?.result).toBe(false);
      expect(evaluation.failedCondition?.key).toBe(onlyKey(condition));
    });

    it('fails when the operator is unknown, saying so', () => {
      // Given the StringEqual typo
      // When the pod's request is evaluated
      const evaluation = decide(policy(statement({ Condition: { StringEqual: { [SUB_KEY]: SUB } } })));

      // Then the failing condition's reason names the operator
      expect(evaluation.failedCondition?.reason).toBe('unknown condition operator StringEqual');
    });
  });

  it.each<[string, Doc]>([
    [
      'Version is missing',
      { Statement: [statement({ Condition: { StringEquals: { [SUB_KEY]: `\${${SUB_KEY}}` } } })] },
    ],
    [
      'Version is 2008-10-17',
      {
        Version: '2008-10-17',
        Statement: [statement({ Condition: { StringEquals: { [SUB_KEY]: `\${${SUB_KEY}}` } } })],
      },
    ],
  ])('fails when %s: a policy variable is literal text', (_case, document) => {
    // Given a condition whose value is the ${<issuer>:sub} variable, in a policy without Version 2012-10-17
    // When the pod's request is evaluated
    const evaluation = decide(document);

    // Then the value is compared as written, and does not match
    expect(evaluation.decision).toBe('ImplicitDeny');
    expect(evaluation.failedCondition?.key).toBe(SUB_KEY);
  });
});
