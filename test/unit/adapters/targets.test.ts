import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { resolveTargets } from '../../../lambdas/adapters/targets';

describe('resolveTargets', () => {
  // No AWS call is needed for a configured list; any call would fail against this closed port.
  const factory = new AwsClientFactory({
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 's' },
    maxAttempts: 1,
  });

  it('takes a configured list, sorted, without duplicates or excluded accounts', async () => {
    expect(
      await resolveTargets(factory, {
        accounts: ['222222222222', '111111111111', '222222222222', '333333333333'],
        exclude: ['333333333333'],
      }),
    ).toEqual([{ accountId: '111111111111' }, { accountId: '222222222222' }]);
  });

  it.each([
    [{ accounts: ['12345'] }, /account ids must be 12 digits; got "12345"/],
    [{ exclude: ['abc'] }, /account ids must be 12 digits; got "abc"/],
    [{ organization: true, organizationalUnits: ['workloads'] }, /organizational units must be ids like ou-/],
    [{ accounts: ['111111111111'], organization: true }, /either an account list or --organization/],
    [{ organizationalUnits: ['ou-ab12-cdef3456'] }, /add --organization/],
  ])('refuses %j', async (options, message) => {
    await expect(resolveTargets(factory, options)).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(message),
    });
  });
});
