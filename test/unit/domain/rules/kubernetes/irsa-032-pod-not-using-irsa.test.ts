import { container, findings, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

const annotated = (times?: Record<string, string>) =>
  kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE }, times ? { annotationTimes: times } : {});
const bare = (name: string, createdAt: string) =>
  pod('apps', name, 'web', { createdAt, containers: [container({})], tokenVolume: undefined });

describe('IRSA-032: pods that do not use the role their service account names', () => {
  it('finds pods created before the annotation (from managed fields), grouped by workload', () => {
    const k = kube({
      serviceAccounts: [annotated({ 'eks.amazonaws.com/role-arn': '2026-01-03T00:00:00Z' })],
      pods: [bare('web-1', '2026-01-01T00:00:00Z'), bare('web-2', '2026-01-01T00:00:00Z')],
    });
    const [f, ...rest] = findings(withKube(k), 'IRSA-032');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      resourceArn: ROLE,
      kubernetesObject: { kind: 'Pod', namespace: 'apps', name: 'web-1' },
      evidence: {
        reason: 'created-before-annotation',
        annotationSetAt: '2026-01-03T00:00:00Z',
        workload: { podCount: 2 },
      },
    });
  });

  it('without managed fields, says the webhook did not mutate them', () => {
    const k = kube({ serviceAccounts: [annotated()], pods: [bare('web-1', '2026-01-01T00:00:00Z')] });
    expect(findings(withKube(k), 'IRSA-032')[0]?.evidence).toMatchObject({
      reason: 'not-mutated',
      webhookConfigured: true,
    });
  });

  it('finds pods whose AWS_ROLE_ARN differs from the annotation, and pods whose annotation is gone', () => {
    const old = 'arn:aws:iam::111111111111:role/old';
    const stale = pod('apps', 'web-1', 'web', {
      containers: [container({ AWS_ROLE_ARN: old, AWS_WEB_IDENTITY_TOKEN_FILE: '/t' })],
    });
    const [changed] = findings(withKube(kube({ serviceAccounts: [annotated()], pods: [stale] })), 'IRSA-032');
    expect(changed?.evidence).toMatchObject({ reason: 'role-changed', podRoleArn: old, roleArn: ROLE });
    const [removed] = findings(withKube(kube({ serviceAccounts: [kubeSa('apps', 'web')], pods: [stale] })), 'IRSA-032');
    expect(removed).toMatchObject({ resourceArn: old, evidence: { reason: 'annotation-removed', roleArn: null } });
  });

  it('says nothing of mutated pods with the current role', () => {
    expect(
      findings(withKube(kube({ serviceAccounts: [annotated()], pods: [pod('apps', 'web-1', 'web')] })), 'IRSA-032'),
    ).toEqual([]);
  });
});
