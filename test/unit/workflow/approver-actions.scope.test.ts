/**
 * Approvers scoped by account and OU on every operation, the second approval by a distinct person, and no
 * self-approval by the run's requester, over the fakes.
 */
import {
  type ApiDeps,
  addSuppression,
  decide,
  listRejections,
  listSuppressions,
  pageChanges,
  pagePending,
  removeSuppression,
  requestRollback,
  rollbackStatus,
  scopeOf,
  showPlan,
} from '../../../lambdas/workflow/approver-actions';
import { deliverDecision } from '../../../lambdas/workflow/decision-delivery';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { givenRun, givenWaitingPlan, trustPlan } from '../../support/fakes/given';
import { seedChanges } from '../../support/fresh-state-store';

const RUN = 'run-1';
const A = '111111111111';
const B = '222222222222';
const OU = 'ou-ab12-11111111';
const RULES = [
  { group: 'all-approvers' },
  { group: 'a-approvers', accounts: [A] },
  { group: 'ou-approvers', organizationalUnits: [OU] },
];
const alice = { id: 'alice <alice@example.com>', groups: ['a-approvers'] };
const olga = { id: 'olga', groups: ['ou-approvers'] };
const root = { id: 'root', groups: ['all-approvers'] };
const bob = { id: 'bob', groups: ['all-approvers'] };

const deps = (fakes: Fakes, extra: Partial<ApiDeps> = {}): ApiDeps => ({
  store: fakes.store,
  now: fakes.clock.now,
  approversGroup: 'irsa-doctor-approvers',
  approvers: RULES,
  ...extra,
});

const planIn = (id: string, accountId: string, risk: 'low' | 'high' = 'low') =>
  trustPlan(id, {
    accountId,
    resourceArn: `arn:aws:iam::${accountId}:role/app-${id}`,
    risk: { level: risk, notes: [] },
  });

async function waiting(fakes: Fakes, id: string, accountId: string, risk: 'low' | 'high' = 'low') {
  const plan = planIn(id, accountId, risk);
  const { record } = await givenWaitingPlan(fakes, RUN, plan);
  return { plan, hash: record.contentHash };
}

