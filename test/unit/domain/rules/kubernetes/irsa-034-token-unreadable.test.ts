import { container, findings, INJECTED, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

const sa = kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE });
const nonRoot = pod('apps', 'web-1', 'web', { securityContext: { runAsUser: 1000 } });

describe('IRSA-034: a non-root container cannot read the token before Kubernetes 1.19', () => {
  it('is reported on a 1.18 cluster without fsGroup', () => {
    const [f] = findings(withKube(kube({ serviceAccounts: [sa], pods: [nonRoot] }), { version: '1.18' }), 'IRSA-034');
    expect(f).toMatchObject({
      resourceArn: ROLE,
      kubernetesObject: { kind: 'Pod', name: 'web-1' },
      evidence: { kubernetesVersion: '1.18', containers: [{ name: 'app', runAsUser: 1000 }] },
    });
  });

  it('is not reported from 1.19, with fsGroup, for root, or when a container runs as root over the pod', () => {
    const k = (p: typeof nonRoot) => kube({ serviceAccounts: [sa], pods: [p] });
    expect(findings(withKube(k(nonRoot), { version: '1.19' }), 'IRSA-034')).toEqual([]);
    const fs = { ...nonRoot, securityContext: { runAsUser: 1000, fsGroup: 1000 } };
    expect(findings(withKube(k(fs), { version: '1.18' }), 'IRSA-034')).toEqual([]);
    const root = { ...nonRoot, containers: [container(INJECTED, { securityContext: { runAsUser: 0 } })] };
    expect(findings(withKube(k(root), { version: '1.18' }), 'IRSA-034')).toEqual([]);
  });
});
