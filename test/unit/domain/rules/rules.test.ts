import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../../lambdas/domain/finding';
import type { AccountSnapshot } from '../../../../lambdas/domain/snapshot';
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
const B = '222222222222';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const two = cluster({ name: 'two', region: 'eu-west-1', accountId: A });
const analyze = (...accounts: AccountSnapshot[]) => analyzeEstate(estate(accounts)).findings;
const rules = (findings: readonly Finding[]) => findings.map((f) => f.ruleId).sort();
const healthyA = (extra: Partial<AccountSnapshot> = {}) =>
  account(A, { clusters: [one.snapshot, two.snapshot], oidcProviders: [provider(one), provider(two)], ...extra });

describe('cross-account IRSA', () => {
  it('accepts a role in another account that trusts its own provider for the cluster', () => {
    // Given cluster one in A, and in B a provider for one's issuer plus a role trusting it
    const bAccount = account(B, {
      oidcProviders: [provider(one, { inAccount: B })],
      roles: [role(B, 'sync', policy(irsaStatement(one, sa('data', 'sync'), { inAccount: B })))],
    });
    // When analyzed, Then nothing is wrong
    expect(
      analyze(
        healthyA({ serviceAccounts: [serviceAccount(one, 'data', 'sync', `arn:aws:iam::${B}:role/sync`)] }),
        bAccount,
      ),
    ).toEqual([]);
  });

  it('fails when the role account lacks the provider: IRSA-001 on the ARN in the role account', () => {
    const bAccount = account(B, {
      roles: [role(B, 'sync', policy(irsaStatement(one, sa('data', 'sync'), { inAccount: B })))],
    });
    const findings = analyze(healthyA(), bAccount);
    expect(findings.map((f) => [f.ruleId, f.severity, f.accountId, f.resourceArn])).toEqual([
      ['IRSA-001', 'critical', B, one.providerArn(B)],
    ]);
  });

  it('fails when the role names the cluster account provider: IRSA-002 with the ARN to use', () => {
    const bAccount = account(B, {
      oidcProviders: [provider(one, { inAccount: B })],
      roles: [role(B, 'sync', policy(irsaStatement(one, sa('data', 'sync'))))],
    });
    const [finding] = analyze(healthyA(), bAccount);
    expect(finding?.ruleId).toBe('IRSA-002');
    expect(finding?.ruleId === 'IRSA-002' && finding.evidence.expectedFederated).toBe(one.providerArn(B));
  });
});

describe('collection gaps', () => {
  it('does not report a provider as missing in a partly read account', () => {
    const partial = account(A, {
      collection: {
        status: 'partial',
        errors: [{ operation: 'iam:GetOpenIDConnectProvider', code: 'Throttling', message: 'Rate exceeded' }],
      },
      clusters: [one.snapshot],
      roles: [role(A, 'r', policy(irsaStatement(one, sa('a', 'b'))))],
    });
    expect(rules(analyze(partial))).toEqual(['SWEEP-002']);
  });

  it('does not call a provider orphaned when its region was not scanned', () => {
    const gone = cluster({ name: 'gone', region: 'ap-south-1', accountId: A });
    const scanned = healthyA({
      collection: { status: 'complete', regions: ['us-west-2', 'eu-west-1'] },
      oidcProviders: [provider(one), provider(two), provider(gone)],
    });
    expect(analyze(scanned)).toEqual([]);
    const all = healthyA({ oidcProviders: [provider(one), provider(two), provider(gone)] });
    expect(rules(analyze(all))).toEqual(['IRSA-005']);
  });

  it('downgrades a stale provider reference to info when no account scanned its region', () => {
    const elsewhere = cluster({ name: 'x', region: 'sa-east-1', accountId: A });
    const findings = analyze(
      healthyA({
        collection: { status: 'complete', regions: ['us-west-2', 'eu-west-1'] },
        roles: [role(A, 'r', policy(irsaStatement(elsewhere, sa('a', 'b'))))],
      }),
    );
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['IRSA-012', 'info']]);
  });

  it('reports an unreachable account and nothing else about it', () => {
    const unreachable = account(B, {
      collection: {
        status: 'unreachable',
        errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'denied' }],
      },
    });
    expect(analyze(healthyA(), unreachable).map((f) => [f.ruleId, f.accountId])).toEqual([['SWEEP-001', B]]);
  });
});

