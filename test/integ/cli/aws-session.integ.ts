/**
 * The session of scan and probe against the emulator's STS and IAM through the real SDK: a profile with role_arn,
 * source_profile and mfa_serial asks for the code (on the terminal, here answered by the test) and then assumes the
 * role in the profile's partition; the calls that follow are the role's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { type MfaPrompt, resolveAwsSession } from '../../../cli/aws-session';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { captureIo } from '../../support/cli-io';
import { endpointUrl } from '../emulator-env';

const HUB = '123456789012';
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-session-integ-'));

it.each([
  ['aws-cn', '330000000001', 'cn-north-1'],
  ['aws-us-gov', '330000000002', 'us-gov-west-1'],
])('an MFA profile in %s asks for the code, then assumes its role there', async (partition, account, region) => {
  // Given a role in the partition that the hub may assume, and a profile that assumes it with MFA
  await seedClients(endpointUrl(), account, region).iam.send(
    new CreateRoleCommand({
      RoleName: 'admin',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${HUB}:root` }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  const config = join(dir, `config-${partition}`);
  const credentials = join(dir, `credentials-${partition}`);
  writeFileSync(
    config,
    `[profile ops]\nregion = ${region}\nrole_arn = arn:${partition}:iam::${account}:role/admin\nsource_profile = base\nmfa_serial = arn:${partition}:iam::${HUB}:mfa/alice\n`,
  );
  writeFileSync(
    credentials,
    `[base]\naws_access_key_id = ${EMULATOR_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${EMULATOR_CREDENTIALS.secretAccessKey}\n`,
  );
  const asked: string[] = [];
  const terminal: MfaPrompt = {
    interactive: true,
    ask: async (question) => {
      asked.push(question);
      return '123456';
    },
  };

  // When the session of `-p ops` is resolved and used
  const { io } = captureIo('', { env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials } });
  const session = await resolveAwsSession({ profile: 'ops', endpointUrl: endpointUrl() }, io, terminal);
  const caller = await new AwsClientFactory({
    endpoint: endpointUrl(),
    credentials: session.credentials,
    partition: session.partition.name,
  }).callerAccount();

  // Then the partition came from the profile's region, the code was asked once, and the calls are the role's
  expect(session.partition.name).toBe(partition);
  expect(asked).toEqual([`Enter MFA code for arn:${partition}:iam::${HUB}:mfa/alice: `]);
  expect(caller).toBe(account);
});
