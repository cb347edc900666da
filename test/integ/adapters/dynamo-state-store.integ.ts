/**
 * The DynamoDB state store against the emulator, on tables created from the hub's one declaration: the audit table's
 * items are appended, never overwritten; per-account findings, summaries, decision memory, the mutelist and every
 * paged listing read by key or index.
 */
import { randomUUID } from 'node:crypto';
import type { BatchWriteItemCommandInput, BatchWriteItemCommandOutput } from '@aws-sdk/client-dynamodb';
import type { DynamoStateStore } from '../../../lambdas/adapters/dynamo-state-store';
import type { Finding } from '../../../lambdas/domain/finding';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import type {
  ApprovalRecord,
  AuditIntent,
  AuditRecord,
  PlanRecord,
  Suppression,
} from '../../../lambdas/ports/state-store';
import { freshStateStore, storedFinding } from '../../support/fresh-state-store';
import { testPlan } from '../../support/test-plan';
import { budgetFor } from '../budget';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let hub: { deps: { store: DynamoStateStore } };

beforeAll(async () => {
  useEmulatorCredentials();
  hub = { deps: { store: (await freshStateStore(endpointUrl())).store } };
});

const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF';
const intent = (changeId: string, approvedBy: string): AuditIntent => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  action: 'update-trust-policy',
  expected: { Statement: [] },
  intended: { Statement: [{ Principal: { Federated: PROVIDER } }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy,
  intendedAt: new Date().toISOString(),
  names: [PROVIDER],
});
const record = (changeId: string, approvedBy: string): AuditRecord => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  action: 'update-trust-policy',
  replaced: { Statement: [] },
  wrote: { Statement: [{ Sid: approvedBy }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy,
  appliedAt: new Date().toISOString(),
  outcome: 'applied',
});

describe('the audit table, append-only', () => {
  it('keeps the first intent of a change and returns it to a second put; indexes the resource and the providers', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    expect(await hub.deps.store.putAuditIntent(intent(id, 'alice'))).toMatchObject({
      created: true,
      intent: { approvedBy: 'alice' },
    });
    expect(await hub.deps.store.putAuditIntent(intent(id, 'bob'))).toMatchObject({
      created: false,
      intent: { approvedBy: 'alice' },
    });
    expect(await hub.deps.store.getAuditIntent(id)).toMatchObject({ approvedBy: 'alice' });
    expect(await hub.deps.store.listAuditReferences(PROVIDER.toUpperCase())).toContainEqual({
      changeId: id,
      relation: 'names',
    });
    expect(await hub.deps.store.listAuditReferences('arn:aws:iam::111111111111:role/app')).toContainEqual({
      changeId: id,
      relation: 'target',
    });
    // Open until its record is put; the history lists records only
    expect((await hub.deps.store.listOpenAuditIntents()).map((i) => i.changeId)).toContain(id);
    expect((await hub.deps.store.listAudit()).map((r) => r.changeId)).not.toContain(id);
  });

  it('refuses a second record of a change (ConditionalCheckFailedException) and keeps the first', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    await hub.deps.store.putAuditIntent(intent(id, 'alice'));
    await hub.deps.store.putAudit(record(id, 'alice'));
    await expect(hub.deps.store.putAudit(record(id, 'mallory'))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await hub.deps.store.getAudit(id)).toMatchObject({
      approvedBy: 'alice',
      wrote: { Statement: [{ Sid: 'alice' }] },
    });
    expect((await hub.deps.store.listOpenAuditIntents()).map((i) => i.changeId)).not.toContain(id);
    expect((await hub.deps.store.listAudit()).filter((r) => r.changeId === id)).toHaveLength(1);
  });
});

describe('stored plans', () => {
  it('reads a plan back as its action, and refuses one whose before/after do not fit its action', async () => {
    // Given a stored trust-policy plan, and one whose stored JSON was altered to a provider action
    const runId = `run-${randomUUID().slice(0, 8)}`;
    const plan = testPlan({ id: 'good' });
    const bent: Plan = JSON.parse(JSON.stringify({ ...plan, id: 'bent', action: 'create-oidc-provider' }));
    const at = new Date().toISOString();
    const rec = (p: Plan) => ({
      runId,
      planId: p.id,
      plan: p,
      contentHash: 'h',
      status: 'proposed' as const,
      wave: 0,
      updatedAt: at,
    });
    await hub.deps.store.putPlans([rec(plan), rec(bent)]);

    // When they are read back
    // Then the good one is the plan as stored, the bent one a clear error naming the plan and the side
    expect((await hub.deps.store.getPlan(runId, 'good'))?.plan).toEqual(plan);
    await expect(hub.deps.store.getPlan(runId, 'bent')).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      message: expect.stringContaining(
        `stored plan ${runId}/bent does not fit its action: before of a create-oidc-provider plan must be null`,
      ),
    });
  });
});

