import fc from 'fast-check';
import {
  audienceFor,
  buildProbeVerdict,
  type ProbeCheckId,
  type ProbeInput,
} from '../../../../lambdas/domain/probe/probe-verdict';
import type { TokenClaims } from '../../../../lambdas/domain/probe/token-claims';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { cluster, irsaStatement, policy, provider, role } from '../../../support/estate-builder';

const ACCOUNT = '111111111111';
const c = cluster({ name: 'prod', region: 'us-west-2', accountId: ACCOUNT });
const SUB = 'system:serviceaccount:ns:app';
const NOW = 1_900_000_000;
const good = role(ACCOUNT, 'app', policy(irsaStatement(c, SUB, { sid: 'App' })));

const claims = (extra: Partial<TokenClaims> = {}): ProbeInput['token'] => ({
  ok: true,
  claims: { header: { alg: 'RS256' }, iss: c.issuer, sub: SUB, aud: ['sts.amazonaws.com'], exp: NOW + 600, ...extra },
});

function input(overrides: Partial<ProbeInput> = {}): ProbeInput {
  return {
    partition: 'aws',
    cluster: { name: 'prod', region: 'us-west-2', oidcIssuer: c.issuer },
    namespace: 'ns',
    serviceAccount: 'app',
    annotations: { 'eks.amazonaws.com/role-arn': good.arn },
    audience: 'sts.amazonaws.com',
    token: claims(),
    now: NOW,
    roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: good, complete: true },
    ...overrides,
  };
}

const status = (v: ReturnType<typeof buildProbeVerdict>) =>
  Object.fromEntries(v.checks.map((k) => [k.id, k.status])) as Record<ProbeCheckId, string>;

