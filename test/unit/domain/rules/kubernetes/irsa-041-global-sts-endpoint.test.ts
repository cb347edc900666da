import { container, findings, INJECTED, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

describe('IRSA-041: pods use the global STS endpoint', () => {
  it('reports AWS_STS_REGIONAL_ENDPOINTS=legacy (medium), not regional', () => {
    const sa = kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE });
    const legacy = pod('apps', 'web-1', 'web', {
      containers: [container({ ...INJECTED, AWS_STS_REGIONAL_ENDPOINTS: 'legacy' })],
    });
    const [f] = findings(withKube(kube({ serviceAccounts: [sa], pods: [legacy] })), 'IRSA-041');
    expect(f).toMatchObject({ severity: 'medium', evidence: { AWS_STS_REGIONAL_ENDPOINTS: 'legacy' } });
    expect(
      findings(withKube(kube({ serviceAccounts: [sa], pods: [pod('apps', 'web-1', 'web')] })), 'IRSA-041'),
    ).toEqual([]);
  });
});