const A = '111111111111';
const B = '222222222222';
// Ids padded, so that the store's order by id is the order of n.
const finding = (accountId: string, n: number): Finding => ({
  ...storedFinding(accountId, n),
  id: `f-${String(n).padStart(5, '0')}`,
});
const planRecord = (runId: string, planId: string, status: PlanRecord['status'], updatedAt: string): PlanRecord => ({
  runId,
  planId,
  plan: testPlan({ id: planId }),
  contentHash: 'h',
  status,
  wave: 0,
  updatedAt,
});
const approval = (runId: string, planId: string, requestedAt: string): ApprovalRecord => ({
  runId,
  planId,
  taskToken: `token-${planId}`,
  contentHash: 'h',
  requestedAt,
  expiresAt: '2999-01-01T00:00:00.000Z',
});
const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const suppression = (id: string, createdAt: string, expiresAt: string): Suppression => ({
  id,
  ruleId: 'IRSA-015',
  reason: 'accepted risk',
  createdBy: 'alice',
  createdAt,
  expiresAt,
});

/** Every page of a listing, following cursors; the page sizes as read. */
async function allPages<T>(read: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>) {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.cursor;
  } while (cursor);
  return { items, sizes };
}

describe('per-account findings', () => {
  it(
    "writes 1,200 findings of an account (batched) and reads them back whole, paged, and as the account's latest",
    async () => {
      // Given an account's 1,200 findings in run r1, another account's in the same run
      const { store } = await freshStateStore(endpointUrl());
      const many = Array.from({ length: 1200 }, (_, i) => finding(A, i));
      await store.putAccountFindings('r1', A, many);
      await store.putAccountFindings('r1', B, [finding(B, 1)]);

      // When they are read as the latest, by account, and in pages of 500
      const latest = await store.latestAccountFindings(A);
      const paged = await allPages((cursor) =>
        store.pageAccountFindings(A, { limit: 500, ...(cursor ? { cursor } : {}) }),
      );

      // Then every finding is there once, the pages are 500, 500, 200 and the last has no cursor
      expect(latest?.runId).toBe('r1');
      expect(latest?.findings).toHaveLength(1200);
      expect(paged.sizes).toEqual([500, 500, 200]);
      expect(new Set(paged.items.map((f) => f.id)).size).toBe(1200);
      expect(await store.listFindings('r1', A)).toHaveLength(1200);
      expect(await store.listFindings('r1')).toHaveLength(1201);
      expect((await store.latestAccountFindings(B))?.findings.map((f) => f.accountId)).toEqual([B]);
      expect(await store.latestAccountFindings('333333333333')).toBeUndefined();
      expect(await store.pageAccountFindings('333333333333')).toEqual({ items: [] });
    },
    budgetFor({ calls: 200 }),
  );

  it('moves the latest pointer to a newer run, while a cursor of the older run goes on reading that run', async () => {
    const { store } = await freshStateStore(endpointUrl());
    await store.putAccountFindings('r1', A, [finding(A, 1), finding(A, 2), finding(A, 3)]);
    const first = await store.pageAccountFindings(A, { limit: 2 });
    await store.putAccountFindings('r2', A, [finding(A, 9)]);

    expect((await store.latestAccountFindings(A))?.runId).toBe('r2');
    expect((await store.pageAccountFindings(A)).items.map((f) => f.id)).toEqual(['f-00009']);
    const rest = await store.pageAccountFindings(A, { limit: 2, cursor: first.cursor as string });
    expect([...first.items, ...rest.items].map((f) => f.id)).toEqual(['f-00001', 'f-00002', 'f-00003']);
    expect(rest.cursor).toBeUndefined();
  });

  it('re-sends the items DynamoDB leaves unprocessed until every one is written', async () => {
    // Given a client whose every batch of two or more items is only half processed, the rest handed back
    const { store, client } = await freshStateStore(endpointUrl());
    let handedBack = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as BatchWriteItemCommandInput;
        const [table, requests] = Object.entries(input.RequestItems ?? {})[0] ?? ['', []];
        if (context.commandName !== 'BatchWriteItemCommand' || requests.length < 2) return next(args);
        const half = Math.ceil(requests.length / 2);
        handedBack += requests.length - half;
        const out = await next({ ...args, input: { ...input, RequestItems: { [table]: requests.slice(0, half) } } });
        (out.output as BatchWriteItemCommandOutput).UnprocessedItems = { [table]: requests.slice(half) };
        return out;
      },
      { step: 'initialize', name: 'halfProcessedBatches' },
    );

    // When 60 findings are written
    await store.putAccountFindings(
      'r1',
      A,
      Array.from({ length: 60 }, (_, i) => finding(A, i)),
    );

    // Then every one is stored, though half of each batch was handed back, again and again (52 hand-backs for 60)
    expect(handedBack).toBeGreaterThan(30);
    expect(new Set((await store.listFindings('r1', A)).map((f) => f.id)).size).toBe(60);
  });

  it('refuses findings filed under another account before writing any', async () => {
    const { store } = await freshStateStore(endpointUrl());
    await expect(store.putAccountFindings('r1', A, [finding(A, 1), finding(B, 2)])).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      message: expect.stringContaining('f-00002 (account 222222222222)'),
    });
    expect(await store.latestAccountFindings(A)).toBeUndefined();
    expect(await store.listFindings('r1')).toEqual([]);
  });

  it("lists a run's account summaries, not another run's", async () => {
    const { store } = await freshStateStore(endpointUrl());
    const summary = (runId: string, accountId: string) => ({
      runId,
      accountId,
      collection: 'complete' as const,
      findings: 1,
      bySeverity: { critical: 0, high: 1, medium: 0, low: 0, info: 0 },
      newFindings: 1,
      resolvedFindings: 0,
      suppressed: 0,
      plans: 1,
      started: 1,
      proposeOnly: 0,
      rememberedRejections: 0,
      waitingElsewhere: 0,
    });
    await store.putAccountSummary(summary('r1', A));
    await store.putAccountSummary(summary('r1', B));
    await store.putAccountSummary(summary('r2', A));
    // findings of the run share its partition and are not summaries
    await store.putAccountFindings('r1', A, [finding(A, 1)]);
    expect((await store.listAccountSummaries('r1')).map((s) => s.accountId).sort()).toEqual([A, B]);
  });
});

