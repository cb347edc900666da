import { findings, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

describe('IRSA-037: token-expiration annotation out of range', () => {
  it('reports the service account and the pods (low), and accepts 600..86400', () => {
    const sa = kubeSa('apps', 'web', {
      'eks.amazonaws.com/role-arn': ROLE,
      'eks.amazonaws.com/token-expiration': '300',
    });
    const p = pod('apps', 'web-1', 'web', { annotations: { 'eks.amazonaws.com/token-expiration': '1d' } });
    const all = findings(withKube(kube({ serviceAccounts: [sa], pods: [p] })), 'IRSA-037');
    expect(all.map((f) => [f.severity, f.kubernetesObject?.kind, f.evidence.value])).toEqual([
      ['low', 'ServiceAccount', '300'],
      ['low', 'Pod', '1d'],
    ]);
    const ok = kubeSa('apps', 'web', { 'eks.amazonaws.com/token-expiration': '600' });
    expect(findings(withKube(kube({ serviceAccounts: [ok] })), 'IRSA-037')).toEqual([]);
  });
});
