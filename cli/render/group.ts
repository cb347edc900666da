import { type Finding, severityRank } from '../../lambdas/domain/finding';

export interface FindingGroup {
  readonly accountId: string;
  readonly clusters: ReadonlyArray<{
    readonly cluster?: string;
    readonly region?: string;
    readonly findings: readonly Finding[];
  }>;
}

/** Groups findings by account, then by cluster (account-wide findings last), worst group first. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const byAccount = new Map<string, Map<string, Finding[]>>();
  for (const f of findings) {
    const clusterKey = f.cluster ? `${f.cluster}\u0000${f.region ?? ''}` : '';
    let clusters = byAccount.get(f.accountId);
    if (!clusters) {
      clusters = new Map();
      byAccount.set(f.accountId, clusters);
    }
    const list = clusters.get(clusterKey);
    if (list) list.push(f);
    else clusters.set(clusterKey, [f]);
  }
  const worst = (list: readonly Finding[]) => Math.min(...list.map((f) => severityRank(f.severity)));
  return [...byAccount.entries()]
    .map(([accountId, clusters]) => ({
      accountId,
      clusters: [...clusters.entries()]
        .map(([key, list]) => {
          const [cluster, region] = key.split('\u0000');
          return { ...(cluster ? { cluster, region } : {}), findings: list };
        })
        .sort(
          (a, b) =>
            worst(a.findings) - worst(b.findings) || (a.cluster ?? '\uffff').localeCompare(b.cluster ?? '\uffff'),
        ),
    }))
    .sort(
      (a, b) =>
        worst(a.clusters.flatMap((c) => c.findings)) - worst(b.clusters.flatMap((c) => c.findings)) ||
        a.accountId.localeCompare(b.accountId),
    );
}
