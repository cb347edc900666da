/**
 * What every FixWriter does (lambdas/ports/fix-writer.ts), as assertions run against the in-memory fake
 * (test/unit/support/fakes/fix-writer.contract.test.ts) and the registry's writer as the remediator role on the
 * emulator (test/integ/adapters/fix-writer.contract.integ.ts): the drift guard, the hook before the first write,
 * the read-back, rollback, and the judgement of what a resource holds. On a trust-policy plan.
 */
import type { Plan, TrustDocument } from '../../../lambdas/domain/plan/plan-model';
import type { FixState, FixWriter } from '../../../lambdas/ports/fix-writer';
import type { AuditRecord } from '../../../lambdas/ports/state-store';

export interface FixWriterSubject {
  readonly fixes: FixWriter;
  /** A trust-policy plan whose role holds the plan's `before`. */
  readonly plan: Plan;
  /** Someone else's write of the role's trust policy. */
  edit(document: TrustDocument): Promise<void>;
  /** What the role's trust policy is now. */
  read(): Promise<unknown>;
}

const someone: TrustDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Someone', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

const changeOf = (plan: Plan, replaced: FixState | null, wrote: FixState | null): AuditRecord => ({
  changeId: `run.${plan.id}`,
  kind: 'apply',
  runId: 'run',
  planId: plan.id,
  accountId: plan.accountId,
  resourceArn: plan.resourceArn,
  action: plan.action,
  replaced,
  wrote,
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy: 'alice',
  appliedAt: '2026-11-30T09:00:00.000Z',
  outcome: 'applied',
});

export function fixWriterContract(make: () => Promise<FixWriterSubject>): void {
  it('calls the hook once, right before the write, with what the resource holds and the writes; then reads back', async () => {
    const { fixes, plan, read } = await make();
    const seen: Array<{ current: unknown; writes: readonly string[]; held: unknown }> = [];

    const out = await fixes.apply(plan, {
      beforeWrite: async (current, writes) => {
        seen.push({ current, writes, held: await read() });
      },
    });

    expect(seen).toEqual([{ current: plan.before, writes: ['iam:UpdateAssumeRolePolicy'], held: plan.before }]);
    expect(out).toMatchObject({
      status: 'applied',
      planId: plan.id,
      replaced: plan.before,
      current: plan.after,
      writes: ['iam:UpdateAssumeRolePolicy'],
    });
    expect(await read()).toEqual(plan.after);
  });

  it('writes nothing and calls no hook when the resource already holds the plan', async () => {
    const { fixes, plan } = await make();
    await fixes.apply(plan);
    const hook = jest.fn();

    expect(await fixes.apply(plan, { beforeWrite: hook })).toMatchObject({ status: 'already-applied', writes: [] });
    expect(hook).not.toHaveBeenCalled();
  });

  it('writes nothing when the hook fails', async () => {
    const { fixes, plan, read } = await make();
    const failing = async () => {
      throw new Error('the intent could not be recorded');
    };
    await expect(fixes.apply(plan, { beforeWrite: failing })).rejects.toThrow('the intent could not be recorded');
    expect(await read()).toEqual(plan.before);
  });

  it('fails when the resource changed since planning, and writes nothing', async () => {
    const { fixes, plan, edit, read } = await make();
    await edit(someone);
    const hook = jest.fn();

    await expect(fixes.apply(plan, { beforeWrite: hook })).rejects.toMatchObject({
      name: 'StalePlanError',
      current: someone,
    });
    expect(hook).not.toHaveBeenCalled();
    expect(await read()).toEqual(someone);
  });

  it('judges what the resource holds against a change: expected, intended, or neither', async () => {
    const { fixes, plan, edit } = await make();
    const change = { ...plan, planId: plan.id, expected: plan.before, intended: plan.after };
    expect((await fixes.observe(change)).holds).toBe('expected');
    await fixes.apply(plan);
    expect(await fixes.observe(change)).toEqual({ holds: 'intended', state: plan.after });
    await edit(someone);
    expect(await fixes.observe(change)).toEqual({ holds: 'neither', state: someone });
    expect(fixes.judge(change, plan.after).holds).toBe('intended');
    expect(fixes.judge(change, null).holds).toBe('neither');
  });

  it('rolls a change back to what it replaced, once', async () => {
    const { fixes, plan, read } = await make();
    const applied = await fixes.apply(plan);
    const change = changeOf(plan, applied.replaced, applied.current);
    const hook = jest.fn();

    expect(await fixes.rollback(change, { beforeWrite: hook })).toMatchObject({
      status: 'rolled-back',
      replaced: plan.after,
      current: plan.before,
      writes: ['iam:UpdateAssumeRolePolicy'],
    });
    expect(hook).toHaveBeenCalledTimes(1);
    expect(await read()).toEqual(plan.before);
    expect(await fixes.rollback(change)).toMatchObject({ status: 'already-restored', writes: [] });
  });

  it('fails to roll back when the resource changed since the change, and writes nothing', async () => {
    const { fixes, plan, edit, read } = await make();
    const applied = await fixes.apply(plan);
    await edit(someone);

    await expect(fixes.rollback(changeOf(plan, applied.replaced, applied.current))).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'drift',
    });
    expect(await read()).toEqual(someone);
  });

  it('fails to write a propose-only plan before reading anything', async () => {
    const { fixes, plan, read } = await make();
    const proposeOnly = { ...plan, applicable: false, proposeOnlyReason: 'owned by Terraform' };
    expect(() => fixes.checkWritable(proposeOnly)).toThrow(expect.objectContaining({ name: 'PlanNotApplicableError' }));
    await expect(fixes.apply(proposeOnly)).rejects.toMatchObject({ name: 'PlanNotApplicableError' });
    expect(() => fixes.checkWritable(plan)).not.toThrow();
    expect(await read()).toEqual(plan.before);
  });
}
