/**
 * What every StateStore does (lambdas/ports/state-store.ts), as assertions run against each implementation: the
 * in-memory fake (test/unit/support/fakes/state-store.contract.test.ts) and DynamoStateStore on the emulator
 * (test/integ/adapters/state-store.contract.integ.ts). A store may be shared by several tests (the DynamoDB tables
 * are), so each test uses ids of its own and reads listings filtered to them.
 *
 * `scale`: the organization-scale methods (issue 15). DynamoStateStore has them as placeholders until the `state`
 * branch implements them; that branch turns them on in the integration file.
 */
import { randomUUID } from 'node:crypto';
import type { Finding } from '../../../lambdas/domain/finding';
import type {
  AccountRunSummary,
  ApprovalRecord,
  AuditIntent,
  AuditRecord,
  Page,
  PageRequest,
  PlanRecord,
  RejectionRecord,
  RunRecord,
  StateStore,
  Suppression,
} from '../../../lambdas/ports/state-store';
import { FakeClock } from '../fakes/clock';
import { testPlan } from '../test-plan';

export interface ContractSubject {
  readonly store: StateStore;
  readonly clock: FakeClock;
}

/** A store whose clock is the given one (a new store per test, possibly over shared tables). */
export type MakeStore = (clock: FakeClock) => ContractSubject['store'];

const uid = () => randomUUID().slice(0, 8);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const contractFinding = (id: string, accountId = '111111111111'): Finding =>
  ({
    id,
    ruleId: 'IRSA-015',
    severity: 'high',
    accountId,
    resourceArn: `arn:aws:iam::${accountId}:role/${id}`,
    resourceType: 'role',
    title: `finding ${id}`,
    message: 'm',
    remediation: 'r',
    references: [],
    evidence: {},
  }) as unknown as Finding;

export const contractRun = (runId: string, startedAt: string): RunRecord => ({
  runId,
  executionId: `exec-${runId}`,
  mode: 'sweep',
  trigger: 'test',
  dryRun: false,
  startedAt,
  targets: ['111111111111'],
  regions: ['us-west-2'],
  status: 'running',
});

export const contractPlanRecord = (runId: string, planId: string, at: string): PlanRecord => ({
  runId,
  planId,
  plan: testPlan({ id: planId }),
  contentHash: `hash-${planId}`,
  status: 'proposed',
  wave: 0,
  updatedAt: at,
});

export const contractApproval = (runId: string, planId: string, requestedAt: string): ApprovalRecord => ({
  runId,
  planId,
  taskToken: `token-${planId}`,
  contentHash: `hash-${planId}`,
  requestedAt,
  expiresAt: new Date(Date.parse(requestedAt) + DAY).toISOString(),
});

const intentOf = (changeId: string, at: string, names: string[] = []): AuditIntent => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: `arn:aws:iam::111111111111:role/App-${changeId}`,
  action: 'update-trust-policy',
  expected: { Statement: [] },
  intended: { Statement: [{ Sid: 'After' }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy: 'alice',
  intendedAt: at,
  ...(names.length > 0 ? { names } : {}),
});

const recordOf = (changeId: string, at: string): AuditRecord => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: `arn:aws:iam::111111111111:role/App-${changeId}`,
  action: 'update-trust-policy',
  replaced: { Statement: [] },
  wrote: { Statement: [{ Sid: 'After' }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy: 'alice',
  appliedAt: at,
  outcome: 'applied',
});