describe('decision memory', () => {
  it('remembers a rejection until it expires', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const { store } = await freshStateStore(endpointUrl(), { now: () => now });
    await store.putRejection({
      planId: 'p1',
      runId: 'r1',
      accountId: A,
      resourceArn: 'arn:aws:iam::111111111111:role/app',
      action: 'update-trust-policy',
      rejectedBy: 'alice',
      rejectedAt: now.toISOString(),
      expiresAt: '2030-01-31T00:00:00.000Z',
    });
    expect(await store.getRejection('p1')).toMatchObject({ rejectedBy: 'alice', runId: 'r1' });
    expect(await store.getRejection('p2')).toBeUndefined();
    await store.putRejection({
      planId: 'p3',
      runId: 'r1',
      accountId: A,
      resourceArn: 'arn:aws:iam::111111111111:role/other',
      action: 'update-trust-policy',
      rejectedBy: 'bob',
      rejectedAt: '2030-01-02T00:00:00.000Z',
      expiresAt: '2030-03-01T00:00:00.000Z',
    });
    // listed newest first, one page at a time
    const listed = await allPages((cursor) => store.pageRejections({ limit: 1, ...(cursor ? { cursor } : {}) }));
    expect(listed.items.map((r) => r.planId)).toEqual(['p3', 'p1']);
    now = new Date('2030-01-31T00:00:01Z');
    expect(await store.getRejection('p1')).toBeUndefined();
    expect((await store.pageRejections()).items.map((r) => r.planId)).toEqual(['p3']);
  });

  it('lists timed-out approval requests newest first, in pages', async () => {
    const { store } = await freshStateStore(endpointUrl());
    for (const [planId, timedOutAt] of [
      ['p1', '2030-01-01T00:00:00.000Z'],
      ['p2', '2030-01-02T00:00:00.000Z'],
    ] as const) {
      await store.putTimeout({
        runId: 'r1',
        planId,
        accountId: A,
        resourceArn: `arn:aws:iam::111111111111:role/${planId}`,
        action: 'update-trust-policy',
        timedOutAt,
      });
    }
    const listed = await allPages((cursor) => store.pageTimeouts({ limit: 1, ...(cursor ? { cursor } : {}) }));
    expect(listed.items.map((t) => t.planId)).toEqual(['p2', 'p1']);
  });

  it('records who opened which content of a plan, by key: another person, plan or hash is not opened', async () => {
    const { store } = await freshStateStore(endpointUrl());
    const hash = 'a'.repeat(64);
    await store.putPlanOpening({
      runId: 'r1',
      planId: 'p1',
      openedBy: 'alice',
      contentHash: hash,
      openedAt: '2030-01-01T00:00:00.000Z',
    });
    // opening again is harmless
    await store.putPlanOpening({
      runId: 'r1',
      planId: 'p1',
      openedBy: 'alice',
      contentHash: hash,
      openedAt: '2030-01-01T00:01:00.000Z',
    });
    expect(await store.hasOpenedPlan('r1', 'p1', 'alice', hash)).toBe(true);
    expect(await store.hasOpenedPlan('r1', 'p1', 'bob', hash)).toBe(false);
    expect(await store.hasOpenedPlan('r1', 'p2', 'alice', hash)).toBe(false);
    expect(await store.hasOpenedPlan('r1', 'p1', 'alice', 'b'.repeat(64))).toBe(false);
  });

  it('names the earliest run holding a plan open, and forgets it once the plan is decided', async () => {
    const { store } = await freshStateStore(endpointUrl());
    // Given the same plan id open in two runs, and another plan applied
    await store.putPlans([
      planRecord('r1', 'p1', 'proposed', '2030-01-01T00:00:00.000Z'),
      planRecord('r1', 'p3', 'verified', '2030-01-01T00:00:00.000Z'),
    ]);
    await store.putPlans([planRecord('r2', 'p1', 'proposed', '2030-01-02T00:00:00.000Z')]);
    expect(await store.openPlanOf('p3')).toBeUndefined();
    expect(await store.openPlanOf('p1')).toEqual({ runId: 'r1', status: 'proposed' });

    // When r1's plan waits for approval, then is rejected
    await store.updatePlan('r1', 'p1', { status: 'awaiting-approval' });
    expect(await store.openPlanOf('p1')).toEqual({ runId: 'r1', status: 'awaiting-approval' });
    await store.updatePlan('r1', 'p1', { status: 'rejected' });

    // Then only r2 holds it open; once r2's is skipped, nobody does
    expect(await store.openPlanOf('p1')).toEqual({ runId: 'r2', status: 'proposed' });
    await store.updatePlan('r2', 'p1', { status: 'skipped', detail: 'rejected elsewhere' });
    expect(await store.openPlanOf('p1')).toBeUndefined();
    expect((await store.getPlan('r2', 'p1'))?.status).toBe('skipped');
  });
});

