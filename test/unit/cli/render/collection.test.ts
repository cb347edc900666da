import { collectionReport, findingCounts, ruleResults } from '../../../../cli/render/collection';
import type { ClusterSnapshot, EstateSnapshot, KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';
import { account, cluster, estate } from '../../../support/estate-builder';
import { analyzed, exampleEstate, withSuppressed } from '../../../support/report-fixture';

const kube = (status: KubernetesSnapshot['status'], reason?: string): KubernetesSnapshot => ({
  status,
  source: 'api',
  ...(reason ? { reason } : {}),
  serviceAccounts: [],
  pods: [],
  podIdentityWebhook: null,
});

function clusterWith(name: string, k?: KubernetesSnapshot): ClusterSnapshot {
  const c = cluster({ name, region: 'us-west-2', accountId: '111122223333' }).snapshot;
  return k ? { ...c, kubernetes: k } : c;
}

describe('collectionReport', () => {
  it('counts accounts by collection status and lists the ones not complete with their errors', () => {
    const report = collectionReport(exampleEstate());
    expect(report.accounts).toEqual({ total: 4, complete: 2, partial: 1, unreachable: 1 });
    const unreachable = report.incompleteAccounts.find((a) => a.status === 'unreachable');
    expect(unreachable).toMatchObject({ accountId: '444444444444', errors: [{ operation: 'sts:AssumeRole' }] });
    expect(report.partition).toBe('aws');
  });

  it('counts clusters by how their Kubernetes side was read, listing the partial and unreadable ones', () => {
    const snapshot: EstateSnapshot = estate([
      account('111122223333', {
        clusters: [
          clusterWith('read', kube('complete')),
          clusterWith('half', kube('partial', 'pods: Forbidden')),
          clusterWith('closed', kube('unreadable', 'no access entry')),
          clusterWith('unasked'),
        ],
      }),
    ]);
    const report = collectionReport(snapshot);
    expect(report.clusters).toEqual({ total: 4, kubernetes: { complete: 1, partial: 1, unreadable: 1, notRead: 1 } });
    expect(report.incompleteClusters).toEqual([
      { accountId: '111122223333', cluster: 'half', region: 'us-west-2', status: 'partial', reason: 'pods: Forbidden' },
      {
        accountId: '111122223333',
        cluster: 'closed',
        region: 'us-west-2',
        status: 'unreadable',
        reason: 'no access entry',
      },
    ]);
    expect(report.accounts.complete).toBe(1); // no collection status: a hand-written snapshot, complete
  });
});

describe('findingCounts and ruleResults', () => {
  const result = withSuppressed(analyzed(exampleEstate()), 3);

  it('splits open and suppressed findings by severity', () => {
    const counts = findingCounts(result.findings);
    expect(counts.openTotal + counts.suppressedTotal).toBe(result.findings.length);
    expect(counts.suppressedTotal).toBe(3);
  });

  it('gives every rule a status: failed when a finding of it is open', () => {
    const rules = ruleResults(result);
    for (const r of rules) {
      const open = result.findings.filter((f) => f.ruleId === r.id && !f.suppressed).length;
      expect(r.open).toBe(open);
      expect(r.status).toBe(open > 0 ? 'failed' : 'passed');
    }
  });
});
