/**
 * `irsa-doctor probe` against the real local kube-apiserver (kube/local-cluster.ts: EKS-style issuer, RBAC with the
 * `prober` and `viewer` identities) and the AWS emulator: the cluster (its issuer pinned to the API server's with the
 * emulator's `emulator:oidc-issuer` tag), the IAM OIDC provider for that issuer, a role whose trust allows the service
 * account and one whose trust names another, in a member account the probe enters through the scanner role.
 *
 * moto implements AssumeRoleWithWebIdentity WITHOUT checking the token or evaluating the trust policy: with --assume
 * it hands out credentials for the bad role too. The verdict is the project's own evaluation; --assume here shows the
 * STS call and the caller identity work end to end, not that STS would refuse.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { main } from '../../../cli/main';
import type { ProbeReport } from '../../../cli/render/probe-report';
import { seedClients } from '../../../emulator/seed';
import { KubeAdmin, kubeEnv, uniqueNamespace } from '../../../kube/local-cluster';
import { collectAccount } from '../../../lambdas/adapters/account-collector';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { decodePolicyText } from '../../../lambdas/adapters/iam-text';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../lambdas/domain/trust-policy/parse-trust-policy';
import { captureIo } from '../../support/cli-io';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const HUB = '123456789012';
// A member account of its own, so no other test file's provider for the same issuer collides with ours.
const MEMBER = `2${randomBytes(6).readUIntBE(0, 6).toString().padStart(11, '0').slice(0, 11)}`;
const REGION = 'us-east-1';
const CLUSTER = `probe-${randomBytes(4).toString('hex')}`;
const CLUSTER_ARN = `arn:aws:eks:${REGION}:${MEMBER}:cluster/${CLUSTER}`;
const GOOD = `arn:aws:iam::${MEMBER}:role/probe-good`;
const BAD = `arn:aws:iam::${MEMBER}:role/probe-bad`;
const admin = new KubeAdmin();
const namespace = uniqueNamespace('probe');
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-probe-'));
let hostPath: string;

function trust(sub: string, sid: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${MEMBER}:oidc-provider/${hostPath}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${hostPath}:sub`]: sub, [`${hostPath}:aud`]: 'sts.amazonaws.com' } },
      },
    ],
  });
}

beforeAll(async () => {
  useEmulatorCredentials();
  const env = kubeEnv();
  hostPath = env.issuer.replace(/^https:\/\//, '');
  const seed = seedClients(endpointUrl(), MEMBER);
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: 'IrsaDoctorScanner',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await seed.eks(REGION).send(
    new CreateClusterCommand({
      name: CLUSTER,
      roleArn: `arn:aws:iam::${MEMBER}:role/eks-cluster`,
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      tags: { 'emulator:oidc-issuer': env.issuer },
    }),
  );
  await seed.iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: env.issuer,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
    }),
  );
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: 'probe-good',
      AssumeRolePolicyDocument: trust(`system:serviceaccount:${namespace}:app`, 'App'),
    }),
  );
  await seed.iam.send(
    new CreateRoleCommand({
      RoleName: 'probe-bad',
      AssumeRolePolicyDocument: trust(`system:serviceaccount:${namespace}:someone-else`, 'SomeoneElse'),
    }),
  );
  await admin.createNamespace(namespace);
  await admin.createServiceAccount(namespace, 'app', { annotations: { 'eks.amazonaws.com/role-arn': GOOD } });
  await admin.createServiceAccount(namespace, 'other', { annotations: { 'eks.amazonaws.com/role-arn': BAD } });
});

afterAll(async () => {
  await admin.cleanup();
});

async function probe(
  serviceAccount: string,
  extra: string[] = [],
  identity: 'prober' | 'viewer' | 'admin' = 'prober',
): Promise<{ code: number; report: ProbeReport | undefined; stdout: string; stderr: string }> {
  const { io, out, err } = captureIo('', { env: { AWS_ENDPOINT_URL: endpointUrl() } });
  const code = await main(
    [
      'probe',
      '--cluster',
      CLUSTER_ARN,
      '--namespace',
      namespace,
      '--service-account',
      serviceAccount,
      '--kubeconfig',
      kubeEnv().identities[identity].kubeconfig,
      '--output',
      'json',
      ...extra,
    ],
    io,
  );
  const stdout = out();
  return { code, report: stdout ? (JSON.parse(stdout) as ProbeReport) : undefined, stdout, stderr: err() };
}

/** The trust evaluator on the role as IAM holds it, for the claims the probe's token carried. */
async function evaluatorSays(roleArn: string, sub: string, aud: string) {
  const iam = seedClients(endpointUrl(), MEMBER).iam;
  const role = await iam.send(new GetRoleCommand({ RoleName: roleArn.split('/').pop() }));
  const read = parseTrustPolicy(decodePolicyText(role.Role?.AssumeRolePolicyDocument ?? ''));
  if (!read.ok) throw new Error(read.message);
  return evaluateTrustPolicy(
    read.policy,
    webIdentityRequest(`arn:aws:iam::${MEMBER}:oidc-provider/${hostPath}`, hostPath, { sub, aud }),
  );
}

