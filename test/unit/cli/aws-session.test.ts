/**
 * The session of scan and probe from flags, environment and the shared files (written to a temporary HOME and named
 * with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), as the AWS CLI resolves them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MfaPrompt, resolveAwsSession, type SessionOptions } from '../../../cli/aws-session';
import { captureIo } from '../../support/cli-io';

const home = mkdtempSync(join(tmpdir(), 'irsa-doctor-session-'));
let files = 0;

/** The two shared files of one test (distinct paths: the SDK caches what it read per path). */
function sharedFiles(config: string, credentials = ''): Record<string, string> {
  files += 1;
  const dir = join(home, `aws-${files}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config'), config);
  writeFileSync(join(dir, 'credentials'), credentials);
  return { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
}

const CONFIG = `[default]
region = eu-west-1

[profile china]
region = cn-northwest-1

[profile gov]
region = us-gov-east-1

[profile keys]
region = us-west-2

[profile mfa]
role_arn = arn:aws:iam::222222222222:role/admin
source_profile = keys
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-east-2

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`;
const CREDENTIALS = `[keys]
aws_access_key_id = AKIAKEYSPROFILE00000
aws_secret_access_key = keys-secret
`;

const noTerminal: MfaPrompt = {
  interactive: false,
  ask: () => Promise.reject(new Error('not asked')),
};

async function session(options: SessionOptions, env: Record<string, string>, prompt: MfaPrompt = noTerminal) {
  return resolveAwsSession(options, captureIo('', { env: { ...sharedFiles(CONFIG, CREDENTIALS), ...env } }).io, prompt);
}

const summary = async (options: SessionOptions, env: Record<string, string> = {}) => {
  const s = await session(options, env);
  return { profile: s.profile, region: s.region, source: s.regionSource, partition: s.partition.name };
};

describe('resolveAwsSession: region and partition', () => {
  it('takes --region first, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile region', async () => {
    const env = { AWS_REGION: 'cn-north-1', AWS_DEFAULT_REGION: 'us-gov-west-1', AWS_PROFILE: 'gov' };
    expect(await summary({ region: 'us-west-2' }, env)).toMatchObject({
      region: 'us-west-2',
      source: '--region',
      partition: 'aws',
    });
    expect(await summary({}, env)).toMatchObject({ region: 'cn-north-1', source: 'AWS_REGION', partition: 'aws-cn' });
    expect(await summary({}, { ...env, AWS_REGION: '' })).toMatchObject({
      region: 'us-gov-west-1',
      source: 'AWS_DEFAULT_REGION',
      partition: 'aws-us-gov',
    });
    expect(await summary({}, { AWS_PROFILE: 'gov' })).toEqual({
      profile: 'gov',
      region: 'us-gov-east-1',
      source: 'the region of profile gov',
      partition: 'aws-us-gov',
    });
  });

  it("reads the region of --profile over AWS_PROFILE's, and the default profile's without either", async () => {
    expect(await summary({ profile: 'china' }, { AWS_PROFILE: 'gov' })).toMatchObject({
      profile: 'china',
      region: 'cn-northwest-1',
      partition: 'aws-cn',
    });
    expect(await summary({})).toMatchObject({ profile: undefined, region: 'eu-west-1', partition: 'aws' });
  });

  it('is partition aws with no region anywhere, and --partition alone chooses the partition', async () => {
    const none = { ...sharedFiles('') };
    expect(await summary({}, none)).toEqual({
      profile: undefined,
      region: undefined,
      source: undefined,
      partition: 'aws',
    });
    expect(await summary({ partition: 'aws-us-gov' }, none)).toMatchObject({ partition: 'aws-us-gov' });
    expect(await summary({ partition: 'aws-cn', region: 'cn-north-1' })).toMatchObject({ partition: 'aws-cn' });
  });

  it.each([
    [{ partition: 'aws-iso' }, /--partition must be one of aws, aws-cn, aws-us-gov; got "aws-iso"/],
    [
      { partition: 'aws', region: 'cn-north-1' },
      /--partition aws does not match --region cn-north-1, which is in aws-cn/,
    ],
    [{ region: 'west' }, /--region "west" is not a region name/],
    [{ region: 'us-iso-east-1' }, /us-iso-east-1 is in partition aws-iso, which is not supported/],
    [{ profile: 'has space' }, /--profile must be a profile name/],
  ])('refuses %j with a UsageError saying what to fix', async (options, message) => {
    await expect(session(options, {})).rejects.toMatchObject({
      name: 'UsageError',
      message: expect.stringMatching(message),
    });
  });

  it('names a bad AWS_REGION as coming from there', async () => {
    await expect(session({}, { AWS_REGION: 'nowhere' })).rejects.toThrow(/^AWS_REGION "nowhere" is not a region name/);
  });
});

describe('resolveAwsSession: credentials', () => {
  it("uses the profile's keys from the credentials file, before the environment's", async () => {
    const s = await session({ profile: 'keys' }, {});
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT0';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    // The SDK warns that both are set, and proceeds with the profile (as the AWS CLI does with --profile)
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(await s.credentials()).toMatchObject({
        accessKeyId: 'AKIAKEYSPROFILE00000',
        secretAccessKey: 'keys-secret',
      });
    } finally {
      warn.mockRestore();
      restore('AWS_ACCESS_KEY_ID', saved.id);
      restore('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });

  it('refuses an MFA profile without a terminal, naming the profile and its mfa_serial', async () => {
    const s = await session({ profile: 'mfa' }, {});
    await expect(s.credentials()).rejects.toMatchObject({
      name: 'CredentialsError',
      message: expect.stringMatching(
        /^profile mfa needs an MFA code \(mfa_serial arn:aws:iam::111111111111:mfa\/alice\) and stdin is not a terminal/,
      ),
    });
  });

  it('asks for the MFA code on a terminal, naming the device, and refuses a code that is not 6 digits', async () => {
    const asked: string[] = [];
    const terminal = (answer: string): MfaPrompt => ({
      interactive: true,
      ask: async (question) => {
        asked.push(question);
        return answer;
      },
    });
    const s = await session({ profile: 'mfa' }, {}, terminal('12 34'));
    await expect(s.credentials()).rejects.toMatchObject({
      name: 'CredentialsError',
      message: 'the MFA code for arn:aws:iam::111111111111:mfa/alice (profile mfa) must be 6 digits',
    });
    expect(asked).toEqual(['Enter MFA code for arn:aws:iam::111111111111:mfa/alice: ']);
  });

  it('hands an SSO profile to the SSO provider, which asks for aws sso login when no session is cached', async () => {
    const env = sharedFiles(CONFIG);
    const saved = { home: process.env.HOME, config: process.env.AWS_CONFIG_FILE };
    process.env.HOME = home; // no ~/.aws/sso/cache here
    // The SDK's fromIni hands an SSO profile to fromSSO without the file paths it was given: that one reads
    // AWS_CONFIG_FILE from the process (the CLI's environment is the process's, so both agree there).
    process.env.AWS_CONFIG_FILE = env.AWS_CONFIG_FILE;
    try {
      const s = await session({ profile: 'sso' }, env);
      expect(s.region).toBe('us-east-2');
      await expect(s.credentials()).rejects.toThrow(
        "The SSO session token associated with profile=sso was not found or is invalid. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
      );
    } finally {
      restore('HOME', saved.home);
      restore('AWS_CONFIG_FILE', saved.config);
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
