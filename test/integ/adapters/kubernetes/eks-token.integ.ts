/**
 * The EKS bearer token against the real AWS CLI (`aws eks get-token`, awscli pinned in scripts/awscli.sh, installed
 * by the integ global setup), both signing with the same static credentials at the same instant (the CLI's clock is
 * fixed by replacing its botocore's get_current_datetime, asserted to exist), and against the emulator's STS.
 */
import { execFileSync } from 'node:child_process';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../../emulator/seed';
import { decodeEksToken, EKS_TOKEN_PREFIX, eksBearerToken } from '../../../../lambdas/adapters/kubernetes/eks-token';
import { installAwsCli } from '../../aws-cli';
import { endpointUrl } from '../../emulator-env';

const AT = new Date('2026-11-30T05:36:49Z');
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

// Runs the CLI's own entry point with botocore's clock fixed at AT (fails loudly if the CLI no longer has it).
const FIXED_CLOCK_CLI = `
import datetime, sys
import awscli  # makes its vendored botocore importable as botocore, the module the CLI signs with
import botocore.auth as auth
assert callable(auth.get_current_datetime), 'botocore.auth.get_current_datetime is gone'
def fixed(remove_tzinfo=True):
    t = datetime.datetime(2026, 11, 30, 5, 36, 49, tzinfo=datetime.timezone.utc)
    return t.replace(tzinfo=None) if remove_tzinfo else t
auth.get_current_datetime = fixed
from awscli.clidriver import main
sys.exit(main())
`;

let python = '';

function cliToken(
  cluster: string,
  region: string,
  extra: readonly string[] = [],
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = credentials,
  env: Record<string, string> = {},
): string {
  const out = execFileSync(
    python,
    [
      '-c',
      FIXED_CLOCK_CLI,
      'eks',
      'get-token',
      '--cluster-name',
      cluster,
      '--region',
      region,
      '--output',
      'json',
      ...extra,
    ],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
        ...env,
      },
    },
  );
  return (JSON.parse(out) as { status: { token: string } }).status.token;
}

function structure(token: string) {
  const url = decodeEksToken(token);
  if (!url) throw new Error(`not an EKS token: ${token.slice(0, 40)}`);
  const q = url.searchParams;
  return {
    prefix: token.slice(0, EKS_TOKEN_PREFIX.length),
    origin: url.origin,
    path: url.pathname,
    names: [...q.keys()].sort(),
    fixed: {
      Action: q.get('Action'),
      Version: q.get('Version'),
      'X-Amz-Algorithm': q.get('X-Amz-Algorithm'),
      'X-Amz-Expires': q.get('X-Amz-Expires'),
      'X-Amz-SignedHeaders': q.get('X-Amz-SignedHeaders'),
      'X-Amz-Date': q.get('X-Amz-Date'),
      'X-Amz-Security-Token': q.get('X-Amz-Security-Token'),
    },
    // access key / date / region / service / aws4_request
    scope: q.get('X-Amz-Credential')?.split('/'),
    signature: q.get('X-Amz-Signature'),
  };
}

beforeAll(() => {
  python = installAwsCli();
});

describe('the EKS token against aws eks get-token', () => {
  it.each(['us-east-1', 'us-west-2', 'cn-north-1', 'us-gov-west-1'])(
    'is the CLI token, signature included, for a cluster in %s (regional STS endpoint of the partition)',
    async (region) => {
      const ours = await eksBearerToken({ clusterName: 'prod', region, credentials, now: () => AT });
      const theirs = structure(cliToken('prod', region));
      expect(structure(ours.token)).toEqual(theirs);
      expect(theirs.fixed['X-Amz-SignedHeaders']).toBe('host;x-k8s-aws-id');
      expect(theirs.fixed['X-Amz-Expires']).toBe('60');
      expect(theirs.scope).toEqual(['AKIDEXAMPLE', '20261130', region, 'sts', 'aws4_request']);
    },
  );

  it('matches the CLI against the emulator endpoint, with a session token, signature included', async () => {
    const creds = { ...credentials, sessionToken: 'FwoGZXIvYXdzEBA+session/token==' };
    const ours = await eksBearerToken({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: creds,
      endpoint: endpointUrl(),
      now: () => AT,
    });
    // get-token makes its own STS client: --endpoint-url (the EKS client's) does not reach it, the STS one does.
    const theirs = cliToken('prod', 'eu-west-1', [], creds, { AWS_ENDPOINT_URL_STS: endpointUrl() });
    expect(structure(ours.token)).toEqual(structure(theirs));
    expect(decodeEksToken(ours.token)?.host).toBe(new URL(endpointUrl()).host);
  });
});

describe('the EKS token against the emulator STS', () => {
  it("answers GetCallerIdentity with the scanner role's identity when its URL is called", async () => {
    const member = '444455556666';
    await seedClients(endpointUrl(), member).iam.send(
      new CreateRoleCommand({
        RoleName: 'IrsaDoctorScanner',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const sts = new STSClient({ endpoint: endpointUrl(), region: 'us-east-1', credentials: EMULATOR_CREDENTIALS });
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${member}:role/IrsaDoctorScanner`, RoleSessionName: 'scan' }),
    );
    const { token } = await eksBearerToken({
      clusterName: 'prod',
      region: 'us-west-2',
      credentials: {
        accessKeyId: c?.AccessKeyId ?? '',
        secretAccessKey: c?.SecretAccessKey ?? '',
        sessionToken: c?.SessionToken ?? '',
      },
      endpoint: endpointUrl(),
    });
    const url = decodeEksToken(token);
    const res = await fetch(url?.href ?? '', { headers: { 'x-k8s-aws-id': 'prod' } });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain(`<Arn>arn:aws:sts::${member}:assumed-role/IrsaDoctorScanner/scan</Arn>`);
  });
});