describe('buildProbeVerdict', () => {
  it('allows a token whose every check passes, naming the statement that allows it', () => {
    const v = buildProbeVerdict(input());
    expect(v.verdict).toBe('allow');
    expect(v.checks.every((k) => k.status === 'pass')).toBe(true);
    expect(v.trust).toMatchObject({ decision: 'Allow', statement: { index: 0, sid: 'App', effect: 'Allow' } });
    expect(v.trust?.request).toEqual({
      principal: { type: 'Federated', id: c.providerArn() },
      action: 'sts:AssumeRoleWithWebIdentity',
      context: { [`${c.hostPath}:sub`]: SUB, [`${c.hostPath}:aud`]: 'sts.amazonaws.com' },
    });
  });

  it('denies when the trust names another service account, naming the statement and the :sub condition', () => {
    const other = role(ACCOUNT, 'app', policy(irsaStatement(c, 'system:serviceaccount:ns:other', { sid: 'Other' })));
    const v = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: other, complete: true } }),
    );
    expect(v.verdict).toBe('deny');
    expect(status(v).trust).toBe('fail');
    expect(v.trust).toMatchObject({
      decision: 'ImplicitDeny',
      statement: { index: 0, sid: 'Other' },
      failedCondition: {
        operator: 'StringEquals',
        key: `${c.hostPath}:sub`,
        values: ['system:serviceaccount:ns:other'],
      },
    });
    const detail = v.checks.find((k) => k.id === 'trust')?.detail ?? '';
    expect(detail).toContain('#0 (Other)');
    expect(detail).toContain(':sub');
  });

  it('names an explicit Deny statement', () => {
    const denying = role(
      ACCOUNT,
      'app',
      policy(irsaStatement(c, SUB), {
        Sid: 'NoNs',
        Effect: 'Deny',
        Principal: { Federated: c.providerArn() },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { [`${c.hostPath}:sub`]: 'system:serviceaccount:ns:*' } },
      }),
    );
    const v = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: denying, complete: true } }),
    );
    expect(v.verdict).toBe('deny');
    expect(v.trust).toMatchObject({ decision: 'ExplicitDeny', statement: { index: 1, sid: 'NoNs', effect: 'Deny' } });
  });

  it('fails when the service account does not exist, and decides nothing else', () => {
    const v = buildProbeVerdict(
      input({ annotations: undefined, token: { ok: false, problem: 'empty', message: 'no token' } }),
    );
    expect(v.verdict).toBe('deny');
    expect(v.checks[0]).toMatchObject({ id: 'service-account', status: 'fail' });
    expect(v.checks[0]?.fix).toContain('kubectl create serviceaccount -n ns app');
    expect(v.checks.slice(1).every((k) => k.status === 'skip')).toBe(true);
  });

  it('fails the annotation check when the service account has none, and skips what needs the role', () => {
    const v = buildProbeVerdict(input({ annotations: {}, roleAccount: undefined }));
    expect(v.verdict).toBe('deny');
    expect(status(v)).toMatchObject({ 'role-annotation': 'fail', role: 'skip', trust: 'skip', provider: 'skip' });
    expect(v.checks.find((k) => k.id === 'role-annotation')?.fix).toContain(
      'kubectl annotate serviceaccount -n ns app',
    );
  });

  it.each([' arn:aws:iam::111111111111:role/app', 'arn:aws:iam::1111:role/app', 'role/app', 'arn:aws:s3:::bucket'])(
    'fails a malformed role ARN annotation %j',
    (arn) => {
      const v = buildProbeVerdict(input({ annotations: { 'eks.amazonaws.com/role-arn': arn } }));
      expect(status(v)['role-annotation']).toBe('fail');
      expect(v.verdict).toBe('deny');
    },
  );

  it('fails a missing provider in a fully read account, and leaves it undecided in a partly read one', () => {
    const missing = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [], role: good, complete: true } }),
    );
    expect(status(missing).provider).toBe('fail');
    expect(missing.verdict).toBe('deny');
    const partial = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [], role: good, complete: false, error: 'AccessDenied' } }),
    );
    expect(status(partial).provider).toBe('skip');
    expect(partial.verdict).toBe('unknown');
  });

  it("fails a provider whose URL is a near miss of the token's issuer: STS matches providers exactly", () => {
    const near = provider(c, { url: c.hostPath.toLowerCase() });
    const v = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [near], role: good, complete: true } }),
    );
    expect(status(v).provider).toBe('fail');
    expect(v.checks.find((k) => k.id === 'provider')?.detail).toContain('IRSA-006');
    expect(v.verdict).toBe('deny');
  });

  it("fails when the provider's client ids do not include the token's audience", () => {
    const v = buildProbeVerdict(
      input({
        roleAccount: {
          accountId: ACCOUNT,
          providers: [provider(c, { clientIds: ['vault'] })],
          role: good,
          complete: true,
        },
      }),
    );
    expect(status(v)['provider-audience']).toBe('fail');
    expect(v.verdict).toBe('deny');
  });

  it("fails when the token's issuer is not the cluster's, and skips when the cluster was not read", () => {
    const other = cluster({ name: 'other', region: 'us-west-2', accountId: ACCOUNT });
    const v = buildProbeVerdict(input({ cluster: { name: 'prod', region: 'us-west-2', oidcIssuer: other.issuer } }));
    expect(status(v).issuer).toBe('fail');
    const unread = buildProbeVerdict(
      input({
        cluster: { name: 'prod', region: 'us-west-2', oidcIssuer: undefined, error: 'ResourceNotFoundException' },
      }),
    );
    expect(status(unread).issuer).toBe('skip');
    expect(unread.verdict).toBe('unknown');
    expect(
      status(buildProbeVerdict(input({ cluster: { name: 'prod', region: 'us-west-2', oidcIssuer: null } }))).issuer,
    ).toBe('fail');
  });

  it('matches the issuer as IAM does: scheme, trailing slash and host case do not matter', () => {
    const v = buildProbeVerdict(
      input({
        cluster: { name: 'prod', region: 'us-west-2', oidcIssuer: `${c.issuer.replace('oidc.eks', 'OIDC.EKS')}/` },
      }),
    );
    expect(status(v).issuer).toBe('pass');
  });

  it('fails an expired token, a wrong subject and an audience other than the one requested', () => {
    expect(status(buildProbeVerdict(input({ token: claims({ exp: NOW - 1 }) }))).expiry).toBe('fail');
    expect(status(buildProbeVerdict(input({ token: claims({ exp: undefined }) }))).expiry).toBe('fail');
    const wrongSub = buildProbeVerdict(input({ token: claims({ sub: 'system:serviceaccount:ns:other' }) }));
    expect(status(wrongSub).subject).toBe('fail');
    expect(status(buildProbeVerdict(input({ audience: 'vault' }))).audience).toBe('fail');
  });

  it('fails the token check and decides nothing else on an undecodable token', () => {
    const v = buildProbeVerdict(
      input({ token: { ok: false, problem: 'not-json', message: 'the payload is not JSON' } }),
    );
    expect(v.verdict).toBe('deny');
    expect(status(v)).toMatchObject({ token: 'fail', subject: 'skip', expiry: 'skip', issuer: 'skip', trust: 'skip' });
  });

  it('fails a role that does not exist in a fully read account; undecided when the account was not read in full', () => {
    expect(
      status(
        buildProbeVerdict(
          input({ roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: undefined, complete: true } }),
        ),
      ).role,
    ).toBe('fail');
    const unread = buildProbeVerdict(
      input({
        roleAccount: {
          accountId: ACCOUNT,
          providers: [provider(c)],
          role: undefined,
          complete: false,
          error: 'AccessDenied',
        },
      }),
    );
    expect(status(unread)).toMatchObject({ role: 'skip', trust: 'skip' });
    expect(unread.verdict).toBe('unknown');
  });

  it('fails a trust policy that cannot be read', () => {
    const broken = { ...good, trustPolicy: '{"Statement": ' };
    const v = buildProbeVerdict(
      input({ roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: broken, complete: true } }),
    );
    expect(status(v).trust).toBe('fail');
    expect(v.trust).toBeUndefined();
  });

  it('agrees with the trust evaluator for any subject against any mix of statements', () => {
    const subjects = [
      'system:serviceaccount:ns:app',
      'system:serviceaccount:ns:other',
      'system:serviceaccount:kube-system:app',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...subjects),
        fc.array(fc.tuple(fc.constantFrom(...subjects, 'system:serviceaccount:ns:*'), fc.boolean(), fc.boolean()), {
          minLength: 1,
          maxLength: 3,
        }),
        (sub, specs) => {
          const statements = specs.map(([s, like, deny]) => ({
            ...irsaStatement(c, s, { operator: like ? 'StringLike' : 'StringEquals' }),
            ...(deny ? { Effect: 'Deny' } : {}),
          }));
          const r = role(ACCOUNT, 'app', policy(...statements));
          const v = buildProbeVerdict(
            input({
              token: claims({ sub }),
              namespace: sub.split(':')[2],
              serviceAccount: sub.split(':')[3],
              roleAccount: { accountId: ACCOUNT, providers: [provider(c)], role: r, complete: true },
            }),
          );
          const read = parseTrustPolicy(r.trustPolicy);
          if (!read.ok) throw new Error(read.message);
          const expected = evaluateTrustPolicy(
            read.policy,
            webIdentityRequest(c.providerArn(), c.hostPath, { sub, aud: 'sts.amazonaws.com' }),
          );
          expect(v.trust?.decision).toBe(expected.decision);
          expect(v.verdict).toBe(expected.decision === 'Allow' ? 'allow' : 'deny');
        },
      ),
    );
  });
});

describe('audienceFor', () => {
  it('reads the audience annotation, else the default', () => {
    expect(audienceFor({})).toBe('sts.amazonaws.com');
    expect(audienceFor({ 'eks.amazonaws.com/audience': 'vault' })).toBe('vault');
    expect(audienceFor({ 'eks.amazonaws.com/audience': '  ' })).toBe('sts.amazonaws.com');
  });
});
