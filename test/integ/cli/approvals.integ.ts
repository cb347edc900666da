/**
 * The CLI's approval commands against the approval API (the local console server in front of a real run of the
 * synthesized state machine): sign in through the browser (the test plays the browser: it follows the printed URL
 * through the local OpenID provider's login page and back to the CLI's loopback listener), refresh an expired ID
 * token with the refresh token, list, show, approve with the content hash shown, reject, history, rollback.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { main } from '../../../cli/main';
import { seedClients } from '../../../emulator/seed';
import { logger } from '../../../lambdas/handlers/make-handler';
import { captureIo } from '../../support/cli-io';
import {
  APPROVER,
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  startConsoleHarness,
  VIEWER,
} from '../../support/console-harness';
import { seedWorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let h: ConsoleHarness;
let tokenFile: string;

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  const estate = await seedWorkflowEstate(endpointUrl());
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1']);
  tokenFile = join(mkdtempSync(join(tmpdir(), 'irsa-cli-')), 'token');
}, HARNESS_START_MS);

afterAll(async () => {
  await closeConsoleHarnesses();
});

async function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const cap = captureIo(options.stdin ?? '', { env: options.env ?? {} });
  const code = await main([...args, '--console-url', h.console.url, '--token-file', tokenFile], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

/**
 * `irsa-doctor login --no-browser`, with the test as the browser: reads the sign-in URL the CLI prints, signs in on
 * the provider's page as `username`, and follows the redirect to the CLI's listener (`tamper` may change it first).
 */
async function browserLogin(username: string, password: string, tamper: (back: URL) => URL = (u) => u) {
  const cap = captureIo('', { env: {} });
  let done = false;
  const running = main(
    ['login', '--no-browser', '--console-url', h.console.url, '--token-file', tokenFile],
    cap.io,
  ).finally(() => {
    done = true;
  });
  const printed = () => /^(http\S+\/auth\?\S+)$/m.exec(cap.err())?.[1];
  while (!printed() && !done) await new Promise((r) => setTimeout(r, 20));
  const url = printed();
  if (url) {
    const back = tamper(new URL(await h.provider.completeLogin(url, username, password)));
    await fetch(back).catch(() => undefined);
  }
  const code = await running;
  return { code, out: cap.out(), err: cap.err(), url };
}