describe('statement shape', () => {
  it('calls keys of another known cluster under one provider a prefix mismatch, not a merge', () => {
    const mixed = {
      ...irsaStatement(one, sa('a', 'b')),
      Condition: {
        StringEquals: { [`${two.hostPath}:sub`]: sa('a', 'b'), [`${two.hostPath}:aud`]: 'sts.amazonaws.com' },
      },
    };
    const findings = analyze(healthyA({ roles: [role(A, 'r', policy(mixed))] }));
    expect(rules(findings)).toEqual(['IRSA-013', 'IRSA-013']);
    expect(findings[0]?.message).toContain("cluster two's issuer");
  });

  it('calls two known clusters keyed in one statement a merge (IRSA-021), not a prefix mismatch', () => {
    const merged = {
      ...irsaStatement(one, sa('a', 'b')),
      Condition: {
        StringEquals: {
          [`${one.hostPath}:sub`]: sa('a', 'b'),
          [`${two.hostPath}:sub`]: sa('a', 'b'),
          [`${one.hostPath}:aud`]: 'sts.amazonaws.com',
        },
      },
    };
    expect(rules(analyze(healthyA({ roles: [role(A, 'r', policy(merged))] })))).toEqual(['IRSA-021']);
  });

  it.each([
    ['wildcard under StringEquals', irsaStatement(one, sa('ns', 'app-*')), ['IRSA-017']],
    [
      'wildcard under StringLike in the name only',
      irsaStatement(one, sa('ns', 'app-*'), { operator: 'StringLike' }),
      [],
    ],
    ['namespace wildcard', irsaStatement(one, sa('*', 'app'), { operator: 'StringLike' }), ['IRSA-018']],
    [
      'bare system:serviceaccount:*',
      irsaStatement(one, 'system:serviceaccount:*', { operator: 'StringLike' }),
      ['IRSA-018'],
    ],
    ['upper-case namespace', irsaStatement(one, sa('Kube-System', 'app')), ['IRSA-015']],
    ['missing prefix', irsaStatement(one, 'kube-system:app'), ['IRSA-015']],
    [
      'trailing space in the claim name',
      {
        ...irsaStatement(one, sa('a', 'b')),
        Condition: {
          StringEquals: { [`${one.hostPath}:sub `]: sa('a', 'b'), [`${one.hostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
      ['IRSA-014'],
    ],
    [
      'full provider ARN as key prefix',
      {
        ...irsaStatement(one, sa('a', 'b')),
        Condition: {
          StringEquals: { [`${one.providerArn()}:sub`]: sa('a', 'b'), [`${one.hostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
      ['IRSA-013'],
    ],
    [
      'https:// in the key prefix',
      {
        ...irsaStatement(one, sa('a', 'b')),
        Condition: {
          StringEquals: { [`https://${one.hostPath}:sub`]: sa('a', 'b'), [`${one.hostPath}:aud`]: 'sts.amazonaws.com' },
        },
      },
      ['IRSA-013'],
    ],
    [
      'Federated as a bare URL',
      { ...irsaStatement(one, sa('a', 'b')), Principal: { Federated: one.hostPath } },
      ['IRSA-011'],
    ],
    [
      'AWS principal',
      { ...irsaStatement(one, sa('a', 'b')), Principal: { AWS: `arn:aws:iam::${A}:root` } },
      ['IRSA-011'],
    ],
    [
      'action list with TagSession (fine)',
      { ...irsaStatement(one, sa('a', 'b')), Action: ['sts:TagSession', 'sts:AssumeRoleWithWebIdentity'] },
      [],
    ],
    ['action wildcard sts:AssumeRole* (fine)', { ...irsaStatement(one, sa('a', 'b')), Action: 'sts:AssumeRole*' }, []],
    [
      'aud set to a regional STS host',
      irsaStatement(one, sa('a', 'b'), { audience: 'sts.us-west-2.amazonaws.com' }),
      ['IRSA-020'],
    ],
  ])('%s', (_title, statement, expected) => {
    expect(rules(analyze(healthyA({ roles: [role(A, 'r', policy(statement))] })))).toEqual(expected);
  });

  it('gives non-IRSA roles no findings, however odd their documents', () => {
    const github = policy({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEqual: { 'token.actions.githubusercontent.com:sub': 'repo:x/*' } },
    });
    const service = policy({
      Effect: 'Allow',
      Principal: { Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] },
      Action: ['sts:AssumeRole'],
      Resource: '*',
    });
    const okta = policy({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${A}:oidc-provider/example.okta.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
    });
    expect(
      analyze(healthyA({ roles: [role(A, 'gh', github), role(A, 'svc', service), role(A, 'okta', okta)] })),
    ).toEqual([]);
  });
});

describe('quotas and thumbprints', () => {
  it('uses the account quota from the snapshot for the trust-policy size', () => {
    const small = policy(irsaStatement(one, sa('a', 'b')));
    expect(analyze(healthyA({ roles: [role(A, 'r', small)] }))).toEqual([]);
    const findings = analyze(healthyA({ quotas: { trustPolicyLength: 600 }, roles: [role(A, 'r', small)] }));
    expect(findings.map((f) => [f.ruleId, f.ruleId === 'IRSA-023' && f.evidence.quota])).toEqual([['IRSA-023', 600]]);
  });

  it('calls a full provider quota high and a nearly full one medium', () => {
    const extra = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        arn: `arn:aws:iam::${A}:oidc-provider/idp${i}.example.com`,
        url: `idp${i}.example.com`,
        clientIds: ['x'],
        thumbprints: [],
        tags: {},
      }));
    const at = (n: number) =>
      analyze(healthyA({ oidcProviders: [provider(one), provider(two), ...extra(n)] })).map((f) => [
        f.ruleId,
        f.severity,
      ]);
    expect(at(87)).toEqual([]);
    expect(at(88)).toEqual([['IRSA-007', 'medium']]);
    expect(at(98)).toEqual([['IRSA-007', 'high']]);
  });

  it.each([
    [
      'a stale thumbprint on a publicly trusted chain is informational',
      { topCaThumbprint: 'a'.repeat(40), publiclyTrusted: true },
      ['b'.repeat(40)],
      'info',
    ],
    [
      'a stale thumbprint on a private chain is high: IAM uses it',
      { topCaThumbprint: 'a'.repeat(40), publiclyTrusted: false },
      ['b'.repeat(40)],
      'high',
    ],
    ['six thumbprints', undefined, Array.from({ length: 6 }, (_, i) => String(i).repeat(40)), 'medium'],
  ])('%s', (_title, tls, thumbprints, severity) => {
    const p = {
      ...provider(one, { thumbprints }),
      ...(tls ? { tls: { host: 'oidc.eks.us-west-2.amazonaws.com', ...tls } } : {}),
    };
    const findings = analyze(account(A, { clusters: [one.snapshot], oidcProviders: [p] }));
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['IRSA-004', severity]]);
  });

  it('accepts the current top-CA thumbprint in any letter case', () => {
    const p = {
      ...provider(one, { thumbprints: ['A'.repeat(40)] }),
      tls: { host: 'h', topCaThumbprint: 'a'.repeat(40), publiclyTrusted: false },
    };
    expect(analyze(account(A, { clusters: [one.snapshot], oidcProviders: [p] }))).toEqual([]);
  });

  it.each([
    ['upper-case host', one.hostPath.replace('oidc.eks', 'OIDC.EKS'), 'letter case differs'],
    ['scheme kept', `https://${one.hostPath}`, 'scheme'],
    ['host order swapped', one.hostPath.replace('oidc.eks.us-west-2', 'oidc.us-west-2.eks'), 'oidc.<region>.eks'],
  ])('flags a provider URL with %s (IRSA-006) and the missing exact provider (IRSA-001)', (_t, url, why) => {
    const findings = analyze(
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one, { url })],
        roles: [role(A, 'r', policy(irsaStatement(one, sa('a', 'b'))))],
      }),
    );
    expect(rules(findings)).toEqual(['IRSA-001', 'IRSA-006']);
    expect(findings.find((f) => f.ruleId === 'IRSA-006')?.message).toContain(why);
  });
});