describe('the mutelist', () => {
  it('lists suppressions not expired, newest first, in pages; deletes once', async () => {
    const { store } = await freshStateStore(endpointUrl());
    await store.putSuppression(suppression('s1', days(-3), days(30)));
    await store.putSuppression(suppression('s2', days(-2), days(-1)));
    await store.putSuppression(suppression('s3', days(-1), days(30)));
    await store.putSuppression(suppression('s4', days(0), days(1)));

    const paged = await allPages((cursor) => store.listSuppressions({ limit: 2, ...(cursor ? { cursor } : {}) }));
    expect(paged.items.map((s) => s.id)).toEqual(['s4', 's3', 's1']);
    expect(paged.sizes).toEqual([2, 1]);

    expect(await store.deleteSuppression('s3')).toBe(true);
    expect(await store.deleteSuppression('s3')).toBe(false);
    expect((await store.listSuppressions()).items.map((s) => s.id)).toEqual(['s4', 's1']);
  });

  it('refuses a suppression that matches everything or has no reason, writing nothing', async () => {
    const { store } = await freshStateStore(endpointUrl());
    const { ruleId: _rule, ...matchesAll } = suppression('s1', days(0), days(1));
    await expect(store.putSuppression(matchesAll)).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      message: expect.stringContaining('give at least one of ruleId, accountId, resource'),
    });
    await expect(store.putSuppression({ ...suppression('s2', days(0), days(1)), reason: ' ' })).rejects.toMatchObject({
      name: 'InvalidPayloadError',
    });
    await expect(store.putSuppression(suppression('s3', days(0), 'next week'))).rejects.toMatchObject({
      name: 'InvalidPayloadError',
    });
    expect((await store.listSuppressions()).items).toEqual([]);
  });
});

