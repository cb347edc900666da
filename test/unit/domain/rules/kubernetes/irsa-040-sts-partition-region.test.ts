import { container, findings, kube, kubeSa, pod, withKube } from './kube-fixture';

const CN_ROLE = 'arn:aws-cn:iam::111111111111:role/web';
const env = (extra: Record<string, string>) => ({
  AWS_ROLE_ARN: CN_ROLE,
  AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  ...extra,
});

describe('IRSA-040: STS endpoint or region of the wrong partition', () => {
  it('in aws-cn, wants regional STS and a cn- region', () => {
    const p = pod('apps', 'web-1', 'web', { containers: [container(env({ AWS_REGION: 'us-east-1' }))] });
    const k = kube({ serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': CN_ROLE })], pods: [p] });
    const [f, ...rest] = findings(withKube(k, { partition: 'aws-cn' }), 'IRSA-040');
    expect(rest).toEqual([]);
    expect(f?.severity).toBe('critical');
    expect(f?.evidence.problems).toEqual([
      'AWS_REGION=us-east-1 is a region of partition aws, not aws-cn',
      expect.stringContaining('AWS_STS_REGIONAL_ENDPOINTS is not set'),
    ]);
  });

  it('is quiet for a well-set China pod', () => {
    const good = env({
      AWS_STS_REGIONAL_ENDPOINTS: 'regional',
      AWS_REGION: 'cn-north-1',
      AWS_DEFAULT_REGION: 'cn-north-1',
    });
    const k = kube({
      serviceAccounts: [kubeSa('apps', 'web', { 'eks.amazonaws.com/role-arn': CN_ROLE })],
      pods: [pod('apps', 'web-1', 'web', { containers: [container(good)] })],
    });
    expect(findings(withKube(k, { partition: 'aws-cn' }), 'IRSA-040')).toEqual([]);
  });
});
