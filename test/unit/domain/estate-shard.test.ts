/**
 * Sharded analysis gives what the whole estate gives: for every account, the findings and plans of its shard (the
 * account, the accounts it shares workloads with pruned for it, every other account's issuers) equal the whole
 * estate's findings and plans of that account. On the example estate, on a hand-built cross-account estate with
 * Kubernetes reads (the rules that cross accounts), and on random schema-valid estates (fast-check).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  focusOf,
  type IssuerEntry,
  issuerEntry,
  planAccount,
  pruneFor,
  relatedAccounts,
} from '../../../lambdas/domain/estate-shard';
import type { Finding } from '../../../lambdas/domain/finding';
import { planEstate } from '../../../lambdas/domain/plan/plan-estate';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import type { AccountSnapshot, EstateSnapshot } from '../../../lambdas/domain/snapshot';
import { snapshotArb } from '../../support/arbitraries';
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
} from '../../support/estate-builder';
import { fcSeed } from '../../support/fc-seed';
import { kube, kubeSa, pod } from './rules/kubernetes/kube-fixture';

const byId = <T extends { id: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/**
 * Every account's shard, analyzed and planned (planAccount, as analyze-account does): all accounts together, and the
 * findings each shard planned from (a plan's content hash covers them: they must be the findings recorded).
 */
function sharded(snapshot: EstateSnapshot): { findings: Finding[]; plans: Plan[]; planned: Finding[] } {
  const index: IssuerEntry[] = snapshot.accounts.map(issuerEntry);
  const byAccount = new Map(snapshot.accounts.map((a) => [a.accountId, a]));
  const findings: Finding[] = [];
  const plans: Plan[] = [];
  const planned: Finding[] = [];
  for (const a of snapshot.accounts) {
    const related = new Map<string, AccountSnapshot>();
    for (const id of relatedAccounts(a, index)) {
      const full = byAccount.get(id);
      if (full) related.set(id, pruneFor(full, focusOf(a)));
    }
    const result = planAccount(a, index, related, { partition: snapshot.partition });
    findings.push(...result.findings);
    plans.push(...result.plans);
    planned.push(...result.planned);
  }
  return { findings: byId(findings), plans: byId(plans), planned };
}

/** Sharded equals whole: findings, plans, and every finding a shard planned from is the one recorded. */
function expectSameAsWhole(snapshot: EstateSnapshot): { findings: Finding[]; plans: Plan[] } {
  const expected = whole(snapshot);
  const got = sharded(snapshot);
  expect({ findings: got.findings, plans: got.plans }).toEqual(expected);
  const recorded = new Map(got.findings.map((f) => [f.id, f]));
  for (const f of got.planned) expect(recorded.get(f.id)).toEqual(f);
  return expected;
}

function whole(snapshot: EstateSnapshot): { findings: Finding[]; plans: Plan[] } {
  const sorted = {
    ...snapshot,
    accounts: [...snapshot.accounts].sort((a, b) => a.accountId.localeCompare(b.accountId)),
  };
  const result = planEstate(sorted);
  return { findings: byId([...result.analysis.findings, ...result.findings]), plans: byId(result.plans) };
}

/** Account ids unique (the sharded run is keyed by account, as collection is). */
function uniqueAccounts(snapshot: EstateSnapshot): EstateSnapshot {
  const seen = new Set<string>();
  return { ...snapshot, accounts: snapshot.accounts.filter((a) => !seen.has(a.accountId) && seen.add(a.accountId)) };
}

