/**
 * The region each client of the factory is made with, per partition, read from the clients' own resolved
 * configuration (no call is sent).
 */
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const factoryIn = (partition?: string) =>
  new AwsClientFactory({
    credentials,
    roleName: 'IrsaDoctorScanner',
    hubAccountId: '111111111111',
    ...(partition ? { partition } : {}),
  });

describe('AwsClientFactory', () => {
  it.each([
    [undefined, 'us-east-1', 'us-east-1', 'us-east-1', 'aws'],
    ['aws', 'us-east-1', 'us-east-1', 'us-east-1', 'aws'],
    ['aws-cn', 'cn-north-1', 'cn-north-1', 'cn-northwest-1', 'aws-cn'],
    ['aws-us-gov', 'us-gov-west-1', 'us-gov-west-1', 'us-gov-west-1', 'aws-us-gov'],
  ])(
    'partition %s: IAM in %s, STS in %s, Organizations in %s, member roles in %s',
    async (partition, iam, sts, org, arn) => {
      const factory = factoryIn(partition);

      expect(await factory.iam('222222222222').config.region()).toBe(iam);
      expect(await factory.iam('111111111111').config.region()).toBe(iam);
      expect(await factory.sts().config.region()).toBe(sts);
      expect(await factory.organizations().config.region()).toBe(org);
      expect(factory.roleArn('222222222222')).toBe(`arn:${arn}:iam::222222222222:role/IrsaDoctorScanner`);
      // The hub's own account is read with the base credentials: no role
      expect(factory.roleArn('111111111111')).toBeUndefined();
    },
  );

  it('makes EKS clients in the region asked for', async () => {
    expect(await factoryIn('aws-cn').eks('222222222222', 'cn-northwest-1').config.region()).toBe('cn-northwest-1');
  });

  it.each([
    ['aws', 'iam.amazonaws.com', 'sts.us-east-1.amazonaws.com'],
    ['aws-cn', 'iam.cn-north-1.amazonaws.com.cn', 'sts.cn-north-1.amazonaws.com.cn'],
    ['aws-us-gov', 'iam.us-gov.amazonaws.com', 'sts.us-gov-west-1.amazonaws.com'],
  ])('partition %s: without an endpoint override, IAM is %s and STS %s', async (partition, iamHost, stsHost) => {
    const saved = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    try {
      const factory = new AwsClientFactory({ credentials, partition });
      const host = async (client: ReturnType<AwsClientFactory['sts']> | ReturnType<AwsClientFactory['iam']>) =>
        client.config.endpointProvider({ Region: await client.config.region(), UseFIPS: false }, {}).url.hostname;
      expect(await host(factory.iam('111111111111'))).toBe(iamHost);
      expect(await host(factory.sts())).toBe(stsHost);
    } finally {
      if (saved !== undefined) process.env.AWS_ENDPOINT_URL = saved;
    }
  });

  it('refuses a partition it does not know', () => {
    expect(() => new AwsClientFactory({ partition: 'aws-iso' })).toThrow(/unknown partition "aws-iso"/);
  });

  it('passes every client it makes, once, through the instrument hook (the Lambda wiring traces them)', () => {
    const seen: unknown[] = [];
    const factory = new AwsClientFactory({
      credentials,
      roleName: 'IrsaDoctorScanner',
      hubAccountId: '111111111111',
      instrument: (client) => {
        seen.push(client);
        return client;
      },
    });
    const clients = [
      factory.organizations(),
      factory.sts(),
      factory.iam('222222222222'),
      factory.eks('222222222222', 'eu-west-1'),
      factory.eks('222222222222', 'us-east-1'),
    ];
    // Cached clients are not wrapped again
    factory.iam('222222222222');
    factory.sts();
    expect(seen).toEqual(clients);
  });
});
