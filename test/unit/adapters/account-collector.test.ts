import { createServer } from 'node:net';
import { collectAccount } from '../../../lambdas/adapters/account-collector';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';

/** A loopback port nothing listens on: every call to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('collectAccount when reads fail', () => {
  it('records each failed read and reports the account partial, never throwing or claiming it healthy', async () => {
    // Given an endpoint that refuses every connection
    const factory = new AwsClientFactory({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    // When the account is collected
    const account = await collectAccount(factory, '111111111111', { regions: ['us-west-2', 'eu-west-1'] });
    // Then nothing was read, every failed operation is named, and no region counts as scanned
    expect(account.collection?.status).toBe('partial');
    expect(account.collection?.regions).toEqual([]);
    expect(account.collection?.errors?.map((e) => [e.operation, e.region ?? null])).toEqual([
      ['iam:GetAccountAuthorizationDetails', null],
      ['iam:ListOpenIDConnectProviders', null],
      ['eks:ListClusters', 'us-west-2'],
      ['eks:ListClusters', 'eu-west-1'],
    ]);
    expect(account.roles).toEqual([]);
  });
});
