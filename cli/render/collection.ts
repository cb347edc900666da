import type { AnalysisResult, Finding } from '../../lambdas/domain/finding';
import { SEVERITIES, type Severity } from '../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../lambdas/domain/rules/catalog';
import type { AccountSnapshot, EstateSnapshot } from '../../lambdas/domain/snapshot';

/**
 * How completely the snapshot was collected, as every machine-readable report carries it: a clean report from a
 * half-read estate is not a clean estate. Accounts by collection status (absent status: complete, as a
 * hand-written snapshot), clusters by how their Kubernetes side was read (`notRead`: no kubeconfig, no
 * --kube-objects, so no cluster-side rule ran for them), and the accounts and clusters not read completely.
 */
export interface CollectionReport {
  readonly partition: string;
  readonly snapshotGeneratedAt?: string;
  readonly generator?: string;
  readonly accounts: {
    readonly total: number;
    readonly complete: number;
    readonly partial: number;
    readonly unreachable: number;
  };
  readonly clusters: {
    readonly total: number;
    readonly kubernetes: {
      readonly complete: number;
      readonly partial: number;
      readonly unreadable: number;
      readonly notRead: number;
    };
  };
  readonly incompleteAccounts: ReadonlyArray<{
    readonly accountId: string;
    readonly status: 'partial' | 'unreachable';
    readonly regions?: readonly string[];
    readonly errors: ReadonlyArray<{ readonly operation: string; readonly region?: string; readonly code: string }>;
  }>;
  readonly incompleteClusters: ReadonlyArray<{
    readonly accountId: string;
    readonly cluster: string;
    readonly region: string;
    readonly status: 'partial' | 'unreadable';
    readonly reason?: string;
  }>;
}

export function collectionReport(snapshot: EstateSnapshot): CollectionReport {
  const accounts = { total: snapshot.accounts.length, complete: 0, partial: 0, unreachable: 0 };
  const kubernetes = { complete: 0, partial: 0, unreadable: 0, notRead: 0 };
  const incompleteAccounts: Array<CollectionReport['incompleteAccounts'][number]> = [];
  const incompleteClusters: Array<CollectionReport['incompleteClusters'][number]> = [];
  let clusters = 0;
  for (const a of snapshot.accounts) {
    const status = a.collection?.status ?? 'complete';
    accounts[status]++;
    if (status !== 'complete') incompleteAccounts.push(incompleteAccount(a, status));
    for (const c of a.clusters) {
      clusters++;
      const read = c.kubernetes?.status;
      kubernetes[read ?? 'notRead']++;
      if (read === 'partial' || read === 'unreadable') {
        const reason = c.kubernetes?.reason;
        incompleteClusters.push({
          accountId: a.accountId,
          cluster: c.name,
          region: c.region,
          status: read,
          ...(reason ? { reason } : {}),
        });
      }
    }
  }
  return {
    ...snapshotOrigin(snapshot),
    accounts,
    clusters: { total: clusters, kubernetes },
    incompleteAccounts,
    incompleteClusters,
  };
}

function snapshotOrigin(snapshot: EstateSnapshot) {
  return {
    partition: snapshot.partition,
    ...(snapshot.generatedAt ? { snapshotGeneratedAt: snapshot.generatedAt } : {}),
    ...(snapshot.generator ? { generator: snapshot.generator } : {}),
  };
}

function incompleteAccount(
  a: AccountSnapshot,
  status: 'partial' | 'unreachable',
): CollectionReport['incompleteAccounts'][number] {
  return {
    accountId: a.accountId,
    status,
    ...(a.collection?.regions ? { regions: a.collection.regions } : {}),
    errors: (a.collection?.errors ?? []).map((e) => ({
      operation: e.operation,
      ...(e.region ? { region: e.region } : {}),
      code: e.code,
    })),
  };
}

/** Open (not suppressed) and suppressed findings by severity. */
export function findingCounts(findings: readonly Finding[]): {
  open: Record<Severity, number>;
  suppressed: Record<Severity, number>;
  openTotal: number;
  suppressedTotal: number;
} {
  const zero = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const open = zero();
  const suppressed = zero();
  for (const f of findings) (f.suppressed ? suppressed : open)[f.severity]++;
  const sum = (r: Record<Severity, number>) => SEVERITIES.reduce((n, s) => n + r[s], 0);
  return { open, suppressed, openTotal: sum(open), suppressedTotal: sum(suppressed) };
}

/**
 * Each rule of the catalog with its open and suppressed findings: `passed` when none is open. A cluster-side rule
 * only runs where the cluster was read (see the collection report), so its pass says nothing of clusters not read.
 */
export function ruleResults(result: AnalysisResult): Array<{
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly open: number;
  readonly suppressed: number;
  readonly status: 'passed' | 'failed';
}> {
  const by = new Map<string, { open: number; suppressed: number }>();
  for (const f of result.findings) {
    const n = by.get(f.ruleId) ?? { open: 0, suppressed: 0 };
    if (f.suppressed) n.suppressed++;
    else n.open++;
    by.set(f.ruleId, n);
  }
  return [...RULE_CATALOG.values()].map((r) => {
    const n = by.get(r.id) ?? { open: 0, suppressed: 0 };
    return { id: r.id, severity: r.severity, title: r.title, ...n, status: n.open > 0 ? 'failed' : 'passed' };
  });
}