describe('paged listings by index', () => {
  it('lists undecided approvals oldest first; a decision or a plan that stops waiting takes one out', async () => {
    const { store } = await freshStateStore(endpointUrl());
    for (const [planId, at] of [
      ['p2', '2030-01-02T00:00:00.000Z'],
      ['p1', '2030-01-01T00:00:00.000Z'],
      ['p3', '2030-01-03T00:00:00.000Z'],
      ['p4', '2030-01-04T00:00:00.000Z'],
    ] as const) {
      await store.putPlans([planRecord('r1', planId, 'awaiting-approval', at)]);
      await store.putApproval(approval('r1', planId, at));
    }
    const ids = async () =>
      (await allPages((cursor) => store.pagePendingApprovals({ limit: 3, ...(cursor ? { cursor } : {}) }))).items.map(
        (a) => a.planId,
      );
    expect(await ids()).toEqual(['p1', 'p2', 'p3', 'p4']);

    expect(
      await store.decideApproval('r1', 'p2', {
        decision: 'approved',
        decidedBy: 'alice',
        decidedAt: '2030-01-05T00:00:00.000Z',
        decidedHash: 'h',
      }),
    ).toBe(true);
    await store.updatePlan('r1', 'p3', { status: 'timed-out' });
    // (a status update that is not a departure from awaiting-approval leaves the request listed)
    await store.updatePlan('r1', 'p4', { detail: 'still waiting' });

    expect(await ids()).toEqual(['p1', 'p4']);
    expect((await store.listPendingApprovals()).map((a) => a.planId)).toEqual(['p1', 'p4']);
    expect((await store.getApproval('r1', 'p3'))?.decision).toBeUndefined();
  });

  it('lists completed changes and runs newest first, intents left out', async () => {
    const { store } = await freshStateStore(endpointUrl());
    for (const [id, at] of [
      ['c1', '2030-01-01T00:00:00.000Z'],
      ['c3', '2030-01-03T00:00:00.000Z'],
      ['c2', '2030-01-02T00:00:00.000Z'],
    ] as const) {
      await store.putAuditIntent(intent(id, 'alice'));
      await store.putAudit({ ...record(id, 'alice'), appliedAt: at });
    }
    await store.putAuditIntent(intent('open', 'bob'));
    const audit = await allPages((cursor) => store.pageAudit({ limit: 2, ...(cursor ? { cursor } : {}) }));
    expect(audit.items.map((r) => r.changeId)).toEqual(['c3', 'c2', 'c1']);
    expect(audit.sizes).toEqual([2, 1]);

    for (const [runId, at] of [
      ['r1', '2030-01-01T00:00:00.000Z'],
      ['r2', '2030-01-02T00:00:00.000Z'],
    ] as const) {
      await store.putRun({
        runId,
        executionId: 'x',
        mode: 'sweep',
        trigger: 'test',
        dryRun: false,
        startedAt: at,
        targets: [],
        regions: [],
        status: 'running',
      });
    }
    await store.updateRun('r1', { status: 'done' });
    for (const [changeId, at] of [
      ['c2', '2030-01-02T00:00:00.000Z'],
      ['c1', '2030-01-01T00:00:00.000Z'],
    ] as const) {
      await store.putRollbackRequest({
        changeId,
        requestedBy: 'alice',
        requestedAt: at,
        status: 'pending',
        updatedAt: at,
      });
    }
    expect((await store.listRollbackRequests()).map((r) => r.changeId)).toEqual(['c1', 'c2']);
    expect((await store.listOpenAuditIntents()).map((i) => i.changeId)).toEqual(['open']);
    const runs = (await store.pageRuns()).items;
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      ['r2', 'running'],
      ['r1', 'done'],
    ]);
  });

  it('refuses a cursor it did not give, or another listing gave, and a limit out of range', async () => {
    const { store } = await freshStateStore(endpointUrl());
    await store.putSuppression(suppression('s1', days(-1), days(30)));
    await store.putSuppression(suppression('s2', days(0), days(30)));
    const suppressions = await store.listSuppressions({ limit: 1 });
    expect(suppressions.cursor).toEqual(expect.any(String));

    for (const cursor of [
      'not a cursor',
      'eyJ0IjoicnVucyJ9',
      Buffer.from('{"t":"suppressions","k":{"pk":"x"}}').toString('base64url'),
    ]) {
      await expect(store.listSuppressions({ cursor })).rejects.toMatchObject({ name: 'InvalidPageError' });
    }
    await expect(store.pageRuns({ cursor: suppressions.cursor as string })).rejects.toMatchObject({
      name: 'InvalidPageError',
      message: expect.stringContaining('it belongs to suppressions'),
    });
    await expect(store.pageAccountFindings(A, { cursor: suppressions.cursor as string })).rejects.toMatchObject({
      name: 'InvalidPageError',
    });
    for (const limit of [0, 501, 2.5]) {
      await expect(store.pageAudit({ limit })).rejects.toMatchObject({ name: 'InvalidPageError' });
    }
  });
});
