import { container, findings, INJECTED, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

describe('IRSA-035: credential variables win over the role', () => {
  it('names the containers and variables (never values)', () => {
    const p = pod('apps', 'web-1', 'web', {
      containers: [container(INJECTED, { credentialEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] })],
    });
    const k = kube({ serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE })], pods: [p] });
    const [f] = findings(withKube(k), 'IRSA-035');
    expect(f).toMatchObject({
      resourceArn: ROLE,
      evidence: {
        via: 'irsa',
        containers: [{ name: 'app', variables: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] }],
      },
    });
    const clean = kube({
      serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE })],
      pods: [pod('apps', 'web-1', 'web')],
    });
    expect(findings(withKube(clean), 'IRSA-035')).toEqual([]);
  });
});