/** Every item of a paged listing, following cursors, checking each page's size. */
async function allOf<T>(read: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await read({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return out;
  }
  throw new Error('the listing never ended');
}

export function stateStoreContract(make: MakeStore, parts: { readonly scale: boolean }): void {
  const subject = (): ContractSubject => {
    const clock = new FakeClock(new Date());
    return { store: make(clock), clock };
  };

  describe('triggers and runs', () => {
    it('claims a trigger once, names who holds it, and frees it when its time is up', async () => {
      const { store, clock } = subject();
      const key = `cluster#${uid()}`;
      expect(await store.claimTrigger(key, 'run-a', 60)).toEqual({ claimed: true });
      expect(await store.claimTrigger(key, 'run-b', 60)).toEqual({ claimed: false, heldBy: 'run-a' });
      clock.advanceSeconds(61);
      expect(await store.claimTrigger(key, 'run-b', 60)).toEqual({ claimed: true });
    });

    it('keeps a run and patches its status and summary; fails when updating a run that does not exist', async () => {
      const { store } = subject();
      const runId = `run-${uid()}`;
      await store.putRun(contractRun(runId, new Date().toISOString()));
      await store.updateRun(runId, { status: 'done', summary: { findings: 2 } });
      expect(await store.getRun(runId)).toMatchObject({ runId, status: 'done', summary: { findings: 2 } });
      expect(await store.getRun(`run-${uid()}`)).toBeUndefined();
      await expect(store.updateRun(`run-${uid()}`, { status: 'done' })).rejects.toThrow();
    });

    it("lists a run's findings and no other run's", async () => {
      const { store } = subject();
      const [a, b] = [`run-${uid()}`, `run-${uid()}`];
      await store.putFindings(a, [contractFinding('f-2'), contractFinding('f-1')]);
      await store.putFindings(b, [contractFinding('f-3')]);
      expect((await store.listFindings(a)).map((f) => f.id).sort()).toEqual(['f-1', 'f-2']);
    });
  });

  describe('plans', () => {
    it("patches a plan's status, detail, error and change id, stamping the time", async () => {
      const { store, clock } = subject();
      const runId = `run-${uid()}`;
      await store.putPlans([
        contractPlanRecord(runId, 'p1', clock.iso()),
        contractPlanRecord(runId, 'p2', clock.iso()),
      ]);
      clock.advance(HOUR);
      await store.updatePlan(runId, 'p1', {
        status: 'failed',
        detail: 'why',
        error: { Error: 'X', Cause: 'y' },
        changeId: 'c1',
      });
      expect(await store.getPlan(runId, 'p1')).toMatchObject({
        status: 'failed',
        detail: 'why',
        error: { Error: 'X', Cause: 'y' },
        changeId: 'c1',
        updatedAt: clock.iso(),
        plan: { id: 'p1' },
      });
      expect((await store.listPlans(runId)).map((p) => p.planId).sort()).toEqual(['p1', 'p2']);
    });

    it('fails when updating a plan that does not exist, and creates nothing', async () => {
      const { store } = subject();
      const runId = `run-${uid()}`;
      await expect(store.updatePlan(runId, 'ghost', { status: 'applied' })).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
      });
      expect(await store.getPlan(runId, 'ghost')).toBeUndefined();
    });
  });

  describe('approvals and their delivery', () => {
    it('lists undecided approvals oldest first', async () => {
      const { store, clock } = subject();
      const runId = `run-${uid()}`;
      const t0 = clock.iso();
      await store.putApproval(contractApproval(runId, 'late', new Date(Date.parse(t0) + 2000).toISOString()));
      await store.putApproval(contractApproval(runId, 'early', t0));
      await store.putApproval(contractApproval(runId, 'decided', t0));
      await store.decideApproval(runId, 'decided', {
        decision: 'approved',
        decidedBy: 'alice',
        decidedAt: t0,
        decidedHash: 'hash-decided',
      });
      const mine = (await store.listPendingApprovals()).filter((a) => a.runId === runId);
      expect(mine.map((a) => a.planId)).toEqual(['early', 'late']);
    });

    it('records a decision once, as pending delivery, then counts failures and ends the delivery once', async () => {
      const { store, clock } = subject();
      const runId = `run-${uid()}`;
      await store.putApproval(contractApproval(runId, 'p', clock.iso()));
      const decision = {
        decision: 'rejected' as const,
        decidedBy: 'bob',
        decidedAt: clock.iso(),
        decidedHash: 'hash-p',
        comment: 'no',
      };
      expect(await store.decideApproval(runId, 'p', decision)).toBe(true);
      expect(await store.decideApproval(runId, 'p', { ...decision, decision: 'approved' })).toBe(false);
      expect(await store.decideApproval(runId, 'missing', decision)).toBe(false);
      expect(await store.getApproval(runId, 'p')).toMatchObject({
        decision: 'rejected',
        decidedBy: 'bob',
        comment: 'no',
        decidedHash: 'hash-p',
        delivery: 'pending',
        deliveryAttempts: 0,
      });
      await store.noteDeliveryFailure(runId, 'p', 'ThrottlingException: slow down');
      expect(await store.getApproval(runId, 'p')).toMatchObject({
        deliveryAttempts: 1,
        deliveryDetail: 'ThrottlingException: slow down',
      });
      expect((await store.listUndelivered()).some((a) => a.runId === runId && a.planId === 'p')).toBe(true);
      const at = clock.iso();
      expect(await store.completeDelivery(runId, 'p', { status: 'delivered', at })).toBe(true);
      expect(await store.completeDelivery(runId, 'p', { status: 'expired', at })).toBe(false);
      expect(await store.getApproval(runId, 'p')).toMatchObject({ delivery: 'delivered', deliveredAt: at });
      expect((await store.listUndelivered()).some((a) => a.runId === runId)).toBe(false);
    });
  });

  describe('second approvals', () => {
    it('counts an approval only against the number read: of two racing first approvals one is recorded', async () => {
      const { store, clock } = subject();
      const runId = `run-${uid()}`;
      await store.putApproval(contractApproval(runId, 'p', clock.iso()));
      const first = { by: 'alice', at: clock.iso(), hash: 'hash-p', comment: 'ok' };
      const other = { by: 'carol', at: clock.iso(), hash: 'hash-p' };
      const raced = await Promise.all([
        store.addApproval(runId, 'p', [first], 0),
        store.addApproval(runId, 'p', [other], 0),
      ]);
      expect(raced.filter((r) => r).length).toBe(1);
      const kept = raced[0] ? first : other;
      expect(await store.getApproval(runId, 'p')).toMatchObject({ approvals: [kept] });
      expect((await store.getApproval(runId, 'p'))?.decision).toBeUndefined();
      // Still listed as waiting for a decision
      expect((await store.listPendingApprovals()).some((a) => a.runId === runId && a.planId === 'p')).toBe(true);

      // The second approval decides only against one approval recorded before it
      const bob = { by: 'bob', at: clock.iso(), hash: 'hash-p' };
      const decision = {
        decision: 'approved' as const,
        decidedBy: 'bob',
        decidedAt: clock.iso(),
        decidedHash: 'hash-p',
      };
      expect(await store.decideApproval(runId, 'p', { ...decision, approvals: [bob], expectedApprovals: 0 })).toBe(
        false,
      );
      expect(
        await store.decideApproval(runId, 'p', { ...decision, approvals: [kept, bob], expectedApprovals: 1 }),
      ).toBe(true);
      expect(await store.getApproval(runId, 'p')).toMatchObject({
        decision: 'approved',
        decidedBy: 'bob',
        delivery: 'pending',
        approvals: [kept, bob],
      });
      // Decided: no approval is added any more
      expect(await store.addApproval(runId, 'p', [kept, bob, other], 2)).toBe(false);
      expect(await store.addApproval(runId, 'missing', [first], 0)).toBe(false);
    });

    it('keeps each account’s OU path in the account directory, the latest sweep winning', async () => {
      const { store } = subject();
      const a = `9${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
      await store.putAccountDirectory([{ accountId: a, ouPath: ['ou-ab12-11111111'] }]);
      await store.putAccountDirectory([{ accountId: a, ouPath: ['ou-ab12-22222222', 'ou-ab12-33333333'] }]);
      expect((await store.getAccountDirectory()).get(a)).toEqual(['ou-ab12-22222222', 'ou-ab12-33333333']);
    });
  });

  describe('rollback requests', () => {
    it('keeps one open request per change; a refused one may be made again', async () => {
      const { store, clock } = subject();
      const changeId = `c-${uid()}`;
      const request = {
        changeId,
        requestedBy: 'alice',
        requestedAt: clock.iso(),
        status: 'pending' as const,
        updatedAt: clock.iso(),
      };
      expect((await store.putRollbackRequest(request)).created).toBe(true);
      const again = await store.putRollbackRequest({ ...request, requestedBy: 'bob' });
      expect(again).toMatchObject({ created: false, request: { requestedBy: 'alice' } });
      expect((await store.listOpenRollbackRequests()).some((r) => r.changeId === changeId)).toBe(true);

      clock.advance(1000);
      expect(await store.updateRollbackRequest(changeId, { status: 'running' }, ['pending'])).toBe(true);
      expect(await store.updateRollbackRequest(changeId, { status: 'running' }, ['pending'])).toBe(false);
      expect(await store.getRollbackRequest(changeId)).toMatchObject({ status: 'running', updatedAt: clock.iso() });
      const error = { name: 'RollbackRefusedError', message: 'drift', reason: 'drift' };
      expect(await store.updateRollbackRequest(changeId, { status: 'refused', error }, ['running'])).toBe(true);
      expect((await store.listOpenRollbackRequests()).some((r) => r.changeId === changeId)).toBe(false);
      expect(await store.getRollbackRequest(changeId)).toMatchObject({ status: 'refused', error });

      expect((await store.putRollbackRequest({ ...request, requestedBy: 'bob' })).created).toBe(true);
      expect(await store.getRollbackRequest(changeId)).toMatchObject({ requestedBy: 'bob', status: 'pending' });
      expect(await store.updateRollbackRequest(`c-${uid()}`, { status: 'running' })).toBe(false);
    });
  });

  describe('the audit log, append-only', () => {
    it('keeps the first intent, indexes its resource and the providers it names, and lists it open until its record', async () => {
      const { store, clock } = subject();
      const changeId = `c-${uid()}`;
      const provider = `arn:aws:iam::111111111111:oidc-provider/oidc.example.com/id/${changeId}`;
      const first = intentOf(changeId, clock.iso(), [provider]);
      expect(await store.putAuditIntent(first)).toEqual({ created: true, intent: first });
      const second = await store.putAuditIntent({ ...first, approvedBy: 'mallory' });
      expect(second).toEqual({ created: false, intent: first });
      expect(await store.getAuditIntent(changeId)).toEqual(first);
      // The resource index is case-insensitive on the ARN.
      expect(await store.listAuditReferences(first.resourceArn.toUpperCase())).toEqual([
        { changeId, relation: 'target' },
      ]);
      expect(await store.listAuditReferences(provider)).toEqual([{ changeId, relation: 'names' }]);
      expect((await store.listOpenAuditIntents()).some((i) => i.changeId === changeId)).toBe(true);

      const record = recordOf(changeId, clock.iso());
      await store.putAudit(record);
      expect(await store.getAudit(changeId)).toEqual(record);
      expect((await store.listOpenAuditIntents()).some((i) => i.changeId === changeId)).toBe(false);
      expect((await store.listAudit()).some((r) => r.changeId === changeId)).toBe(true);
    });

    it('fails when a change is completed twice, and keeps the first record', async () => {
      const { store, clock } = subject();
      const changeId = `c-${uid()}`;
      await store.putAudit(recordOf(changeId, clock.iso()));
      await expect(store.putAudit({ ...recordOf(changeId, clock.iso()), approvedBy: 'mallory' })).rejects.toMatchObject(
        { name: 'ConditionalCheckFailedException' },
      );
      expect((await store.getAudit(changeId))?.approvedBy).toBe('alice');
    });
  });

  if (!parts.scale) return;

  describe('organization scale: per-account state, decision memory, paged reads', () => {
    it("makes an account's findings of the latest run its latest, and pages them", async () => {
      const { store } = subject();
      const account = `9${String(Date.now()).slice(-7)}${uid().replace(/\D/g, '0').slice(0, 4)}`;
      const [r1, r2] = [`run-${uid()}`, `run-${uid()}`];
      await store.putAccountFindings(r1, account, [contractFinding('old', account)]);
      await store.putAccountFindings(
        r2,
        account,
        ['a', 'b', 'c'].map((id) => contractFinding(id, account)),
      );
      const latest = await store.latestAccountFindings(account);
      expect(latest?.runId).toBe(r2);
      expect(latest?.findings.map((f) => f.id).sort()).toEqual(['a', 'b', 'c']);
      const paged = await allOf((page) => store.pageAccountFindings(account, page), 2);
      expect(paged.map((f) => f.id).sort()).toEqual(['a', 'b', 'c']);
      expect(await store.latestAccountFindings('999999999998')).toBeUndefined();
    });

    it("lists a run's account summaries", async () => {
      const { store } = subject();
      const runId = `run-${uid()}`;
      const summary = (accountId: string): AccountRunSummary => ({
        runId,
        accountId,
        collection: 'complete',
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
      await store.putAccountSummary(summary('222222222222'));
      await store.putAccountSummary(summary('111111111111'));
      await store.putAccountSummary({ ...summary('333333333333'), runId: `run-${uid()}` });
      expect((await store.listAccountSummaries(runId)).map((s) => s.accountId).sort()).toEqual([
        '111111111111',
        '222222222222',
      ]);
    });

    it('remembers a rejection until it expires', async () => {
      const { store, clock } = subject();
      const planId = `p-${uid()}`;
      const rejection: RejectionRecord = {
        planId,
        runId: 'run',
        accountId: '111111111111',
        resourceArn: 'arn:aws:iam::111111111111:role/app',
        action: 'update-trust-policy',
        rejectedBy: 'bob',
        rejectedAt: clock.iso(),
        expiresAt: new Date(clock.now().getTime() + 30 * DAY).toISOString(),
      };
      await store.putRejection(rejection);
      expect(await store.getRejection(planId)).toEqual(rejection);
      clock.advance(30 * DAY + 1000);
      expect(await store.getRejection(planId)).toBeUndefined();
      expect(await store.getRejection(`p-${uid()}`)).toBeUndefined();
    });

    it('finds the run in which a plan id is still open, and none once it ended', async () => {
      const { store, clock } = subject();
      const [runId, planId] = [`run-${uid()}`, `p-${uid()}`];
      await store.putPlans([contractPlanRecord(runId, planId, clock.iso())]);
      expect(await store.openPlanOf(planId)).toEqual({ runId, status: 'proposed' });
      await store.updatePlan(runId, planId, { status: 'awaiting-approval' });
      expect(await store.openPlanOf(planId)).toEqual({ runId, status: 'awaiting-approval' });
      await store.updatePlan(runId, planId, { status: 'rejected' });
      expect(await store.openPlanOf(planId)).toBeUndefined();
    });

    it('lists suppressions not expired, newest first, and deletes one once', async () => {
      const { store, clock } = subject();
      const tag = uid();
      const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
      const suppression = (id: string, createdAt: string, expiresAt: string): Suppression => ({
        id: `${tag}-${id}`,
        ruleId: 'IRSA-015',
        accountId: '111111111111',
        reason: `reason ${id}`,
        createdBy: 'alice',
        createdAt,
        expiresAt,
      });
      await store.putSuppression(suppression('old', at(-2 * HOUR), at(DAY)));
      await store.putSuppression(suppression('new', at(-HOUR), at(DAY)));
      await store.putSuppression(suppression('gone', at(-3 * HOUR), at(-1000)));
      const mine = (await allOf((page) => store.listSuppressions(page), 1)).filter((s) => s.id.startsWith(tag));
      expect(mine.map((s) => s.id)).toEqual([`${tag}-new`, `${tag}-old`]);
      expect(await store.deleteSuppression(`${tag}-new`)).toBe(true);
      expect(await store.deleteSuppression(`${tag}-new`)).toBe(false);
      const after = (await allOf((page) => store.listSuppressions(page), 50)).filter((s) => s.id.startsWith(tag));
      expect(after.map((s) => s.id)).toEqual([`${tag}-old`]);
    });

    it('pages pending approvals oldest first, and runs and changes newest first, to the last page', async () => {
      const { store, clock } = subject();
      const tag = uid();
      const t = (s: number) => new Date(clock.now().getTime() + s * 1000).toISOString();
      for (const [i, planId] of ['p0', 'p1', 'p2'].entries()) {
        await store.putApproval(contractApproval(`run-${tag}`, planId, t(i)));
        await store.putRun(contractRun(`run-${tag}-${i}`, t(i)));
        await store.putAudit(recordOf(`c-${tag}-${i}`, t(i)));
      }
      const pending = (await allOf((page) => store.pagePendingApprovals(page), 2)).filter(
        (a) => a.runId === `run-${tag}`,
      );
      expect(pending.map((a) => a.planId)).toEqual(['p0', 'p1', 'p2']);
      const runs = (await allOf((page) => store.pageRuns(page), 2)).filter((r) => r.runId.startsWith(`run-${tag}-`));
      expect(runs.map((r) => r.runId)).toEqual([`run-${tag}-2`, `run-${tag}-1`, `run-${tag}-0`]);
      const changes = (await allOf((page) => store.pageAudit(page), 2)).filter((r) =>
        r.changeId.startsWith(`c-${tag}`),
      );
      expect(changes.map((r) => r.changeId)).toEqual([`c-${tag}-2`, `c-${tag}-1`, `c-${tag}-0`]);
    });
  });
}