describe('workloads', () => {
  it('treats an empty role annotation as none, and a blank one as malformed (IRSA-030)', () => {
    expect(analyze(healthyA({ serviceAccounts: [serviceAccount(one, 'ns', 'sa', '')] }))).toEqual([]);
    expect(rules(analyze(healthyA({ serviceAccounts: [serviceAccount(one, 'ns', 'sa', ' ')] })))).toEqual(['IRSA-030']);
  });
});

describe('Pod Identity', () => {
  it('fails when a target role does not let the association role tag sessions (PI-054)', () => {
    const target = policy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:role/pi` },
      Action: 'sts:AssumeRole',
    });
    const pi = policy({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: { StringEquals: { 'aws:SourceAccount': A } },
    });
    const findings = analyze(
      healthyA({
        roles: [role(A, 'pi', pi)],
        podIdentityAssociations: [
          {
            cluster: 'one',
            region: 'us-west-2',
            namespace: 'ns',
            serviceAccount: 'sa',
            roleArn: `arn:aws:iam::${A}:role/pi`,
            targetRoleArn: `arn:aws:iam::${B}:role/target`,
          },
        ],
      }),
      account(B, { roles: [role(B, 'target', target)] }),
    );
    expect(findings.map((f) => [f.ruleId, f.resourceArn])).toEqual([['PI-054', `arn:aws:iam::${B}:role/target`]]);
    expect(JSON.stringify(findings[0]?.evidence)).toContain('sts:TagSession');
  });
});

describe('determinism', () => {
  it('gives the same ids whatever the order of accounts', () => {
    const bAccount = account(B, {
      roles: [role(B, 'sync', policy(irsaStatement(one, sa('data', 'sync'), { inAccount: B })))],
    });
    const ids = (findings: readonly Finding[]) => findings.map((f) => f.id).sort();
    expect(ids(analyze(healthyA(), bAccount))).toEqual(ids(analyze(bAccount, healthyA())));
  });
});
