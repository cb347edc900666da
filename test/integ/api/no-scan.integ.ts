/**
 * No request path of the approval API scans a table: every route is driven through the API's handler against the
 * emulator, with a DynamoDB client that records each command it sends; not one is a Scan, and the listings page.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ApiEvent, CSRF_HEADER, handleApiRequest } from '../../../lambdas/api/http-api';
import type { Finding } from '../../../lambdas/domain/finding';
import type { ApiDeps } from '../../../lambdas/workflow/approver-actions';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import { type FreshStore, freshStateStore, storedFinding } from '../../support/fresh-state-store';
import { testPlan } from '../../support/test-plan';
import { FILLER, LATEST_RUN, PAYMENTS, SEARCH, SEEDED_FINDINGS, seedViews } from '../../support/views-seed';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const ACCOUNT = '111111111111';
const RUN = 'run-1';
const APPROVER = { 'cognito:username': 'alice', 'cognito:groups': '[irsa-doctor-approvers]' };

/** Records the name of every command the client sends (a middleware at the first step of each call). */
function recordCommands(client: DynamoDBClient): string[] {
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
}

let fresh: FreshStore;
let sent: string[];
let deps: ApiDeps;

const finding = (n: number): Finding => storedFinding(ACCOUNT, n);

beforeAll(async () => {
  useEmulatorCredentials();
  fresh = await freshStateStore(endpointUrl());
  const { store } = fresh;
  // Given a run with three plans waiting for approval, an applied change, and a suppression
  const findings = [1, 2, 3].map(finding);
  await store.putAccountFindings(RUN, ACCOUNT, findings);
  for (const n of [1, 2, 3]) {
    const plan = testPlan({
      id: `p${n}`,
      findingIds: [`f-${n}`],
      resourceArn: `arn:aws:iam::${ACCOUNT}:role/app-${n}`,
    });
    const contentHash = planContentHash(plan, findings);
    const at = `2030-01-0${n}T00:00:00.000Z`;
    await store.putPlans([
      { runId: RUN, planId: plan.id, plan, contentHash, status: 'awaiting-approval', wave: 0, updatedAt: at },
    ]);
    await store.putApproval({
      runId: RUN,
      planId: plan.id,
      taskToken: `t${n}`,
      contentHash,
      requestedAt: at,
      expiresAt: '2999-01-01T00:00:00.000Z',
    });
  }
  for (const [changeId, appliedAt] of [
    ['c1', '2030-01-01T00:00:00.000Z'],
    ['c2', '2030-01-02T00:00:00.000Z'],
  ] as const) {
    await store.putAudit({
      changeId,
      kind: 'apply',
      runId: RUN,
      planId: 'p9',
      accountId: ACCOUNT,
      resourceArn: `arn:aws:iam::${ACCOUNT}:role/app-9`,
      action: 'update-trust-policy',
      replaced: { Statement: [] },
      wrote: { Statement: [] },
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'alice',
      appliedAt,
      outcome: 'applied',
    });
  }
  await store.putRejection({
    planId: 'p8',
    runId: 'run-0',
    accountId: ACCOUNT,
    resourceArn: `arn:aws:iam::${ACCOUNT}:role/app-8`,
    action: 'update-trust-policy',
    rejectedBy: 'bob',
    rejectedAt: '2030-01-01T00:00:00.000Z',
    expiresAt: '2999-01-01T00:00:00.000Z',
  });
  await store.putTimeout({
    runId: 'run-0',
    planId: 'p7',
    accountId: ACCOUNT,
    resourceArn: `arn:aws:iam::${ACCOUNT}:role/app-7`,
    action: 'update-trust-policy',
    timedOutAt: '2030-01-01T00:00:00.000Z',
  });
  // The API's own client: every command it sends from here on is recorded
  sent = recordCommands(fresh.client);
  deps = { store, now: () => new Date(), approversGroup: 'irsa-doctor-approvers' };
});

async function call(method: 'GET' | 'POST', path: string, body?: unknown) {
  const [rawPath = '', rawQueryString = ''] = path.split('?');
  const event: ApiEvent = {
    rawPath,
    rawQueryString,
    headers: method === 'POST' ? { 'content-type': 'application/json', [CSRF_HEADER]: '1' } : {},
    body: body === undefined ? '' : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { http: { method }, authorizer: { jwt: { claims: APPROVER } } },
  };
  const out = await handleApiRequest(deps, event, { allowedOrigins: [], onError: (e) => console.error(e) });
  return { status: out.statusCode, json: JSON.parse(String(out.body)) };
}

