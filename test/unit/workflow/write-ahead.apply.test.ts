/**
 * applyWithAudit over the fakes: the intent is recorded before the write and the record after it; a retry
 * completes an interrupted change instead of writing again; drift and concurrent edits are refused and recorded.
 */
import { applyWithAudit, changeIdOf } from '../../../lambdas/workflow/write-ahead';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { ROLE, trust, trustPlan } from '../../support/fakes/given';

const approval = { approvedBy: 'alice', approvedAt: '2026-11-30T08:00:00.000Z', comment: 'ok' };
const RUN = 'run-1';

function setup(resource: unknown = trust('Before')): Fakes {
  const fakes = fakeDeps();
  fakes.fixes.set(ROLE, resource);
  return fakes;
}

describe('applyWithAudit', () => {
  it('records the intent before the write and the record after it', async () => {
    // Given a role holding the plan's `before`, and a writer that dies right after its write
    const fakes = setup();
    const plan = trustPlan();
    const changeId = changeIdOf(RUN, plan.id);
    fakes.fixes.interruptNextWrite();

    // When the apply runs and dies after the write
    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toMatchObject({
      name: 'WriterInterrupted',
    });

    // Then the write happened under an intent that was already recorded, and no record completes it yet
    expect(fakes.fixes.get(ROLE)).toEqual(trust('After'));
    expect(await fakes.store.getAuditIntent(changeId)).toMatchObject({
      kind: 'apply',
      expected: trust('Before'),
      intended: trust('After'),
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'alice',
      approvedAt: approval.approvedAt,
      comment: 'ok',
      intendedAt: fakes.clock.iso(),
    });
    expect(await fakes.store.getAudit(changeId)).toBeUndefined();
    expect((await fakes.store.listOpenAuditIntents()).map((i) => i.changeId)).toEqual([changeId]);
  });

  it('completes a change with its record: what it replaced, what it wrote, who approved it', async () => {
    const fakes = setup();
    const plan = trustPlan();

    const out = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    expect(out).toMatchObject({ status: 'applied', changeId: changeIdOf(RUN, plan.id) });
    expect(await fakes.store.getAudit(out.changeId)).toMatchObject({
      kind: 'apply',
      outcome: 'applied',
      completedBy: 'writer',
      replaced: trust('Before'),
      wrote: trust('After'),
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'alice',
    });
    expect(await fakes.store.listOpenAuditIntents()).toEqual([]);
    expect(fakes.fixes.written).toHaveLength(1);
  });

  it('completes an interrupted change on retry without writing again', async () => {
    // Given an apply that wrote and died before its record
    const fakes = setup();
    const plan = trustPlan();
    fakes.fixes.interruptNextWrite();
    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toThrow();

    // When the step is retried
    const out = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    // Then the first attempt's intent is completed as applied by the retry, and IAM was written once
    expect(out.status).toBe('applied');
    expect(out.record).toMatchObject({ outcome: 'applied', completedBy: 'retry', wrote: trust('After') });
    expect(fakes.fixes.written).toHaveLength(1);
    expect(await fakes.store.listOpenAuditIntents()).toEqual([]);
  });

  it('writes on retry under the first intent when the first attempt died before its write', async () => {
    // Given an intent recorded by an attempt that never wrote (the role still holds `before`)
    const fakes = setup();
    const plan = trustPlan();
    const changeId = changeIdOf(RUN, plan.id);
    await fakes.store.putAuditIntent({
      changeId,
      kind: 'apply',
      runId: RUN,
      planId: plan.id,
      accountId: plan.accountId,
      resourceArn: plan.resourceArn,
      action: plan.action,
      expected: trust('Before'),
      intended: trust('After'),
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'alice',
      intendedAt: fakes.clock.iso(),
    });

    const out = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    expect(out.record).toMatchObject({
      outcome: 'applied',
      completedBy: 'retry',
      detail: 'written by a retry of an interrupted attempt',
    });
    expect(fakes.fixes.get(ROLE)).toEqual(trust('After'));
  });

  it('fails when the resource drifted from the plan, and records nothing and writes nothing', async () => {
    const fakes = setup(trust('Someone'));
    const plan = trustPlan();

    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toMatchObject({
      name: 'StalePlanError',
      current: trust('Someone'),
    });

    expect(fakes.fixes.written).toEqual([]);
    expect(await fakes.store.getAuditIntent(changeIdOf(RUN, plan.id))).toBeUndefined();
    expect(await fakes.store.getAudit(changeIdOf(RUN, plan.id))).toBeUndefined();
  });

  it('fails when someone else wrote right after, and records the change as drift with what was found', async () => {
    const fakes = setup();
    const plan = trustPlan();
    fakes.fixes.interfereAfterWrite(ROLE, trust('Someone'));

    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toMatchObject({
      name: 'ConcurrentEditError',
    });

    expect(await fakes.store.getAudit(changeIdOf(RUN, plan.id))).toMatchObject({
      outcome: 'drift',
      wrote: null,
      writes: ['iam:UpdateAssumeRolePolicy'],
      found: trust('Someone'),
      detail: expect.stringContaining('ConcurrentEditError'),
    });
  });

  it('fails when the change is already recorded as not written, and does not write', async () => {
    // Given a change closed as drift by an earlier attempt
    const fakes = setup();
    const plan = trustPlan();
    fakes.fixes.interfereAfterWrite(ROLE, trust('Someone'));
    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toThrow();
    fakes.fixes.set(ROLE, trust('Before'));
    const writes = fakes.fixes.written.length;

    // When the step runs again
    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toMatchObject({
      name: 'StalePlanError',
      message: expect.stringContaining('recorded as drift'),
    });

    // Then nothing more is written
    expect(fakes.fixes.written).toHaveLength(writes);
  });

  it('returns the recorded change when the change was applied already, without reading or writing', async () => {
    const fakes = setup();
    const plan = trustPlan();
    const first = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });
    const reads = fakes.fixes.reads.get(ROLE);

    const again = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    expect(again).toEqual(first);
    expect(fakes.fixes.reads.get(ROLE)).toBe(reads);
    expect(fakes.fixes.written).toHaveLength(1);
  });

  it('records nothing when the resource already holds the approved state', async () => {
    const fakes = setup(trust('After'));
    const plan = trustPlan();

    const out = await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    expect(out).toEqual({ status: 'already-applied', changeId: changeIdOf(RUN, plan.id), writes: [] });
    expect(await fakes.store.getAuditIntent(out.changeId)).toBeUndefined();
    expect(fakes.fixes.written).toEqual([]);
  });

  it('fails when the plan is propose-only, before anything is read', async () => {
    const fakes = setup();
    const plan = trustPlan('plan-1', { applicable: false, proposeOnlyReason: 'owned by Terraform' });

    await expect(applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval })).rejects.toMatchObject({
      name: 'PlanNotApplicableError',
    });
    expect(fakes.fixes.reads.size).toBe(0);
  });

  it('indexes the providers an intended trust policy names, so a rollback of the provider finds it', async () => {
    const fakes = setup();
    const provider = 'arn:aws:iam::111111111111:oidc-provider/oidc.example.com/id/X';
    const after = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: provider } }],
    };
    const plan = trustPlan('plan-1', { after });

    await applyWithAudit(fakes.deps, { runId: RUN, planId: plan.id, plan, approval });

    expect(await fakes.store.listAuditReferences(provider)).toEqual([
      { changeId: changeIdOf(RUN, plan.id), relation: 'names' },
    ]);
  });
});
