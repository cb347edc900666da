/**
 * The approval API over HTTP, end to end but without a browser: the local console server verifies real Cognito ID
 * tokens (the emulator's user pool signs them), builds the HTTP API event and calls the same handler the Lambda runs,
 * in front of a real run of the synthesized state machine waiting for approvals.
 */
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../../emulator/seed';
import { CSRF_HEADER } from '../../../lambdas/api/http-api';
import type { PendingGroup, PlanDetail } from '../../../lambdas/api/views';
import { logger } from '../../../lambdas/handlers/make-handler';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import {
  APPROVER,
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  startConsoleHarness,
  VIEWER,
} from '../../support/console-harness';
import { seedWorkflowEstate, type WorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let h: ConsoleHarness;
let estate: WorkflowEstate;
let approverToken: string;
let viewerToken: string;

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  estate = await seedWorkflowEstate(endpointUrl());
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1']);
  approverToken = await h.pool.signIn(APPROVER.username, APPROVER.password);
  viewerToken = await h.pool.signIn(VIEWER.username, VIEWER.password);
}, HARNESS_START_MS);

afterAll(async () => {
  await closeConsoleHarnesses();
});

async function api(
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${h.console.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined
      ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const post = (path: string, body: unknown, token = approverToken, extra: Record<string, string> = {}) =>
  api('POST', path, {
    token,
    body,
    headers: { 'content-type': 'application/json', [CSRF_HEADER]: '1', origin: h.console.url, ...extra },
  });

async function trustPlan() {
  const pending = await h.pending();
  const plan = pending.find((p) => p.plan.action === 'update-trust-policy' && p.plan.dependsOn.length === 0);
  if (!plan) throw new Error(`no independent trust-policy plan among ${pending.map((p) => p.plan.action).join(', ')}`);
  return plan;
}

/** Polls the rollback request until the rollback step has finished with it. */
async function rollbackOutcome(changeId: string) {
  for (let i = 0; i < 300; i++) {
    const res = await api('GET', `/api/changes/${changeId}/rollback`, { token: approverToken });
    const request = res.json?.request as { status: string; error?: { name: string; message: string } } | undefined;
    if (request && request.status !== 'pending' && request.status !== 'running') return request;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the rollback of ${changeId} never finished`);
}

async function trustPolicyOf(roleArn: string): Promise<unknown> {
  const account = roleArn.split(':')[4] ?? '';
  const { Role } = await seedClients(endpointUrl(), account).iam.send(
    new GetRoleCommand({ RoleName: roleArn.split('/').pop() }),
  );
  return JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
}

describe('the approval API', () => {
  it('refuses a request without a valid token (401) and a non-approver on every route (403)', async () => {
    // Given a plan waiting for approval
    const plan = await trustPlan();
    const detailPath = `/api/plans/${plan.runId}/${plan.planId}`;

    // Then no token, or a forged one, is refused before the handler runs
    expect((await api('GET', '/api/plans')).status).toBe(401);
    const forged = `${approverToken.slice(0, -6)}AAAAAA`;
    expect((await api('GET', '/api/plans', { token: forged })).status).toBe(401);

    // And a signed-in user outside the approvers group is refused on every route, reads included
    for (const [method, path] of [
      ['GET', '/api/plans'],
      ['GET', detailPath],
      ['GET', '/api/changes'],
      ['GET', '/api/me'],
    ] as const) {
      const res = await api(method, path, { token: viewerToken });
      expect({ path, status: res.status, error: res.json?.error }).toEqual({
        path,
        status: 403,
        error: 'ForbiddenError',
      });
    }
    const approve = await post(`${detailPath}/approve`, { contentHash: plan.contentHash }, viewerToken);
    expect(approve.status).toBe(403);
    expect(approve.json.message).toContain('irsa-doctor-approvers');
    expect((await post('/api/changes/x/rollback', {}, viewerToken)).status).toBe(403);

    // And nothing was decided
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();
  });

  it('lists pending plans by account and cluster and shows one with findings, diff and proof, never the task token', async () => {
    const plan = await trustPlan();
    const list = await api('GET', '/api/plans', { token: approverToken });
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('application/json');
    expect(list.headers.get('x-content-type-options')).toBe('nosniff');
    const groups = list.json.groups as PendingGroup[];
    expect(groups.map((g) => g.accountId).every((a) => estate.accounts.includes(a))).toBe(true);
    expect(groups.flatMap((g) => g.plans.map((p) => p.planId))).toContain(plan.planId);

    const detail = await api('GET', `/api/plans/${plan.runId}/${plan.planId}`, { token: approverToken });
    const d = detail.json as PlanDetail;
    expect(d.plan.diff).toContain('sts:AssumeRoleWithWebIdentity');
    expect(d.plan.proof?.holds).toBe(true);
    expect(d.findings.length).toBeGreaterThan(0);
    expect(d.findings.every((f) => plan.plan.findingIds.includes(f.id))).toBe(true);
    expect(d.approval?.expiresAt).toBeDefined();
    const approval = await h.deps.store.getApproval(plan.runId, plan.planId);
    expect(detail.text).not.toContain(approval?.taskToken ?? 'no-token');
    expect(detail.text).not.toContain('taskToken');
  });

  it('refuses state-changing requests without the anti-CSRF header, from another origin, or with a bad body', async () => {
    const plan = await trustPlan();
    const path = `/api/plans/${plan.runId}/${plan.planId}/approve`;
    const noHeader = await api('POST', path, {
      token: approverToken,
      body: { contentHash: plan.contentHash },
      headers: { 'content-type': 'application/json' },
    });
    expect([noHeader.status, noHeader.json.error]).toEqual([403, 'CsrfError']);
    const otherOrigin = await post(path, { contentHash: plan.contentHash }, approverToken, {
      origin: 'https://evil.example.com',
    });
    expect([otherOrigin.status, otherOrigin.json.error]).toEqual([403, 'CsrfError']);
    const form = await post(path, 'contentHash=x', approverToken, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(400);
    const badJson = await post(path, '{"contentHash":', approverToken);
    expect([badJson.status, badJson.json.error]).toEqual([400, 'BadRequestError']);
    const badHash = await post(path, { contentHash: 'abc', extra: 1 }, approverToken);
    expect(badHash.status).toBe(400);
    expect(badHash.json.problems.join(' ')).toMatch(/contentHash/);
    const huge = await post(path, { contentHash: plan.contentHash, comment: 'x'.repeat(20_000) }, approverToken);
    expect(huge.status).toBe(413);
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();
  });

  it('refuses an approval for a plan whose content changed since it was shown (409), and records nothing', async () => {
    // Given a plan an approver has looked at
    const pending = await h.pending();
    const plan = pending.filter((p) => p.plan.action === 'update-trust-policy').at(-1);
    if (plan?.plan.action !== 'update-trust-policy') throw new Error('no trust-policy plan');
    const seen = (await api('GET', `/api/plans/${plan.runId}/${plan.planId}`, { token: approverToken })).json
      .contentHash;
    expect(seen).toBe(plan.contentHash);
    // When the stored plan's content changes afterwards (its after document widened)
    const changed = { ...plan.plan, after: { ...plan.plan.after, Statement: [] } };
    await h.deps.store.putPlans([{ ...plan, plan: changed, contentHash: planContentHash(changed) }]);
    // Then approving what was seen is refused
    const res = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, { contentHash: seen });
    expect([res.status, res.json.error]).toEqual([409, 'PlanChangedError']);
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();
    // And approving with the new content's hash is refused too: the request was made for the old content
    const again = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, {
      contentHash: planContentHash(changed),
    });
    expect(again.status).toBe(409);
  });

  it('binds the hash to everything shown: a changed proof summary, risk or rationale with the stored hash kept is refused (409)', async () => {
    // Given a plan an approver has looked at (its shown hash)
    // (neither the plan the approve test takes nor the one the test above changed)
    const pending = await h.pending();
    const taken = [
      (await trustPlan()).planId,
      pending.filter((p) => p.plan.action === 'update-trust-policy').at(-1)?.planId,
    ];
    const plan = pending.find(
      (p) => p.plan.action === 'update-trust-policy' && p.plan.proof && !taken.includes(p.planId),
    );
    if (!plan?.plan.proof) throw new Error('no other trust-policy plan with a proof');
    const shown = (await api('GET', `/api/plans/${plan.runId}/${plan.planId}`, { token: approverToken })).json;
    expect(shown.contentHash).toBe(plan.contentHash);
    // When what is shown changes but the stored hash does not (the proof's summary says something else)
    const tampered = {
      ...plan.plan,
      risk: { level: 'low' as const, notes: [] },
      proof: { ...plan.plan.proof, summary: ['nothing to see here'] },
    };
    await h.deps.store.putPlans([{ ...plan, plan: tampered }]);
    // Then the view shows another hash, and approving with the one seen before is refused, nothing recorded
    const now = (await api('GET', `/api/plans/${plan.runId}/${plan.planId}`, { token: approverToken })).json;
    expect(now.contentHash).not.toBe(shown.contentHash);
    const res = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, { contentHash: shown.contentHash });
    expect([res.status, res.json.error]).toEqual([409, 'PlanChangedError']);
    const res2 = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, { contentHash: now.contentHash });
    expect(res2.status).toBe(409);
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();
  });

  it('approves, applies, lists the change; refuses a rollback over a drifted resource; rolls back once', async () => {
    // Given an approved trust-policy plan that the workflow applied
    const plan = await trustPlan();
    const before = plan.plan.before;
    const res = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, {
      contentHash: plan.contentHash,
      comment: 'checked the service account',
    });
    expect(res.status).toBe(200);
    // The emulator's ID tokens carry the user name (Cognito adds the e-mail when the client may read it).
    expect(res.json.approval.decidedBy).toMatch(new RegExp(`^${APPROVER.username}( <${APPROVER.email}>)?$`));
    // The same approval again (a retried request) is not an error; a rejection now is refused
    const retry = await post(`/api/plans/${plan.runId}/${plan.planId}/approve`, { contentHash: plan.contentHash });
    expect([retry.status, retry.json.approval.decision]).toEqual([200, 'approved']);
    const reject = await post(`/api/plans/${plan.runId}/${plan.planId}/reject`, { contentHash: plan.contentHash });
    expect([reject.status, reject.json.error]).toEqual([409, 'AlreadyDecidedError']);
    const applied = await h.waitForStatus(plan.planId, ['verified', 'unverified']);
    expect(await trustPolicyOf(plan.plan.resourceArn)).toEqual(plan.plan.after);
    const changes = (await api('GET', '/api/changes', { token: approverToken })).json.changes;
    const change = changes.find((c: { change: { changeId: string } }) => c.change.changeId === applied.changeId);
    expect(change.change.replaced).toEqual(before);
    expect(change.change.comment).toBe('checked the service account');

    // When someone edits the role after the change
    const account = plan.plan.accountId;
    const roleName = plan.plan.resourceArn.split('/').pop() ?? '';
    const edited = {
      ...(plan.plan.after as object),
      Statement: [...((plan.plan.after as { Statement: object[] }).Statement ?? [])],
    };
    (edited.Statement as object[]).push({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sts:AssumeRole',
    });
    await seedClients(endpointUrl(), account).iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(edited) }),
    );
    // Then the API records a rollback request (202) that the rollback step performs and refuses; the edit stands
    const asked = await post(`/api/changes/${applied.changeId}/rollback`, { comment: 'undo' });
    expect([asked.status, asked.json.request.requestedBy]).toEqual([202, res.json.approval.decidedBy]);
    const refused = await rollbackOutcome(applied.changeId ?? '');
    expect([refused.status, refused.error?.name]).toEqual(['refused', 'RollbackRefusedError']);
    expect(refused.error?.message).toMatch(/changed since the change was applied/);
    expect(await trustPolicyOf(plan.plan.resourceArn)).toEqual(edited);

    // When the edit is undone, the rollback restores the replaced document, audited, and only once
    await seedClients(endpointUrl(), account).iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(plan.plan.after) }),
    );
    const again = await post(`/api/changes/${applied.changeId}/rollback`, { comment: 'undo' });
    expect(again.status).toBe(202);
    expect((await rollbackOutcome(applied.changeId ?? '')).status).toBe('done');
    const rolled = await api('GET', `/api/changes/${applied.changeId}/rollback`, { token: approverToken });
    expect(await trustPolicyOf(plan.plan.resourceArn)).toEqual(before);
    expect(rolled.json.change.rolledBackBy).toMatchObject({
      kind: 'rollback',
      rollsBack: applied.changeId,
      replaced: plan.plan.after,
      wrote: before,
      comment: 'undo',
    });
    expect((await h.deps.store.getPlan(plan.runId, plan.planId))?.status).toBe('rolled-back');
    const twice = await post(`/api/changes/${applied.changeId}/rollback`, {});
    expect([twice.status, twice.json.error]).toEqual([409, 'RollbackRefusedError']);
    expect((await post('/api/changes/no-such-change/rollback', {})).status).toBe(404);
  });
});