/** A store of its own for the console's views (their listings span the table), with the API's client recorded. */
let views: { deps: ApiDeps; sent: string[] };

beforeAll(async () => {
  const own = await freshStateStore(endpointUrl());
  await seedViews(own.store);
  views = {
    deps: { store: own.store, now: () => new Date(), approversGroup: 'irsa-doctor-approvers' },
    sent: recordCommands(own.client),
  };
});

async function viewCall(path: string) {
  const [rawPath = '', rawQueryString = ''] = path.split('?');
  const event: ApiEvent = {
    rawPath,
    rawQueryString,
    headers: {},
    body: '',
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET' }, authorizer: { jwt: { claims: APPROVER } } },
  };
  const out = await handleApiRequest(views.deps, event, { allowedOrigins: [], onError: (e) => console.error(e) });
  return { status: out.statusCode, json: JSON.parse(String(out.body)) };
}

describe('the console views read by key and index only', () => {
  it('sends no Scan on the findings, runs, run and proposals routes, and pages each', async () => {
    const next = (path: string, cursor: string) =>
      `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
    /** Every page of a listing, following the cursors. */
    const pages = async (path: string, key: string) => {
      const out: unknown[][] = [];
      let res = await viewCall(path);
      for (;;) {
        expect(res.status).toBe(200);
        out.push(res.json[key]);
        if (!res.json.cursor) return out;
        res = await viewCall(next(path, res.json.cursor));
      }
    };
    const findingIds = (list: unknown[][]) => list.map((p) => p.map((v) => (v as { finding: Finding }).finding.id));

    const all = await pages('/api/findings?limit=4', 'findings');
    expect(all.length).toBeGreaterThan(1);
    expect(findingIds(all).flat()).toHaveLength(SEEDED_FINDINGS.length - 1);
    const high = await pages('/api/findings?severity=high&limit=2', 'findings');
    expect(findingIds(high)).toEqual([['f-crit', 'f-high'], ['f-search-kube']]);
    const filtered = await pages(
      `/api/findings?severity=low&account=${SEARCH}&rule=IRSA-016&cluster=search-eks&namespace=jobs&q=session&limit=4`,
      'findings',
    );
    expect(findingIds(filtered).flat()).toHaveLength(FILLER);
    const muted = await pages('/api/findings?suppressed=only', 'findings');
    expect(findingIds(muted)).toEqual([['f-muted']]);
    const runs = await pages('/api/runs?limit=2', 'runs');
    expect(runs.map((p) => p.map((r) => (r as { run: { runId: string } }).run.runId))).toEqual([
      ['cluster-2030-03-03', LATEST_RUN],
      ['sweep-2030-03-01'],
    ]);
    const run = await pages(`/api/runs/${LATEST_RUN}?limit=1`, 'accounts');
    expect(run.map((p) => p.map((s) => (s as { accountId: string }).accountId))).toEqual([[PAYMENTS], [SEARCH]]);
    const runPlans = await pages(`/api/runs/${LATEST_RUN}/plans?limit=2`, 'plans');
    expect(runPlans.map((p) => p.map((v) => (v as { planId: string }).planId))).toEqual([
      ['plan-crit', 'plan-iac'],
      ['plan-kube'],
    ]);
    const proposals = await pages('/api/proposals?limit=1', 'proposals');
    expect(
      proposals
        .flat()
        .map((p) => (p as { planId: string }).planId)
        .sort(),
    ).toEqual(['plan-iac', 'plan-kube']);
    const byRule = await viewCall(`/api/proposals?account=${PAYMENTS}&rule=IRSA-015`);
    expect(byRule.json.proposals.map((p: { planId: string }) => p.planId)).toEqual(['plan-iac']);

    expect(views.sent).toContain('QueryCommand');
    expect(views.sent.filter((c) => c.includes('Scan'))).toEqual([]);
  });

  it('answers 400 naming a bad parameter, and 404 to a run it does not have', async () => {
    for (const [path, parameter] of [
      ['/api/findings?colour=red', 'colour'],
      ['/api/findings?severity=urgent', 'severity'],
      [`/api/findings?q=${'x'.repeat(201)}`, 'q'],
      ['/api/findings?account=12', 'account'],
      ['/api/runs?status=done', 'status'],
      ['/api/proposals?rule=nope', 'rule'],
    ] as const) {
      const res = await viewCall(path);
      expect(res).toMatchObject({ status: 400, json: { error: 'InvalidQueryError' } });
      expect(res.json.message).toContain(parameter);
    }
    expect((await viewCall('/api/runs/no-such-run')).status).toBe(404);
    const first = await viewCall('/api/findings?severity=high&limit=1');
    const other = await viewCall(`/api/findings?severity=low&limit=1&cursor=${encodeURIComponent(first.json.cursor)}`);
    expect(other).toMatchObject({ status: 400, json: { error: 'InvalidPageError' } });
  });
});

describe('the approval API reads by key and index only', () => {
  it('sends no Scan on any route, and pages its listings', async () => {
    const routes: string[] = [];
    const drive = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
      const res = await call(method, path, body);
      routes.push(`${method} ${path.split('?')[0]} ${res.status}`);
      return res;
    };

    // When every route is called, the listings a page at a time
    await drive('GET', '/api/me');
    const first = await drive('GET', '/api/plans?limit=2');
    const second = await drive('GET', `/api/plans?limit=2&cursor=${encodeURIComponent(first.json.cursor)}`);
    const plan = await drive('GET', `/api/plans/${RUN}/p1`);
    await drive('POST', `/api/plans/${RUN}/p1/approve`, { contentHash: plan.json.contentHash });
    const p2 = await drive('GET', `/api/plans/${RUN}/p2`);
    await drive('POST', `/api/plans/${RUN}/p2/reject`, { contentHash: p2.json.contentHash, comment: 'no' });
    const changes = await drive('GET', '/api/changes?limit=1');
    const older = await drive('GET', `/api/changes?limit=1&cursor=${encodeURIComponent(changes.json.cursor)}`);
    await drive('POST', '/api/changes/c1/rollback', { comment: 'undo' });
    await drive('GET', '/api/changes/c1/rollback');
    const added = await drive('POST', '/api/suppressions', {
      ruleId: 'IRSA-015',
      accountId: ACCOUNT,
      reason: 'accepted risk',
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    const muted = await drive('GET', '/api/suppressions?limit=10');
    await drive('POST', `/api/suppressions/${added.json.suppression.id}/delete`);
    const pendingAfter = await drive('GET', '/api/plans');
    const rejections = await drive('GET', '/api/rejections?limit=5');
    const timeouts = await drive('GET', '/api/timeouts?limit=5');

    // Then each answered as it should
    expect(routes).toEqual([
      'GET /api/me 200',
      'GET /api/plans 200',
      'GET /api/plans 200',
      `GET /api/plans/${RUN}/p1 200`,
      `POST /api/plans/${RUN}/p1/approve 200`,
      `GET /api/plans/${RUN}/p2 200`,
      `POST /api/plans/${RUN}/p2/reject 200`,
      'GET /api/changes 200',
      'GET /api/changes 200',
      'POST /api/changes/c1/rollback 202',
      'GET /api/changes/c1/rollback 200',
      'POST /api/suppressions 201',
      'GET /api/suppressions 200',
      `POST /api/suppressions/${added.json.suppression.id}/delete 200`,
      'GET /api/plans 200',
      'GET /api/rejections 200',
      'GET /api/timeouts 200',
    ]);
    const planIds = (page: { json: { groups: { plans: { planId: string }[] }[] } }) =>
      page.json.groups.flatMap((g) => g.plans.map((p) => p.planId));
    expect([planIds(first), planIds(second)]).toEqual([['p1', 'p2'], ['p3']]);
    expect(second.json.cursor).toBeUndefined();
    expect(plan.json.findings.map((f: Finding) => f.id)).toEqual(['f-1']);
    expect(
      [changes.json.changes, older.json.changes].map((c) =>
        c.map((v: { change: { changeId: string } }) => v.change.changeId),
      ),
    ).toEqual([['c2'], ['c1']]);
    expect(muted.json.suppressions).toEqual([added.json.suppression]);
    expect(added.json.suppression).toMatchObject({ createdBy: 'alice', reason: 'accepted risk' });
    expect(planIds(pendingAfter)).toEqual(['p3']);
    expect(rejections.json.rejections.map((r: { planId: string }) => r.planId)).toEqual(['p8']);
    expect(timeouts.json.timeouts.map((t: { planId: string }) => t.planId)).toEqual(['p7']);

    // And not one DynamoDB command was a Scan (the reads were Queries and GetItems)
    expect(sent).toContain('QueryCommand');
    expect(sent).toContain('GetItemCommand');
    expect(sent.filter((c) => c.includes('Scan'))).toEqual([]);
  });

  it('answers 400 to a cursor of another listing', async () => {
    const changes = await call('GET', '/api/changes?limit=1');
    const res = await call('GET', `/api/plans?cursor=${encodeURIComponent(changes.json.cursor)}`);
    expect(res).toMatchObject({ status: 400, json: { error: 'InvalidPageError' } });
  });
});
