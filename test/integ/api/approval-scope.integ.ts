/**
 * Approvers scoped by account and a second approver, over HTTP in front of a real run of the synthesized state
 * machine (the local console server verifies real Cognito ID tokens from the emulator's user pool): an approver of
 * account A is refused (403, naming the account and their groups) on every route for account B and sees only A in
 * the listings; a plan needing two approvals waits after the first, refuses the same person again (409), and is
 * applied after a second person's approval (the CLI's approve and show say "1 of 2 approvals").
 */

import { main } from '../../../cli/main';
import { CSRF_HEADER } from '../../../lambdas/api/http-api';
import type { PendingGroup, PlanDetail } from '../../../lambdas/api/views';
import { logger } from '../../../lambdas/handlers/make-handler';
import type { AuditRecord } from '../../../lambdas/ports/state-store';
import { captureIo } from '../../support/cli-io';
import {
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  SCOPED_USERS,
  scopedHarness,
  startConsoleHarness,
} from '../../support/console-harness';
import { seedWorkflowEstate, type WorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const { amy: AMY, abe: ABE, rita: ROOT } = SCOPED_USERS;

let h: ConsoleHarness;
let estate: WorkflowEstate;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  estate = await seedWorkflowEstate(endpointUrl());
  const [a] = estate.accounts;
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1'], scopedHarness(a));
  for (const u of [AMY, ABE, ROOT]) tokens[u.username] = await h.pool.signIn(u.username, u.password);
}, HARNESS_START_MS);

afterAll(async () => {
  await closeConsoleHarnesses();
});

async function cli(args: string[], user: string) {
  const cap = captureIo('', { env: { IRSA_DOCTOR_TOKEN: tokens[user] ?? '' } });
  const code = await main([...args, '--console-url', h.console.url, '--token-file', '/nonexistent/token'], cap.io);
  return { code, out: cap.out(), err: cap.err() };
}

