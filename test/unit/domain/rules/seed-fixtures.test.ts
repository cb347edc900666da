import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import { atLeast, type Finding } from '../../../../lambdas/domain/finding';
import type { EstateSnapshot } from '../../../../lambdas/domain/snapshot';
import { parseSnapshot } from '../../../../lambdas/shared/schemas';
import { account, cluster, provider, serviceAccount } from '../../../support/estate-builder';

// The trust relationships of the seed articles (test/fixtures/trust-policies/README.md), analyzed in a small
// estate: account 111111111111 with clusters one (id 0123...) and two (id FEDC...) in us-west-2.
const ACCOUNT = '111111111111';
const A = '0123456789ABCDEF0123456789ABCDEF';
const B = 'FEDCBA9876543210FEDCBA9876543210';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/lbc`;

const fixture = (file: string) => readFileSync(join(__dirname, '../../../fixtures/trust-policies', file), 'utf8');

interface Scenario {
  readonly policy: string | Record<string, unknown>;
  readonly workloads?: ReadonlyArray<'one' | 'two'>;
  readonly namespace?: string;
  readonly providers?: boolean;
  readonly clientIds?: string[];
  readonly partition?: string;
  readonly encode?: boolean;
}

function scenario(s: Scenario): EstateSnapshot {
  const partition = s.partition ?? 'aws';
  const dnsSuffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  const region = partition === 'aws-cn' ? 'cn-north-1' : 'us-west-2';
  const one = cluster({ name: 'one', region, accountId: ACCOUNT, id: A, partition, dnsSuffix });
  const two = cluster({ name: 'two', region, accountId: ACCOUNT, id: B, partition, dnsSuffix });
  const clusters = { one, two };
  const text = typeof s.policy === 'string' ? s.policy : undefined;
  const trustPolicy = text === undefined ? s.policy : s.encode === false ? text : encodeURIComponent(text);
  const roleArn = ROLE.replace('arn:aws:', `arn:${partition}:`);
  return parseSnapshot({
    schemaVersion: 1,
    partition,
    accounts: [
      account(ACCOUNT, {
        clusters: [one.snapshot, two.snapshot],
        oidcProviders:
          s.providers === false
            ? []
            : [provider(one, { clientIds: s.clientIds ?? ['sts.amazonaws.com'] }), provider(two)],
        roles: [{ arn: roleArn, name: 'lbc', trustPolicy, tags: {} }],
        serviceAccounts: (s.workloads ?? []).map((c) =>
          serviceAccount(clusters[c], s.namespace ?? 'kube-system', 'aws-load-balancer-controller', roleArn),
        ),
      }),
    ],
  });
}

const rulesOf = (findings: readonly Finding[]) => [...new Set(findings.map((f) => f.ruleId))].sort();
const chinaPolicy = (aud: string) =>
  fixture('seed-003-example4-with-audience.json')
    .replaceAll('arn:aws:', 'arn:aws-cn:')
    .replaceAll('us-west-2.amazonaws.com', 'cn-north-1.amazonaws.com.cn')
    .replace('"sts.amazonaws.com"', JSON.stringify(aud));

describe('trust relationships from the seed articles', () => {
  it.each<[string, Scenario, string[]]>([
    [
      'Example 1 as published (Service principal, sts:AssumeRole) used by a workload',
      { policy: fixture('seed-003-example1-service-principal.json'), workloads: ['one'] },
      ['IRSA-031'],
    ],
    [
      'Example 1 as published on a role no workload uses: not an IRSA role',
      { policy: fixture('seed-003-example1-service-principal.json') },
      [],
    ],
    [
      'Example 1 corrected (single cluster, no :aud)',
      { policy: fixture('seed-003-example1-corrected.json'), workloads: ['one'] },
      ['IRSA-019'],
    ],
    [
      'the multi-cluster sample as published',
      { policy: fixture('seed-003-multi-cluster-as-published.json'), workloads: ['one', 'two'] },
      ['IRSA-013', 'IRSA-015'],
    ],
    [
      'the multi-cluster sample corrected',
      { policy: fixture('seed-003-multi-cluster-corrected.json'), workloads: ['one', 'two'] },
      [],
    ],
    [
      'Example 4 (sub and aud pinned)',
      { policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'] },
      [],
    ],
    [
      'Example 4 sent raw (not URL-encoded)',
      { policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'], encode: false },
      [],
    ],
    [
      'the GetRole document of article 004, given as an object',
      { policy: JSON.parse(fixture('seed-004-get-role-document.json')), workloads: ['one'] },
      [],
    ],
    [
      'article 001 as printed (missing its opening brace)',
      { policy: fixture('seed-001-as-published.json.txt'), workloads: ['one'] },
      ['DOC-001'],
    ],
    [
      'Example 4: provider without the sts.amazonaws.com audience',
      { policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'], clientIds: [] },
      ['IRSA-003'],
    ],
    [
      'Example 4: the cluster has no OIDC provider',
      { policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'], providers: false },
      ['IRSA-001'],
    ],
    [
      'Example 2: wrong provider id',
      {
        policy: fixture('seed-003-example4-with-audience.json').replaceAll(A, 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
        workloads: ['one'],
      },
      ['IRSA-012', 'IRSA-031'],
    ],
    [
      'Example 2: wrong region',
      {
        policy: fixture('seed-003-example4-with-audience.json').replaceAll('us-west-2', 'eu-west-1'),
        workloads: ['one'],
      },
      ['IRSA-012', 'IRSA-031'],
    ],
    [
      'Example 3: the workload runs in another namespace',
      { policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'], namespace: 'default' },
      ['IRSA-016'],
    ],
    [
      'China: the correct policy',
      { policy: chinaPolicy('sts.amazonaws.com'), workloads: ['one'], partition: 'aws-cn' },
      [],
    ],
    [
      'China: sts.amazonaws.com.cn in :aud',
      { policy: chinaPolicy('sts.amazonaws.com.cn'), workloads: ['one'], partition: 'aws-cn' },
      ['IRSA-020'],
    ],
  ])('%s', (_title, s, expected) => {
    // Given the article's trust relationship in a small estate
    const snapshot = scenario(s);
    // When it is analyzed
    const { findings } = analyzeEstate(snapshot);
    // Then exactly the expected rules fire, and nothing of medium or above when none is expected
    expect(rulesOf(findings)).toEqual(expected);
    if (expected.length === 0 || expected.every((r) => r === 'IRSA-019')) {
      expect(findings.filter((f) => atLeast(f.severity, 'medium'))).toEqual([]);
    }
  });

  it('finds both stray spaces and the mismatched provider id of the multi-cluster sample, per statement', () => {
    const { findings } = analyzeEstate(
      scenario({ policy: fixture('seed-003-multi-cluster-as-published.json'), workloads: ['one', 'two'] }),
    );
    const spaces = findings.filter((f) => f.ruleId === 'IRSA-015');
    expect(spaces.map((f) => f.evidence.statementIndex).sort()).toEqual([0, 1]);
    // The stray space is kept as evidence, exactly as written.
    expect(spaces[0]?.evidence.quirks).toEqual([
      expect.objectContaining({
        kind: 'whitespace',
        value: 'system:serviceaccount: kube-system:aws-load-balancer-controller',
      }),
    ]);
    const prefix = findings.find((f) => f.ruleId === 'IRSA-013');
    expect(prefix?.evidence).toMatchObject({
      statementIndex: 1,
      conditionKey: `oidc.eks.us-west-2.amazonaws.com/id/${B.slice(0, 28)}PROB:sub`,
      expectedKey: `oidc.eks.us-west-2.amazonaws.com/id/${B}:sub`,
    });
    expect(prefix?.cluster).toBe('two');
  });

  it('points a wrong-region provider at the cluster with the same issuer id', () => {
    const { findings } = analyzeEstate(
      scenario({
        policy: fixture('seed-003-example4-with-audience.json').replaceAll('us-west-2', 'eu-west-1'),
        workloads: ['one'],
      }),
    );
    const stale = findings.find((f) => f.ruleId === 'IRSA-012');
    expect(stale?.evidence.candidates).toEqual([
      expect.objectContaining({ cluster: 'one', why: expect.stringContaining('same issuer id') }),
    ]);
    expect(stale?.cluster).toBe('one');
  });

  it('reports the missing provider as critical, naming the ARN to create and the role that needs it', () => {
    const { findings } = analyzeEstate(
      scenario({ policy: fixture('seed-003-example4-with-audience.json'), workloads: ['one'], providers: false }),
    );
    const missing = findings.filter((f) => f.ruleId === 'IRSA-001');
    // Cluster two has no provider either, but nothing uses it through IRSA: informational.
    expect(missing.map((f) => [f.severity, f.resourceArn])).toEqual([
      ['critical', `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/${A}`],
      ['info', `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/${B}`],
    ]);
    expect(missing[0]?.podError).toContain(
      `No OpenIDConnect provider found in your account for https://oidc.eks.us-west-2.amazonaws.com/id/${A}`,
    );
    expect(missing[0]?.evidence.usedBy).toEqual([ROLE]);
  });
});
