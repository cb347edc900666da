/**
 * AwsEstateReader as the scanner role on the emulator, against the EstateReader contract the in-memory fake passes
 * (test/unit/support/fakes/estate-reader.contract.test.ts).
 */
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { AwsEstateReader } from '../../../lambdas/adapters/aws-estate-reader';
import { estateReaderContract } from '../../support/contracts/estate-reader-contract';
import { freshAccountId, HUB, seedMemberRoles } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

beforeAll(() => useEmulatorCredentials());

describe('AwsEstateReader', () => {
  estateReaderContract(async () => {
    const readers = new AwsClientFactory({
      endpoint: endpointUrl(),
      roleName: 'IrsaDoctorScanner',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'read',
      maxAttempts: 2,
    });
    return {
      estate: new AwsEstateReader(readers, { env: { readClusters: false, endpoint: endpointUrl() }, tlsCheck: false }),
      readableAccount: async (roleName) => {
        const accountId = freshAccountId();
        await seedMemberRoles(endpointUrl(), accountId);
        await seedClients(endpointUrl(), accountId).iam.send(
          new CreateRoleCommand({
            RoleName: roleName,
            AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
          }),
        );
        return accountId;
      },
      unreadableAccount: async () => freshAccountId(),
      activeCluster: async (accountId, region, name) => {
        await seedClients(endpointUrl(), accountId)
          .eks(region)
          .send(
            new CreateClusterCommand({
              name,
              roleArn: `arn:aws:iam::${accountId}:role/eks`,
              resourcesVpcConfig: { subnetIds: ['subnet-1'] },
            }),
          );
      },
    };
  });
});