/** A JWT-shaped token expiring in `seconds` (not signed: the API refuses it if the CLI sends it). */
function unsignedToken(seconds: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp: Math.floor(Date.now() / 1000) + seconds })}.x`;
}
const expiredToken = () => unsignedToken(-60);

async function trustPolicy(arn: string): Promise<unknown> {
  const { Role } = await seedClients(endpointUrl(), arn.split(':')[4] ?? '').iam.send(
    new GetRoleCommand({ RoleName: arn.split('/').pop() }),
  );
  return JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
}

describe('irsa-doctor approvals and rollback', () => {
  it('refuses without a token, and a non-approver', async () => {
    const none = await cli(['approvals', 'list']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/not signed in: run "irsa-doctor login"/);
    const viewer = await cli(['approvals', 'list'], {
      env: { IRSA_DOCTOR_TOKEN: await h.pool.signIn(VIEWER.username, VIEWER.password) },
    });
    expect(viewer.code).toBe(2);
    expect(viewer.err).toMatch(/403.*irsa-doctor-approvers/);
    // A redirect whose state is not the one the CLI sent (a forged or replayed callback) is refused
    const forged = await browserLogin(APPROVER.username, APPROVER.password, (back) => {
      back.searchParams.set('state', 'not-the-cli-state');
      return back;
    });
    expect(forged.code).toBe(2);
    expect(forged.err).toMatch(/sign-in refused/);
  });

  it('signs in, lists, shows, approves what it showed, rejects, lists the change and rolls it back', async () => {
    const login = await browserLogin(APPROVER.username, APPROVER.password);
    expect(login.code).toBe(0);
    expect(login.err).toContain(`signed in as ${APPROVER.username}`);
    // The authorization request carried an S256 challenge and a loopback redirect; the exchange, the verifier
    const auth = new URL(login.url ?? '');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const exchange = h.provider.requests.filter((r) => r.endpoint === 'token').at(-1);
    expect(exchange?.params).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: auth.searchParams.get('redirect_uri'),
    });
    expect(exchange?.params.code_verifier).toMatch(/^[\w-]{43,128}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(tokenFile, 'utf8')) as { idToken: string; refreshToken?: string };
    expect(stored.idToken.split('.')).toHaveLength(3);
    expect(stored.refreshToken).toBeTruthy();

    // When the stored ID token has expired, the next command renews it with the refresh token first
    writeFileSync(tokenFile, JSON.stringify({ ...stored, idToken: expiredToken() }), { mode: 0o600 });
    const renewed = await cli(['approvals', 'list']);
    expect(renewed.code).toBe(0);
    expect(h.provider.requests.filter((r) => r.endpoint === 'token').at(-1)?.params.grant_type).toBe('refresh_token');
    const after = JSON.parse(readFileSync(tokenFile, 'utf8')) as { idToken: string };
    expect(after.idToken).not.toBe(expiredToken());
    expect(after.idToken.split('.')[2]?.length).toBeGreaterThan(10);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    // When the API refuses a stored ID token that has not expired (here: not signed by the provider), the CLI renews
    // it once with the refresh token and tries again
    const refreshesBefore = h.provider.requests.filter((r) => r.params.grant_type === 'refresh_token').length;
    writeFileSync(tokenFile, JSON.stringify({ ...after, idToken: unsignedToken(3600) }), { mode: 0o600 });
    const retried = await cli(['approvals', 'list']);
    expect(retried.code).toBe(0);
    expect(h.provider.requests.filter((r) => r.params.grant_type === 'refresh_token')).toHaveLength(
      refreshesBefore + 1,
    );

    const pending = await h.pending();
    const [first, second] = pending.filter(
      (p) => p.plan.action === 'update-trust-policy' && p.plan.dependsOn.length === 0,
    );
    if (!first || !second) throw new Error('expected two independent trust-policy plans');
    const list = await cli(['approvals', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toContain(`${first.runId}/${first.planId}`);
    expect(list.out).toContain(`Account ${first.plan.accountId}`);

    const show = await cli(['approvals', 'show', `${first.runId}/${first.planId}`]);
    expect(show.out).toContain(first.plan.diff.split('\n')[0]);
    expect(show.out).toContain(`content ${first.contentHash}`);

    // A hash it was never shown is refused (exit 1: the plan was not opened with that content), nothing decided
    const stale = await cli(['approvals', 'approve', `${first.runId}/${first.planId}`, '--hash', 'a'.repeat(64)]);
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/PlanNotOpenedError/);

    const approve = await cli([
      'approvals',
      'approve',
      `${first.runId}/${first.planId}`,
      '--hash',
      first.contentHash,
      '--comment',
      'from the terminal',
    ]);
    expect(approve.code).toBe(0);
    expect(approve.out).toContain('approved by alice');
    const reject = await cli(['approvals', 'reject', `${second.runId}/${second.planId}`]);
    expect(reject.code).toBe(0);
    expect(reject.out).toContain('rejected by alice');
    const again = await cli(['approvals', 'reject', `${first.runId}/${first.planId}`]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/AlreadyDecidedError/);

    const applied = await h.waitForStatus(first.planId, ['verified', 'unverified']);
    expect(await trustPolicy(first.plan.resourceArn)).toEqual(first.plan.after);
    const history = await cli(['approvals', 'history']);
    expect(history.out).toContain(applied.changeId);
    const rollback = await cli(['rollback', applied.changeId ?? '', '--comment', 'undo']);
    expect(rollback.code).toBe(0);
    expect(await trustPolicy(first.plan.resourceArn)).toEqual(first.plan.before);
    const twice = await cli(['rollback', applied.changeId ?? '']);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/already rolled back/);
  });

  it('names a bad plan reference and a bad console URL', async () => {
    const bad = await cli(['approvals', 'show', 'no-slash']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a plan reference/);
    const cap = captureIo('', { env: {} });
    expect(await main(['approvals', 'list', '--console-url', 'http://example.com'], cap.io)).toBe(2);
    expect(cap.err()).toMatch(/must be https/);
  });
});