describe('sharded analysis', () => {
  it('gives the whole estate’s findings and plans on the example estate', () => {
    const snapshot = JSON.parse(
      readFileSync(join(__dirname, '../../../examples/estate.json'), 'utf8'),
    ) as EstateSnapshot;
    const expected = expectSameAsWhole(snapshot);
    expect(expected.findings.length).toBeGreaterThan(10);
    expect(expected.plans.length).toBeGreaterThan(3);
  });

  it.each([
    ['own', 'distinct cluster names'],
    ['shared', 'a cluster name and region both accounts use'],
  ])(
    'gives the whole estate’s findings across accounts: workloads, Kubernetes reads and providers of others (%s: %s)',
    (ownName) => {
      const A = '111111111111';
      const B = '222222222222';
      const C = '333333333333';
      const shared = cluster({ name: 'shared', region: 'us-east-1', accountId: B });
      const own = cluster({ name: ownName, region: 'us-east-1', accountId: A });
      const roleA = `arn:aws:iam::${A}:role/app`;
      const missingA = `arn:aws:iam::${A}:role/missing`;
      const outside = 'arn:aws:iam::999999999999:role/elsewhere';
      const bKube = kube({
        serviceAccounts: [
          kubeSa('team', 'app', { 'eks.amazonaws.com/role-arn': roleA }),
          kubeSa('team', 'ghost', { 'eks.amazonaws.com/role-arn': missingA }),
          kubeSa('team', 'plain'),
          // Names a role of an account outside the estate, with a bad token expiration: IRSA-037 on that account.
          kubeSa('team', 'far', {
            'eks.amazonaws.com/role-arn': outside,
            'eks.amazonaws.com/token-expiration': '10',
          }),
        ],
        pods: [
          pod('team', 'app-1', 'app', { containers: [{ name: 'c', awsEnv: {} }] }),
          pod('team', 'plain-1', 'plain'),
          pod('team', 'far-1', 'far', { containers: [{ name: 'c', awsEnv: {} }] }),
        ],
      });
      const snapshot = estate([
        account(A, {
          clusters: [own.snapshot],
          // A's provider for B's cluster (cross-account IRSA), and one for its own cluster.
          oidcProviders: [provider(shared, { inAccount: A }), provider(own)],
          roles: [
            role(A, 'app', policy(irsaStatement(shared, [sa('team', 'app'), sa('team', 'plain')], { inAccount: A }))),
            // Names C's provider (another account's: IRSA-002).
            role(A, 'names-c', policy(irsaStatement(own, sa('x', 'y'), { inAccount: C }))),
          ],
          serviceAccounts: [serviceAccount(own, 'x', 'y', `arn:aws:iam::${C}:role/nope`)],
        }),
        account(B, {
          clusters: [{ ...shared.snapshot, kubernetes: bKube }],
          oidcProviders: [provider(shared)],
          roles: [],
        }),
        account(C, { clusters: [], oidcProviders: [provider(own, { inAccount: C })], roles: [] }),
      ]);
      const expected = whole(snapshot);
      const rules = new Set(expected.findings.map((f) => f.ruleId));
      // The cross-account rules this estate is built to fire.
      for (const r of ['IRSA-031', 'KUBE-003', 'IRSA-002', 'IRSA-037']) expect(rules).toContain(r);
      expect(expected.findings.some((f) => f.accountId === '999999999999')).toBe(true);
      expect(expected.findings.some((f) => f.accountId === A && f.cluster === 'shared')).toBe(true);
      expectSameAsWhole(snapshot);
    },
  );

  it('gives the whole estate’s findings and plans on random estates', () => {
    fc.assert(
      fc.property(snapshotArb, (raw) => {
        const snapshot = uniqueAccounts(raw);
        expectSameAsWhole(snapshot);
      }),
      { seed: fcSeed(20_261_130), numRuns: 80 },
    );
  });

  it('keeps each account’s roles and Kubernetes objects out of the index', () => {
    const a = account('111111111111', {
      clusters: [
        { ...cluster({ name: 'c', region: 'us-east-1', accountId: '111111111111' }).snapshot, kubernetes: kube() },
      ],
      roles: [role('111111111111', 'r', policy())],
    });
    const entry = issuerEntry(a);
    expect(entry).not.toHaveProperty('roles');
    expect(entry.clusters[0]).not.toHaveProperty('kubernetes');
    expect(entry.kubernetesRead).toBe(true);
  });
});