describe('irsa-doctor probe', () => {
  test('gets a real token from the API server and allows the role whose trust names the service account', async () => {
    const started = Date.now() / 1000;
    const { code, report, stdout, stderr } = await probe('app');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(report?.verdict).toBe('allow');
    // A real token of the real server: its issuer, this service account, the default audience, a 600 s lifetime.
    expect(report?.token).toMatchObject({
      issuer: kubeEnv().issuer,
      subject: `system:serviceaccount:${namespace}:app`,
      audience: ['sts.amazonaws.com'],
    });
    const lifetime = Date.parse(report?.token?.expiresAt ?? '') / 1000 - started;
    expect(lifetime).toBeGreaterThan(500);
    expect(lifetime).toBeLessThan(700);
    expect(report?.checks.map((c) => [c.id, c.status])).toEqual(
      [
        'service-account',
        'token',
        'subject',
        'expiry',
        'audience',
        'issuer',
        'role-annotation',
        'provider',
        'provider-audience',
        'role',
        'trust',
      ].map((id) => [id, 'pass']),
    );
    const expected = await evaluatorSays(GOOD, `system:serviceaccount:${namespace}:app`, 'sts.amazonaws.com');
    expect(report?.trust).toMatchObject({ decision: expected.decision, statement: { index: 0, sid: 'App' } });
    expect(expected.decision).toBe('Allow');
    // The prober may not read the API server's keys (no issuer-discovery binding): the signature is not checked.
    expect(report?.token?.signature).toEqual({
      verified: false,
      detail: 'not checked: this identity may not get /openid/v1/jwks (403)',
    });
    // The token is a credential: it is never printed.
    expect(stdout).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });

  test('denies the role whose trust names another service account, naming the statement and the :sub condition', async () => {
    const { code, report } = await probe('other');
    expect(code).toBe(1);
    expect(report?.verdict).toBe('deny');
    const expected = await evaluatorSays(BAD, `system:serviceaccount:${namespace}:other`, 'sts.amazonaws.com');
    expect(expected.decision).toBe('ImplicitDeny');
    expect(report?.trust).toMatchObject({
      decision: expected.decision,
      explanation: expected.explanation,
      statement: { index: 0, sid: 'SomeoneElse' },
      failedCondition: { key: `${hostPath}:sub`, values: [`system:serviceaccount:${namespace}:someone-else`] },
    });
    expect(report?.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['trust']);
  });

  test("checks the token's signature against the API server's keys when the identity may read them", async () => {
    const { code, report } = await probe('app', [], 'admin');
    expect(code).toBe(0);
    expect(report?.token?.signature).toMatchObject({ verified: true });
    expect(report?.token?.signature.detail).toMatch(/^verified with the API server's key \S+ \(\/openid\/v1\/jwks\)$/);
  });

  test('--assume exchanges the token at the emulated STS and prints the caller identity', async () => {
    const { code, report } = await probe('app', ['--assume']);
    expect(code).toBe(0);
    expect(report?.assume).toMatchObject({ ok: true, account: MEMBER });
    expect(report?.assume && 'arn' in report.assume ? report.assume.arn : '').toMatch(
      new RegExp(`^arn:aws:sts::${MEMBER}:assumed-role/probe-good/irsa-doctor-probe-\\d+$`),
    );
  });

  test('prints the table a person reads', async () => {
    const { io, out } = captureIo('', { env: { AWS_ENDPOINT_URL: endpointUrl() } });
    const code = await main(
      [
        'probe',
        '--cluster',
        CLUSTER_ARN,
        '--namespace',
        namespace,
        '--service-account',
        'other',
        '--kubeconfig',
        kubeEnv().identities.prober.kubeconfig,
      ],
      io,
    );
    expect(code).toBe(1);
    expect(out()).toContain('FAIL  trust');
    expect(out()).toContain('Wrote: one TokenRequest (a 600 s token for audience sts.amazonaws.com); nothing else');
    expect(out()).toContain('Verdict: DENY');
  });

  test('the viewer identity gets 403 on the TokenRequest, and the probe names the permission it needs', async () => {
    const { code, stdout, stderr } = await probe('app', [], 'viewer');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('403');
    expect(stderr).toContain('"create" on "serviceaccounts/token"');
  });

  test('a service account that does not exist fails the probe without a token request', async () => {
    const { code, report } = await probe('missing');
    expect(code).toBe(1);
    expect(report?.checks[0]).toMatchObject({ id: 'service-account', status: 'fail' });
    expect(report?.wrote).toMatch(/^nothing/);
  });

  test('reads the AWS side from a snapshot just as from AWS', async () => {
    const factory = new AwsClientFactory({ endpoint: endpointUrl(), roleName: 'IrsaDoctorScanner', hubAccountId: HUB });
    const account = await collectAccount(factory, MEMBER, { regions: [REGION], workloads: false });
    const file = join(dir, 'snapshot.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, partition: 'aws', accounts: [account] }));
    const good = await probe('app', ['--snapshot', file]);
    expect(good.code).toBe(0);
    expect(good.report?.cluster.source).toBe(`snapshot ${file}`);
    const bad = await probe('other', ['--snapshot', file]);
    expect(bad.report?.trust).toMatchObject({ decision: 'ImplicitDeny', statement: { sid: 'SomeoneElse' } });
  });
});
