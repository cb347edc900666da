import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  endpointKey,
  kubeResultLine,
  matchKubeContexts,
  parseKubeContextOption,
} from '../../../../lambdas/adapters/kubernetes/kube-scan';
import { loadKubeconfig } from '../../../../lambdas/adapters/kubernetes/kubeconfig';
import type { EstateSnapshot } from '../../../../lambdas/domain/snapshot';
import { UsageError } from '../../../../lambdas/shared/errors';

const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-kube-scan-'));
const PROD = 'https://ABCDEF0123456789ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com';
const STAGING = 'https://11112222333344445555666677778888.yl4.eu-west-1.eks.amazonaws.com';

const cluster = (name: string, region: string, endpoint?: string) => ({
  name,
  region,
  status: 'ACTIVE',
  oidcIssuer: null,
  ...(endpoint ? { endpoint } : {}),
});

const snapshot: EstateSnapshot = {
  schemaVersion: 1,
  partition: 'aws',
  generatedAt: '2026-01-01T00:00:00Z',
  accounts: [
    {
      accountId: '111122223333',
      clusters: [cluster('prod', 'us-west-2', `${PROD}/`), cluster('staging', 'eu-west-1', STAGING)],
      oidcProviders: [],
      roles: [],
    },
    {
      accountId: '444455556666',
      clusters: [
        cluster('prod', 'us-west-2', 'https://FFFF.gr7.us-west-2.eks.amazonaws.com'),
        cluster('dev', 'us-east-1'),
      ],
      oidcProviders: [],
      roles: [],
    },
  ],
};

const kubeconfig = () => {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `current-context: prod
clusters:
- {name: prod, cluster: {server: "${PROD.toLowerCase()}:443"}}
- {name: prod-again, cluster: {server: "${PROD}"}}
- {name: staging, cluster: {server: "${STAGING}"}}
- {name: elsewhere, cluster: {server: "https://10.0.0.1:6443"}}
users: [{name: u, user: {token: t}}]
contexts:
- {name: prod, context: {cluster: prod, user: u}}
- {name: prod-admin, context: {cluster: prod-again, user: u}}
- {name: staging, context: {cluster: staging, user: u}}
- {name: local, context: {cluster: elsewhere, user: u}}
- {name: broken, context: {cluster: missing, user: u}}
`,
  );
  return loadKubeconfig(file);
};

describe('parseKubeContextOption', () => {
  it.each([
    ['admin', { context: 'admin' }],
    ['admin=prod@us-west-2', { context: 'admin', cluster: { name: 'prod', region: 'us-west-2' } }],
    [
      'arn:aws:eks:us-west-2:111122223333:cluster/prod=111122223333/prod@us-west-2',
      {
        context: 'arn:aws:eks:us-west-2:111122223333:cluster/prod',
        cluster: { accountId: '111122223333', name: 'prod', region: 'us-west-2' },
      },
    ],
    ['arn:aws:eks:us-west-2:111122223333:cluster/prod', { context: 'arn:aws:eks:us-west-2:111122223333:cluster/prod' }],
  ])('%s', (value, expected) => {
    expect(parseKubeContextOption(value)).toEqual(expected);
  });

  it.each(['admin=prod', 'admin=', '=prod@us-west-2', 'a=b@US_WEST'])('refuses %s with a usage error', (value) => {
    expect(() => parseKubeContextOption(value)).toThrow(UsageError);
  });
});

describe('endpointKey', () => {
  it('ignores case of the host, a default port and a trailing slash; keeps a path prefix', () => {
    expect(endpointKey(`${PROD}/`)).toBe(endpointKey(`${PROD.toLowerCase()}:443`));
    expect(endpointKey('https://h:6443/k8s/clusters/c-1/')).toBe('h:6443/k8s/clusters/c-1');
    expect(endpointKey('http://h')).toBeUndefined();
    expect(endpointKey('not a url')).toBeUndefined();
  });
});

describe('matchKubeContexts', () => {
  it('matches every context by endpoint; reports duplicates, strangers and broken contexts, never guessing', () => {
    const match = matchKubeContexts(snapshot, kubeconfig(), []);
    expect(match.targets.map((t) => [t.context.name, `${t.accountId}/${t.cluster}@${t.region}`, t.matchedBy])).toEqual([
      ['prod', '111122223333/prod@us-west-2', 'endpoint'],
      ['staging', '111122223333/staging@eu-west-1', 'endpoint'],
    ]);
    expect(match.unmatched).toEqual([
      'context "prod-admin": 111122223333/prod@us-west-2 is already read with context "prod"',
      'context "local": its server https://10.0.0.1:6443 is the endpoint of no swept cluster; not read (name its cluster with --kube-context local=CLUSTER@REGION)',
      expect.stringMatching(
        /^context "broken": context "broken" names cluster "missing", which kubeconfig .* does not define$/,
      ),
    ]);
  });

  it('only the contexts asked for; a named cluster is used as named, and must be unambiguous', () => {
    const config = kubeconfig();
    const named = matchKubeContexts(snapshot, config, [
      parseKubeContextOption('local=dev@us-east-1'),
      parseKubeContextOption('prod-admin=444455556666/prod@us-west-2'),
    ]);
    expect(named.targets.map((t) => [t.context.name, `${t.accountId}/${t.cluster}@${t.region}`, t.matchedBy])).toEqual([
      ['local', '444455556666/dev@us-east-1', 'name'],
      ['prod-admin', '444455556666/prod@us-west-2', 'name'],
    ]);
    expect(named.unmatched).toEqual([]);

    const ambiguous = matchKubeContexts(snapshot, config, [
      parseKubeContextOption('local=prod@us-west-2'),
      parseKubeContextOption('local=nope@us-west-2'),
      parseKubeContextOption('nosuch'),
    ]);
    expect(ambiguous.targets).toEqual([]);
    expect(ambiguous.unmatched).toEqual([
      'context "local": 2 swept clusters (111122223333/prod@us-west-2, 444455556666/prod@us-west-2) match; name one with --kube-context local=ACCOUNT/CLUSTER@REGION',
      'context "local": nope@us-west-2 is not among the swept clusters; not read',
      expect.stringContaining('has no context "nosuch"'),
    ]);
  });

  it('two swept clusters with the same endpoint are not guessed between', () => {
    const twins: EstateSnapshot = {
      ...snapshot,
      accounts: [
        {
          accountId: '111122223333',
          clusters: [cluster('a', 'us-west-2', PROD), cluster('b', 'us-west-2', PROD)],
          oidcProviders: [],
          roles: [],
        },
      ],
    };
    const match = matchKubeContexts(twins, kubeconfig(), [{ context: 'prod' }]);
    expect(match.targets).toEqual([]);
    expect(match.unmatched[0]).toContain('2 swept clusters');
  });
});

describe('kubeResultLine', () => {
  it('says where, how it ended, what was read and the calls; escapes control characters', () => {
    const line = kubeResultLine({
      target: {
        context: kubeconfig().context('prod'),
        accountId: '111122223333',
        cluster: 'prod\u001b[31m',
        region: 'us-west-2',
        matchedBy: 'endpoint',
      },
      kubernetes: {
        status: 'unreadable',
        source: 'api',
        reason: 'nothing could be read',
        fix: 'open a network path',
        serviceAccounts: [],
        pods: [],
        podIdentityWebhook: null,
      },
      calls: 1,
    });
    expect(line).toBe(
      'kubernetes: prod\\e[31m@us-west-2 (111122223333) via context "prod": unreadable, 0 service accounts, 0 pods, pod identity webhook unknown, 1 calls: nothing could be read (fix: open a network path)',
    );
  });
});
