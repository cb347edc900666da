import { container, findings, kube, kubeSa, pod, ROLE, withKube } from './kube-fixture';

const sa = kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': ROLE });
const bare = pod('apps', 'web-1', 'web', { containers: [container({})], tokenVolume: undefined });

describe('IRSA-033: no pod identity webhook', () => {
  it('is critical, once for the cluster, when pods of annotated service accounts are not mutated', () => {
    const k = kube({ serviceAccounts: [sa], pods: [bare], podIdentityWebhook: { configured: false } });
    const all = findings(withKube(k));
    const [f, ...rest] = all.filter((x) => x.ruleId === 'IRSA-033');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      severity: 'critical',
      resourceType: 'cluster',
      kubernetesObject: { kind: 'MutatingWebhookConfiguration', name: 'pod-identity-webhook' },
      evidence: { serviceAccounts: ['apps/web'], podCount: 1 },
    });
    // IRSA-032 does not say it again per pod
    expect(all.filter((x) => x.ruleId === 'IRSA-032')).toEqual([]);
  });

  it('concludes nothing when webhooks were not listed (null) or listed in part; then IRSA-032 reports the pods', () => {
    const unknown = findings(withKube(kube({ serviceAccounts: [sa], pods: [bare], podIdentityWebhook: null })));
    expect(unknown.filter((x) => x.ruleId === 'IRSA-033')).toEqual([]);
    expect(unknown.find((x) => x.ruleId === 'IRSA-032')?.evidence).toMatchObject({ webhookConfigured: null });
    const partial = kube({
      status: 'partial',
      errors: [{ kind: 'mutatingwebhookconfigurations', code: 'Forbidden', message: 'no' }],
      serviceAccounts: [sa],
      pods: [bare],
      podIdentityWebhook: { configured: false },
    });
    expect(findings(withKube(partial), 'IRSA-033')).toEqual([]);
  });
});
