import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { irsaStatement, policy, sa } from '../../../../support/estate-builder';
import { container, findings, kube, kubeSa, one, pod, ROLE, withKube } from './kube-fixture';

const annotated = (name: string, annotations: Record<string, string> = {}) =>
  kubeSa('apps', name, { 'eks.amazonaws.com/role-arn': ROLE, ...annotations });

describe('service accounts read from Kubernetes are known workloads', () => {
  it('run the workload rules, which name the object; IRSA-031 names the statement that would allow it', () => {
    const k = kube({
      serviceAccounts: [
        annotated('web'),
        annotated('api'),
        kubeSa('apps', 'bad', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/x' }),
      ],
    });
    const other = withKube(k, { trust: policy(irsaStatement(one, sa('apps', 'web'))) });
    const all = findings(other);
    const f016 = all.find((f) => f.ruleId === 'IRSA-016');
    expect(f016).toMatchObject({
      resourceArn: ROLE,
      cluster: 'one',
      region: 'us-west-2',
      kubernetesObject: { kind: 'ServiceAccount', namespace: 'apps', name: 'api' },
    });
    expect(all.find((f) => f.ruleId === 'IRSA-030')?.kubernetesObject).toEqual({
      kind: 'ServiceAccount',
      namespace: 'apps',
      name: 'bad',
    });

    // A role that trusts no statement for this cluster: IRSA-031 with the allowing statement, which the evaluator allows
    const untrusting = withKube(kube({ serviceAccounts: [annotated('web')] }), { trust: policy() });
    const f031 = findings(untrusting, 'IRSA-031')[0];
    expect(f031?.kubernetesObject).toEqual({ kind: 'ServiceAccount', namespace: 'apps', name: 'web' });
    const statement = f031?.evidence.roleExists ? f031.evidence.allowingStatement : undefined;
    expect(statement).toBeDefined();
    const read = parseTrustPolicy({ Version: '2012-10-17', Statement: [statement] });
    if (!read.ok) throw new Error('unreadable');
    const request = webIdentityRequest(one.providerArn(), one.hostPath, {
      sub: sa('apps', 'web'),
      aud: 'sts.amazonaws.com',
    });
    expect(evaluateTrustPolicy(read.policy, request).decision).toBe('Allow');
  });

  it('IRSA-036 on the read audience annotation when the provider lacks it', () => {
    const k = kube({ serviceAccounts: [annotated('web', { 'eks.amazonaws.com/audience': 'custom' })] });
    const f = findings(withKube(k), 'IRSA-036').find((x) => x.resourceType === 'oidc-provider');
    expect(f).toMatchObject({
      kubernetesObject: { kind: 'ServiceAccount', name: 'web' },
      evidence: { audience: 'custom' },
    });
  });

  it('does not double-count a service account an add-on declares, and ignores unreadable clusters', () => {
    const addon = {
      cluster: 'one',
      region: 'us-west-2',
      namespace: 'apps',
      name: 'api',
      roleArn: ROLE,
      source: 'addon' as const,
      addon: 'x',
    };
    const k = kube({ serviceAccounts: [annotated('api')] });
    const all = findings(withKube(k, { account: { serviceAccounts: [addon] } }));
    expect(all.filter((f) => f.ruleId === 'IRSA-038')).toHaveLength(1);
    expect(all.filter((f) => f.ruleId === 'IRSA-016')).toEqual([]);
    const unreadable = kube({ status: 'unreadable', reason: 'x', serviceAccounts: [annotated('api')] });
    expect(findings(withKube(unreadable)).filter((f) => f.kubernetesObject)).toEqual([]);
  });

  it('PI-056 on a read service account says which credentials the SDKs use', () => {
    const both = pod('apps', 'web-1', 'web', {
      containers: [
        container({
          AWS_ROLE_ARN: ROLE,
          AWS_WEB_IDENTITY_TOKEN_FILE: '/t',
          AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
        }),
      ],
    });
    const association = {
      cluster: 'one',
      region: 'us-west-2',
      namespace: 'apps',
      serviceAccount: 'web',
      roleArn: ROLE,
    };
    const k = kube({ serviceAccounts: [annotated('web')], pods: [both] });
    const [f] = findings(withKube(k, { account: { podIdentityAssociations: [association] } }), 'PI-056');
    expect(f?.kubernetesObject).toEqual({ kind: 'ServiceAccount', namespace: 'apps', name: 'web' });
    expect(f?.evidence.pods).toEqual({ podIdentity: 0, irsa: 0, both: 1, neither: 0 });
    expect(f?.message).toContain('try web identity before container credentials, so they use IRSA');
  });
});

describe('planning from read workloads', () => {
  const wide = policy(irsaStatement(one, 'system:serviceaccount:*', { operator: 'StringLike' }));
  const read = (status: 'complete' | 'partial') =>
    kube({
      status,
      ...(status === 'partial'
        ? { reason: 'pods: 403', errors: [{ kind: 'pods' as const, code: 'Forbidden', message: 'x' }] }
        : {}),
      serviceAccounts: [annotated('web'), annotated('api'), kubeSa('apps', 'none')],
    });

  it('narrows an over-broad :sub to exactly the service accounts that use the role, applicable from a complete read', () => {
    const { plans } = planEstate(withKube(read('complete'), { trust: wide }));
    const plan = plans.find((p) => p.action === 'update-trust-policy' && p.ruleIds.includes('IRSA-018'));
    expect(plan?.applicable).toBe(true);
    expect(JSON.stringify(plan?.after)).toContain('"system:serviceaccount:apps:web","system:serviceaccount:apps:api"');
    expect(JSON.stringify(plan?.after)).not.toContain('apps:none');
  });

  it('is propose-only from a partial read, with the reason', () => {
    const { plans } = planEstate(withKube(read('partial'), { trust: wide }));
    const plan = plans.find((p) => p.action === 'update-trust-policy' && p.ruleIds.includes('IRSA-018'));
    expect(plan?.applicable).toBe(false);
    expect(plan?.proposeOnlyReason).toContain('read only in part (pods: 403)');
  });

  it('gives cluster-side findings propose-only plans with the exact kubectl commands', () => {
    const stale = pod('apps', 'web-5d8f7c9b4-abcde', 'web', {
      containers: [
        container({ AWS_ROLE_ARN: 'arn:aws:iam::111111111111:role/old', AWS_WEB_IDENTITY_TOKEN_FILE: '/t' }),
      ],
    });
    const k = kube({ serviceAccounts: [annotated('web'), kubeSa('apps', 'api')], pods: [stale] });
    const trust = policy(irsaStatement(one, [sa('apps', 'web'), sa('apps', 'api')]));
    const { plans } = planEstate(withKube(k, { trust }));
    const restart = plans.find((p) => p.ruleIds.includes('IRSA-032'));
    expect(restart).toMatchObject({ action: 'update-service-account', applicable: false });
    expect(restart?.rationale).toContain('kubectl rollout restart deployment/web -n apps');
    const annotate = plans.find((p) => p.ruleIds.includes('KUBE-003'));
    expect(annotate?.rationale).toContain(
      `kubectl annotate serviceaccount -n apps api eks.amazonaws.com/role-arn=${ROLE} --overwrite`,
    );
    expect(annotate?.diff).toContain(`+    eks.amazonaws.com/role-arn: ${ROLE}`);
    // No trust-policy plan is made from the cluster-side findings
    expect(plans.filter((p) => p.action === 'update-trust-policy')).toEqual([]);
  });
});