async function api(method: 'GET' | 'POST', path: string, user: string, body?: unknown) {
  const res = await fetch(`${h.console.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[user]}`,
      ...(method === 'POST' ? { 'content-type': 'application/json', [CSRF_HEADER]: '1', origin: h.console.url } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** A waiting plan of the account (the run asks for both accounts' first wave; the hook's budget bounds the wait). */
async function waitingPlanOf(accountId: string, action?: string) {
  for (;;) {
    const plan = (await h.pending()).find(
      (p) => p.plan.accountId === accountId && (!action || p.plan.action === action) && p.plan.dependsOn.length === 0,
    );
    if (plan) return plan;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('approvers scoped by account', () => {
  it('refuses an approver of account A on every route for account B (403 naming the account and groups)', async () => {
    const [, b] = estate.accounts;
    const plan = await waitingPlanOf(b);
    const path = `/api/plans/${plan.runId}/${plan.planId}`;
    // A change and a mute of account B, as the history and the mutelist would hold them
    const change: AuditRecord = {
      changeId: `change-b-${plan.planId.slice(0, 8)}`,
      kind: 'apply',
      runId: plan.runId,
      planId: plan.planId,
      accountId: b,
      resourceArn: plan.plan.resourceArn,
      action: plan.plan.action,
      replaced: null,
      wrote: null,
      writes: [],
      approvedBy: 'someone',
      appliedAt: new Date().toISOString(),
      outcome: 'applied',
    };
    await h.deps.store.putAudit(change);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const mute = await api('POST', '/api/suppressions', 'rita', { accountId: b, reason: 'theirs', expiresAt });
    expect(mute.status).toBe(201);

    for (const [method, route, body] of [
      ['GET', path, undefined],
      ['POST', `${path}/approve`, { contentHash: plan.contentHash }],
      ['POST', `${path}/reject`, { contentHash: plan.contentHash }],
      ['POST', `/api/changes/${change.changeId}/rollback`, {}],
      ['GET', `/api/changes/${change.changeId}/rollback`, undefined],
      ['POST', '/api/suppressions', { accountId: b, reason: 'mine', expiresAt }],
      ['POST', '/api/suppressions', { ruleId: 'IRSA-015', reason: 'every account', expiresAt }],
      ['POST', `/api/suppressions/${mute.json.suppression.id}/delete`, {}],
    ] as const) {
      const res = await api(method, route, 'amy', body);
      expect({ route, method, status: res.status, error: res.json?.error }).toEqual({
        route,
        method,
        status: 403,
        error: 'ForbiddenError',
      });
      expect(res.json.message).toContain('a-approvers');
    }
    expect((await api('GET', path, 'amy')).json.message).toContain(`account ${b}`);
    // Nothing was decided, requested or removed
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.approvals).toBeUndefined();
    expect(await h.deps.store.getRollbackRequest(change.changeId)).toBeUndefined();
    expect(await h.deps.store.getSuppression(mute.json.suppression.id)).toBeDefined();

    // The listings leave B out and say so; the all-accounts approver sees B
    const list = await api('GET', '/api/plans?limit=500', 'amy');
    const accounts = new Set((list.json.groups as PendingGroup[]).map((g) => g.accountId));
    expect(accounts.has(b)).toBe(false);
    expect(list.json.outOfScope).toBeGreaterThan(0);
    const rita = await api('GET', '/api/plans?limit=500', 'rita');
    expect((rita.json.groups as PendingGroup[]).some((g) => g.accountId === b)).toBe(true);
    const changes = await api('GET', '/api/changes?limit=500', 'amy');
    expect(changes.json.changes.some((c: { change: AuditRecord }) => c.change.changeId === change.changeId)).toBe(
      false,
    );
    const mutes = await api('GET', '/api/suppressions?limit=500', 'amy');
    expect(mutes.json.suppressions.some((s: { id: string }) => s.id === mute.json.suppression.id)).toBe(false);
    expect(mutes.json.outOfScope).toBeGreaterThan(0);
  });

  it('needs a second approver: the first approval waits, the same person again is a 409, a second person applies it', async () => {
    const [a] = estate.accounts;
    const plan = await waitingPlanOf(a, 'update-trust-policy');
    const path = `/api/plans/${plan.runId}/${plan.planId}`;
    // The first approval, from the CLI, after `show` (a decision needs the plan opened): recorded, and it says a
    // second approver is needed
    expect((await cli(['approvals', 'show', `${plan.runId}/${plan.planId}`], 'amy')).code).toBe(0);
    const first = await cli(
      ['approvals', 'approve', `${plan.runId}/${plan.planId}`, '--hash', plan.contentHash, '--comment', 'ok by me'],
      'amy',
    );
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      /approval recorded, 1 of 2 approvals \(by amy[^)]*\); needs 1 more from another approver/,
    );
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.approvals).toEqual([
      expect.objectContaining({ by: expect.stringMatching(/^amy/), hash: plan.contentHash, comment: 'ok by me' }),
    ]);
    const shown = await cli(['approvals', 'show', `${plan.runId}/${plan.planId}`], 'abe');
    expect(shown.out).toContain('1 of 2 approvals (by amy');
    const detail = (await api('GET', path, 'abe')).json as PlanDetail;
    expect([detail.approvalsNeeded, detail.approval?.approvals?.length]).toEqual([2, 1]);
    expect((await h.deps.store.getPlan(plan.runId, plan.planId))?.status).toBe('awaiting-approval');

    const again = await api('POST', `${path}/approve`, 'amy', { contentHash: plan.contentHash });
    expect([again.status, again.json.error]).toEqual([409, 'SameApproverError']);

    const second = await api('POST', `${path}/approve`, 'abe', { contentHash: plan.contentHash });
    expect([second.status, second.json.approval.decision]).toEqual([200, 'approved']);
    const applied = await h.waitForStatus(plan.planId, ['verified', 'unverified']);
    const record = await h.deps.store.getAudit(applied.changeId ?? '');
    expect(record?.approvedBy).toMatch(/^amy.* and abe/);
  });
});
