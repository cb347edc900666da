import { findings, kube, kubeSa, pod, withKube } from './kube-fixture';

describe('KUBE-002: a pod names a service account that does not exist', () => {
  it('is reported per workload, on the cluster, when service accounts were read completely', () => {
    const k = kube({
      serviceAccounts: [kubeSa('apps', 'other')],
      pods: [pod('apps', 'web-1', 'web'), pod('apps', 'web-2', 'web')],
    });
    const [f, ...rest] = findings(withKube(k), 'KUBE-002');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      resourceArn: 'arn:aws:eks:us-west-2:111111111111:cluster/one',
      resourceType: 'cluster',
      cluster: 'one',
      region: 'us-west-2',
      kubernetesObject: { kind: 'Pod', namespace: 'apps', name: 'web-1' },
      evidence: {
        serviceAccount: { namespace: 'apps', name: 'web' },
        workload: { pods: ['web-1', 'web-2'], podCount: 2 },
      },
    });
    expect(f?.podError).toContain('serviceaccount "<name>" not found');
  });

  it('is not said from a partial read of service accounts, nor from an unreadable cluster', () => {
    const pods = [pod('apps', 'web-1', 'web')];
    const partial = kube({
      status: 'partial',
      reason: 'serviceaccounts: 403',
      errors: [{ kind: 'serviceaccounts', code: 'Forbidden', message: 'forbidden' }],
      pods,
    });
    expect(findings(withKube(partial), 'KUBE-002')).toEqual([]);
    expect(findings(withKube(kube({ status: 'unreadable', reason: 'unreachable', pods })), 'KUBE-002')).toEqual([]);
    // A partial read whose errors are on pods only still knows every service account
    const podsOnly = kube({ status: 'partial', errors: [{ kind: 'pods', code: 'TooLarge', message: 'x' }], pods });
    expect(findings(withKube(podsOnly), 'KUBE-002')).toHaveLength(1);
  });

  it('handles names with odd characters and empty lists', () => {
    expect(findings(withKube(kube()))).toEqual([]);
    const odd = 'we"b\u00e9\n';
    const [f] = findings(withKube(kube({ pods: [pod('ap ps', 'p', odd, { owner: undefined })] })), 'KUBE-002');
    expect(f?.evidence).toMatchObject({ serviceAccount: { namespace: 'ap ps', name: odd } });
  });
});
