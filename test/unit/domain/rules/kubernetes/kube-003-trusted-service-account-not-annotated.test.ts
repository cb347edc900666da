import { findings, kube, kubeSa, ROLE, withKube } from './kube-fixture';

describe('KUBE-003: a role trusts a service account that does not carry it', () => {
  it('reports the service account without the annotation, on the role (high)', () => {
    const [f, ...rest] = findings(withKube(kube({ serviceAccounts: [kubeSa('apps', 'web')] })), 'KUBE-003');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      severity: 'high',
      resourceArn: ROLE,
      resourceType: 'role',
      kubernetesObject: { kind: 'ServiceAccount', namespace: 'apps', name: 'web' },
      evidence: { subject: 'system:serviceaccount:apps:web', statementIndex: 0 },
    });
  });

  it('says low when it names another role, and nothing when it names this one or does not exist', () => {
    const other = 'arn:aws:iam::111111111111:role/other';
    const [low] = findings(
      withKube(kube({ serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': other })] })),
      'KUBE-003',
    );
    expect(low).toMatchObject({ severity: 'low', evidence: { serviceAccount: { roleArn: other } } });
    const right = kube({ serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE })] });
    expect(findings(withKube(right), 'KUBE-003')).toEqual([]);
    expect(findings(withKube(kube({ serviceAccounts: [kubeSa('apps', 'api')] })), 'KUBE-003')).toEqual([]);
  });
});
