/**
 * The registry's FixWriter (lambdas/adapters/registry-fix-writer.ts), as the remediator role of a member account on
 * the emulator, against the FixWriter contract the in-memory fake passes
 * (test/unit/support/fakes/fix-writer.contract.test.ts).
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { RegistryFixWriter } from '../../../lambdas/adapters/registry-fix-writer';
import { memberAccount, roleWithPlan, trustOf } from '../../support/audit-faults';
import { fixWriterContract } from '../../support/contracts/fix-writer-contract';
import { HUB } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

beforeAll(() => useEmulatorCredentials());

describe('RegistryFixWriter', () => {
  fixWriterContract(async () => {
    const account = await memberAccount();
    const { plan, roleName } = await roleWithPlan(endpointUrl(), account);
    const writers = new AwsClientFactory({
      endpoint: endpointUrl(),
      roleName: 'IrsaDoctorRemediator',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
    });
    return {
      fixes: new RegistryFixWriter(writers),
      plan,
      edit: async (document) => {
        await seedClients(endpointUrl(), account).iam.send(
          new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) }),
        );
      },
      read: () => trustOf(endpointUrl(), account, roleName),
    };
  });

  it('fails to write with read-only (scanner) credentials, before reading anything', async () => {
    const account = await memberAccount();
    const { plan } = await roleWithPlan(endpointUrl(), account);
    const readers = new AwsClientFactory({
      endpoint: endpointUrl(),
      roleName: 'IrsaDoctorScanner',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'read',
    });
    expect(() => new RegistryFixWriter(readers).checkWritable(plan)).toThrow(
      expect.objectContaining({ name: 'PlanNotApplicableError' }),
    );
  });
});
