import { judgeState } from '../../../lambdas/adapters/registry-fix-writer';
import type { AuditIntent } from '../../../lambdas/ports/state-store';
import { rollbackIdOf, settle as settleObserved } from '../../../lambdas/workflow/write-ahead';

/** settle over what the registry's writer judges of a state (what completeOpenIntent does after its read). */
const settle = (i: AuditIntent, state: unknown, by: 'writer' | 'retry' | 'reconciler') =>
  settleObserved(i, judgeState(i, state), by);

const doc = (sid: string) => ({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow' }] });
const provider = (clientIds: string[]) => ({ url: 'oidc.example.com/id/A', clientIds, thumbprints: [] });

const intent = (overrides: Partial<AuditIntent>): AuditIntent => ({
  changeId: 'run.plan',
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  action: 'update-trust-policy',
  expected: doc('Before'),
  intended: doc('After'),
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy: 'alice',
  intendedAt: '2026-11-30T00:00:00.000Z',
  ...overrides,
});

describe('settle: how an open intent ended, from what the resource holds', () => {
  it('is applied when the resource holds what the change writes: replaced is the expected state', () => {
    // Given an intent, and the resource holding its intended document (keys in another order)
    const held = { Statement: [{ Effect: 'Allow', Sid: 'After' }], Version: '2012-10-17' };
    // When settled
    const c = settle(intent({}), held, 'retry');
    // Then it is the change's record, rollback-able
    expect(c).toMatchObject({
      outcome: 'applied',
      replaced: doc('Before'),
      wrote: held,
      writes: ['iam:UpdateAssumeRolePolicy'],
      completedBy: 'retry',
    });
  });

  it('is not applied when the resource still holds the expected state: nothing was written', () => {
    expect(settle(intent({}), doc('Before'), 'reconciler')).toMatchObject({
      outcome: 'not-applied',
      wrote: null,
      writes: [],
    });
  });

  it('is drift when the resource holds neither, and keeps what it found', () => {
    expect(settle(intent({}), doc('Someone'), 'reconciler')).toMatchObject({
      outcome: 'drift',
      writes: [],
      found: doc('Someone'),
    });
    // A role that is gone is drift too
    expect(settle(intent({}), null, 'reconciler')).toMatchObject({ outcome: 'drift', found: null });
  });

  it('treats an absent provider as the state of a create (expected) or of a deleting rollback (intended)', () => {
    const created = provider(['sts.amazonaws.com']);
    const create = intent({ action: 'create-oidc-provider', expected: null, intended: created });
    expect(settle(create, null, 'reconciler').outcome).toBe('not-applied');
    expect(settle(create, provider(['sts.amazonaws.com']), 'reconciler').outcome).toBe('applied');
    const undo = intent({ kind: 'rollback', action: 'create-oidc-provider', expected: created, intended: null });
    expect(settle(undo, null, 'reconciler').outcome).toBe('applied');
    expect(settle(undo, created, 'reconciler').outcome).toBe('not-applied');
    expect(settle(undo, provider(['other']), 'reconciler').outcome).toBe('drift');
  });
});

describe('rollbackIdOf', () => {
  it('keeps the first attempt id as it was, and numbers later attempts', () => {
    expect(rollbackIdOf('run.plan')).toBe('run.plan.rollback');
    expect(rollbackIdOf('run.plan', 2)).toBe('run.plan.rollback.2');
  });
});
