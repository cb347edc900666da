/**
 * The CLI's listings and mutelist against the approval API's handler and a state store in the emulator: a small HTTP
 * server stands in for API Gateway (its JWT authorizer passes fixed claims for a token), everything behind it is
 * real. `mute add|list|remove`, and `approvals list|history` paging as the AWS CLI does (--max-items,
 * --starting-token, --page-size).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { main } from '../../../cli/main';
import { type ApiEvent, handleApiRequest } from '../../../lambdas/api/http-api';
import type { ApiDeps } from '../../../lambdas/workflow/approver-actions';
import { captureIo } from '../../support/cli-io';
import { freshStateStore, seedChanges, seedPendingPlans } from '../../support/fresh-state-store';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const ACCOUNT = '111111111111';
const TOKENS: Record<string, Record<string, string>> = {
  'alice-token': { 'cognito:username': 'alice', 'cognito:groups': '[irsa-doctor-approvers]' },
  'viewer-token': { 'cognito:username': 'victor', 'cognito:groups': '[]' },
};

let server: Server;
let url: string;
let deps: ApiDeps;

/** API Gateway, as far as the CLI sees it: config.json, and /api/* to the handler with the token's claims. */
function startApi(): Promise<void> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [path = '/', query = ''] = (req.url ?? '/').split('?');
      if (path === '/config.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ clientId: 'cli-test', cognitoEndpoint: `${url}/cognito/`, apiUrl: url }));
        return;
      }
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const claims = TOKENS[token];
      if (!claims) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"message":"Unauthorized"}');
        return;
      }
      const event: ApiEvent = {
        rawPath: path,
        rawQueryString: query,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
        requestContext: { http: { method: req.method ?? 'GET' }, authorizer: { jwt: { claims } } },
      };
      handleApiRequest(deps, event, { allowedOrigins: [] }).then((out) => {
        res.writeHead(out.statusCode ?? 200, { 'content-type': 'application/json' });
        res.end(out.body ?? '');
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  useEmulatorCredentials();
  const { store } = await freshStateStore(endpointUrl());
  await seedPendingPlans(store, 'run-1', ACCOUNT, 5);
  await seedChanges(store, 'run-1', ACCOUNT, 3);
  deps = { store, now: () => new Date(), approversGroup: 'irsa-doctor-approvers' };
  await startApi();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function cli(args: string[], token = 'alice-token') {
  const cap = captureIo('', { env: { IRSA_DOCTOR_TOKEN: token } });
  const code = await main([...args, '--console-url', url], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

describe('irsa-doctor mute', () => {
  it('adds a mute recorded as the caller, lists it, and removes it once', async () => {
    // When alice mutes a rule in an account for 30 days
    const added = await cli([
      'mute',
      'add',
      '--rule',
      'IRSA-015',
      '--account',
      ACCOUNT,
      '--reason',
      'legacy app',
      '--expires',
      '30d',
      '--output',
      'json',
    ]);
    expect(added).toMatchObject({ code: 0, err: '' });
    const { suppression } = JSON.parse(added.out);
    expect(suppression).toMatchObject({
      ruleId: 'IRSA-015',
      accountId: ACCOUNT,
      reason: 'legacy app',
      createdBy: 'alice',
    });
    const days = (Date.parse(suppression.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThanOrEqual(30);

    // Then the list shows it; removing it twice removes it once
    const listed = await cli(['mute', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(`${suppression.id}  rule IRSA-015, account ${ACCOUNT}`);
    expect(listed.out).toContain('legacy app (alice,');
    expect(await cli(['mute', 'remove', suppression.id])).toMatchObject({
      code: 0,
      out: `${suppression.id}: removed\n`,
    });
    const again = await cli(['mute', 'remove', suppression.id]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('SuppressionNotFoundError');
    expect((await cli(['mute', 'list'])).out).toBe('No finding is muted.\n');
  });

  it('refuses a mute without a match, a reason or an expiry (usage), or one the API refuses', async () => {
    const usage = [
      [['mute', 'add', '--reason', 'r', '--expires', '3d'], /at least one of --rule, --account, --resource/],
      [['mute', 'add', '--rule', 'IRSA-015', '--expires', '3d'], /--reason is required/],
      [['mute', 'add', '--rule', 'IRSA-015', '--reason', 'r'], /--expires is required/],
      [['mute', 'add', '--rule', 'IRSA-015', '--reason', 'r', '--expires', 'soon'], /is not a number of days/],
    ] as const;
    for (const [args, message] of usage) {
      const res = await cli([...args]);
      expect({ code: res.code, err: res.err }).toEqual({ code: 2, err: expect.stringMatching(message) });
    }
    const past = await cli(['mute', 'add', '--rule', 'IRSA-015', '--reason', 'r', '--expires', '2020-01-01']);
    expect(past.code).toBe(1);
    expect(past.err).toContain('must be in the future');
    const tooLong = await cli(['mute', 'add', '--rule', 'IRSA-015', '--reason', 'r', '--expires', '400d']);
    expect(tooLong.err).toContain('within 366 days');
    const badRule = await cli(['mute', 'add', '--rule', 'irsa', '--reason', 'r', '--expires', '3d']);
    expect(badRule.err).toMatch(/InvalidPayloadError: .*ruleId/);
    // a signed-in user outside the approvers group
    const viewer = await cli(['mute', 'list'], 'viewer-token');
    expect(viewer.code).toBe(2);
    expect(viewer.err).toContain('403');
  });
});

describe('approvals listings, paged', () => {
  it('reads every page by default, whatever the page size', async () => {
    const res = await cli(['approvals', 'list', '--page-size', '2', '--output', 'json']);
    expect(res.code).toBe(0);
    const { groups, nextToken } = JSON.parse(res.out);
    expect(groups.flatMap((g: { plans: { planId: string }[] }) => g.plans.map((p) => p.planId))).toEqual([
      'p1',
      'p2',
      'p3',
      'p4',
      'p5',
    ]);
    expect(nextToken).toBeUndefined();
  });

  it('stops at --max-items with a NextToken that --starting-token continues', async () => {
    const first = await cli(['approvals', 'list', '--max-items', '3', '--page-size', '2', '--output', 'json']);
    const page1 = JSON.parse(first.out);
    const planIds = (page: { groups: { plans: { planId: string }[] }[] }) =>
      page.groups.flatMap((g) => g.plans.map((p) => p.planId));
    expect(planIds(page1)).toEqual(['p1', 'p2', 'p3']);
    const rest = JSON.parse(
      (await cli(['approvals', 'list', '--starting-token', page1.nextToken, '--output', 'json'])).out,
    );
    expect(planIds(rest)).toEqual(['p4', 'p5']);

    const table = await cli(['approvals', 'history', '--max-items', '1']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^c3 /);
    expect(table.out).not.toContain('c2');
    const token = /NextToken: (\S+)/.exec(table.err)?.[1] ?? '';
    const older = JSON.parse((await cli(['approvals', 'history', '--starting-token', token, '--output', 'json'])).out);
    expect(older.changes.map((c: { change: { changeId: string } }) => c.change.changeId)).toEqual(['c2', 'c1']);

    for (const bad of [
      ['--max-items', '0'],
      ['--page-size', '501'],
      ['--starting-token', 'garbage!'],
    ]) {
      const res = await cli(['approvals', 'history', ...bad]);
      expect({ code: res.code, err: res.err }).toEqual({
        code: 2,
        err: expect.stringMatching(/must be a whole number|InvalidPageError/),
      });
    }
  });
});