describe('approver scopes', () => {
  it('keeps the old meaning of approversGroup alone: one rule, every account', async () => {
    const scope = await scopeOf({ approversGroup: 'g' }, { id: 'x', groups: ['g'] });
    expect(scope.all).toBe(true);
    await expect(scopeOf({ approversGroup: 'g' }, { id: 'x', groups: ['h'] })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
  });

  it('shows and decides plans of the caller’s accounts, and refuses others with a 403 naming the account and groups', async () => {
    const fakes = fakeDeps();
    await givenRun(fakes, RUN);
    const a = await waiting(fakes, 'pa', A);
    const b = await waiting(fakes, 'pb', B);
    const d = deps(fakes);
    expect((await showPlan(d, alice, RUN, 'pa')).plan.accountId).toBe(A);
    const refused = showPlan(d, alice, RUN, 'pb');
    await expect(refused).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(refused).rejects.toThrow(`account ${B}`);
    await expect(refused).rejects.toThrow('a-approvers');
    for (const decision of ['approved', 'rejected'] as const) {
      await expect(decide(d, alice, { runId: RUN, planId: 'pb', decision, contentHash: b.hash })).rejects.toMatchObject(
        { name: 'ForbiddenError' },
      );
    }
    expect((await fakes.store.getApproval(RUN, 'pb'))?.decision).toBeUndefined();
    const approval = await decide(d, alice, { runId: RUN, planId: 'pa', decision: 'approved', contentHash: a.hash });
    expect(approval.decidedBy).toBe(alice.id);
  });

  it('lists only the pending plans in scope and says how many were left out', async () => {
    const fakes = fakeDeps();
    await waiting(fakes, 'pa', A);
    await waiting(fakes, 'pb', B);
    const page = await pagePending(deps(fakes), alice);
    expect(page.groups.flatMap((g) => g.plans.map((p) => p.planId))).toEqual(['pa']);
    expect(page.outOfScope).toBe(1);
    const all = await pagePending(deps(fakes), root);
    expect(all.groups.flatMap((g) => g.plans.map((p) => p.planId)).sort()).toEqual(['pa', 'pb']);
    expect(all.outOfScope).toBeUndefined();
  });

  it('scopes by OU through the account directory the sweep records, and leaves an unplaced account out', async () => {
    const fakes = fakeDeps();
    await waiting(fakes, 'pa', A);
    await waiting(fakes, 'pb', B);
    const d = deps(fakes);
    // Before any sweep placed B in the OU, nothing is in olga's scope
    expect((await pagePending(d, olga)).outOfScope).toBe(2);
    await fakes.store.putAccountDirectory([{ accountId: B, ouPath: ['r-ab12', OU] }]);
    const page = await pagePending(d, olga);
    expect(page.groups.flatMap((g) => g.plans.map((p) => p.planId))).toEqual(['pb']);
    await expect(showPlan(d, olga, RUN, 'pa')).rejects.toMatchObject({ name: 'ForbiddenError' });
  });

  it('scopes the history, rollbacks, mutes and rejections', async () => {
    const fakes = fakeDeps();
    const d = deps(fakes);
    await seedChanges(fakes.store, RUN, B, 2);
    const changes = await pageChanges(d, alice);
    expect([changes.changes.length, changes.outOfScope]).toEqual([0, 2]);
    await expect(requestRollback(d, alice, 'c1')).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(rollbackStatus(d, alice, 'c1')).rejects.toMatchObject({ name: 'ForbiddenError' });
    expect(await fakes.store.getRollbackRequest('c1')).toBeUndefined();

    const expiresAt = new Date(fakes.clock.now().getTime() + 86_400_000).toISOString();
    await expect(addSuppression(d, alice, { accountId: B, reason: 'x', expiresAt })).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
    // A mute of every account needs an all-accounts approver
    await expect(addSuppression(d, alice, { ruleId: 'IRSA-001', reason: 'x', expiresAt })).rejects.toThrow(
      /every account/,
    );
    const mine = await addSuppression(d, alice, { accountId: A, reason: 'legacy', expiresAt });
    expect(mine.createdBy).toBe(alice.id);
    const theirs = await addSuppression(d, root, { accountId: B, reason: 'other team', expiresAt });
    const listed = await listSuppressions(d, alice);
    expect([listed.items.map((s) => s.id), listed.outOfScope]).toEqual([[mine.id], 1]);
    await expect(removeSuppression(d, alice, theirs.id)).rejects.toMatchObject({ name: 'ForbiddenError' });
    const removals: unknown[] = [];
    await removeSuppression({ ...d, audit: (event, detail) => removals.push({ event, ...detail }) }, alice, mine.id);
    expect(removals).toEqual([
      expect.objectContaining({ event: 'suppression removed', removedBy: alice.id, suppression: mine }),
    ]);

    await fakes.store.putRejection({
      planId: 'p-old',
      runId: 'run-0',
      accountId: B,
      resourceArn: `arn:aws:iam::${B}:role/x`,
      action: 'update-trust-policy',
      rejectedBy: 'bob',
      rejectedAt: fakes.clock.iso(),
      expiresAt,
    });
    const rejections = await listRejections(d, alice);
    expect([rejections.items.length, rejections.outOfScope]).toEqual([0, 1]);
    expect((await listRejections(d, root)).items.map((r) => r.rejectedBy)).toEqual(['bob']);
  });
});

describe('second approval', () => {
  const second = { risks: ['high' as const], actions: [] };

  it('records the first approval without deciding, refuses the same person again, and decides on a second person', async () => {
    const fakes = fakeDeps();
    await givenRun(fakes, RUN);
    const { hash } = await waiting(fakes, 'ph', A, 'high');
    const d = deps(fakes, { secondApproval: second });
    const request = { runId: RUN, planId: 'ph', decision: 'approved' as const, contentHash: hash };
    // Each person opens the plan first: a decision needs it (plan-openings).
    await showPlan(d, root, RUN, 'ph');
    await showPlan(d, bob, RUN, 'ph');
    const first = await decide(d, root, { ...request, comment: 'looks right' });
    expect(first.decision).toBeUndefined();
    expect(first.delivery).toBeUndefined();
    expect(first.approvals).toEqual([{ by: 'root', at: fakes.clock.iso(), hash, comment: 'looks right' }]);
    expect(await deliverDecision(fakes.deps, RUN, 'ph')).toBe('not-pending');
    const detail = await showPlan(d, root, RUN, 'ph');
    expect(detail.approvalsNeeded).toBe(2);
    const summary = (await pagePending(d, root)).groups[0]?.plans[0];
    expect([summary?.approvalsNeeded, summary?.approvedBy]).toEqual([2, ['root']]);

    await expect(decide(d, root, request)).rejects.toMatchObject({ name: 'SameApproverError' });
    const decided = await decide(d, bob, request);
    expect([decided.decision, decided.decidedBy, decided.approvals?.map((a) => a.by)]).toEqual([
      'approved',
      'bob',
      ['root', 'bob'],
    ]);
    expect(await deliverDecision(fakes.deps, RUN, 'ph')).toBe('delivered');
    expect(fakes.callbacks.accepted()).toEqual([
      expect.objectContaining({ kind: 'success', output: expect.objectContaining({ approvedBy: 'root and bob' }) }),
    ]);
  });

  it('lets anyone reject at once after a first approval, and one approver decides a plan of lower risk', async () => {
    const fakes = fakeDeps();
    await givenRun(fakes, RUN);
    const high = await waiting(fakes, 'ph', A, 'high');
    const low = await waiting(fakes, 'pl', A, 'low');
    const d = deps(fakes, { secondApproval: second });
    await showPlan(d, root, RUN, 'ph');
    await showPlan(d, root, RUN, 'pl');
    await decide(d, root, { runId: RUN, planId: 'ph', decision: 'approved', contentHash: high.hash });
    const rejected = await decide(d, root, { runId: RUN, planId: 'ph', decision: 'rejected', contentHash: high.hash });
    expect([rejected.decision, rejected.delivery]).toEqual(['rejected', 'pending']);
    const one = await decide(d, root, { runId: RUN, planId: 'pl', decision: 'approved', contentHash: low.hash });
    expect(one.decision).toBe('approved');
  });

  it('counts one of two racing first approvals: the other is told to reload', async () => {
    const fakes = fakeDeps();
    await givenRun(fakes, RUN);
    const { hash } = await waiting(fakes, 'ph', A, 'high');
    const d = deps(fakes, { secondApproval: second });
    await showPlan(d, root, RUN, 'ph');
    await showPlan(d, bob, RUN, 'ph');
    // bob's first approval lands between root's read and root's write
    const getApproval = fakes.store.getApproval.bind(fakes.store);
    let raced = false;
    fakes.store.getApproval = async (runId, planId) => {
      const read = await getApproval(runId, planId);
      if (!raced) {
        raced = true;
        await decide(d, bob, { runId, planId, decision: 'approved', contentHash: hash });
      }
      return read;
    };
    await expect(
      decide(d, root, { runId: RUN, planId: 'ph', decision: 'approved', contentHash: hash }),
    ).rejects.toMatchObject({ name: 'AlreadyDecidedError' });
    const after = await getApproval(RUN, 'ph');
    expect([after?.decision, after?.approvals?.map((a) => a.by)]).toEqual([undefined, ['bob']]);
  });
});

describe('no self-approval', () => {
  it('refuses the run’s requester approving its plans (403 saying why), and lets them reject', async () => {
    const fakes = fakeDeps();
    const plan = planIn('pa', A);
    const { record } = await givenWaitingPlan(fakes, RUN, plan);
    await fakes.store.putRun({
      runId: RUN,
      executionId: 'arn:exec',
      mode: 'cluster',
      trigger: 'cluster-created',
      dryRun: false,
      startedAt: fakes.clock.iso(),
      targets: [A],
      regions: ['us-west-2'],
      status: 'running',
      requestedBy: 'alice@example.com',
    });
    const d = deps(fakes);
    const request = { runId: RUN, planId: 'pa', contentHash: record.contentHash };
    await showPlan(d, alice, RUN, 'pa');
    await showPlan(d, root, RUN, 'pa');
    const refused = decide(d, alice, { ...request, decision: 'approved' });
    await expect(refused).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(refused).rejects.toThrow(/requested run run-1 .* may not approve/);
    expect((await fakes.store.getApproval(RUN, 'pa'))?.approvals).toBeUndefined();
    expect((await decide(d, root, { ...request, decision: 'approved' })).decidedBy).toBe('root');
  });
});
