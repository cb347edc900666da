/** The approval gauges over the fakes: pending requests, and those that expire within the warning window. */
import { recordApprovalGauges } from '../../../lambdas/workflow/approval-gauges';
import { fakeDeps } from '../../support/fakes/fake-deps';

const HOUR = 3_600_000;

describe('recordApprovalGauges', () => {
  it('counts the pending requests and those expiring within six hours; decided ones are not pending', async () => {
    const f = fakeDeps({ env: { approvalTimeoutSeconds: 86_400 } });
    const now = f.clock.now().getTime();
    const request = (planId: string, expiresInHours: number, decided = false) =>
      f.store.putApproval({
        runId: 'run-1',
        planId,
        taskToken: `token-${planId}`,
        contentHash: 'h',
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + expiresInHours * HOUR).toISOString(),
        ...(decided ? { decision: 'approved' as const, decidedBy: 'bob', decidedAt: new Date(now).toISOString() } : {}),
      });
    await request('soon', 2);
    await request('at-the-edge', 6);
    await request('later', 20);
    await request('decided', 1, true);

    expect(await recordApprovalGauges(f.deps)).toEqual({ pending: 3, expiringSoon: 2 });
    expect(f.telemetry.last('ApprovalsPending')).toBe(3);
    expect(f.telemetry.last('ApprovalsExpiringSoon')).toBe(2);
  });

  it('warns a quarter of the timeout ahead when the timeout is shorter than a day', async () => {
    const f = fakeDeps({ env: { approvalTimeoutSeconds: 4 * 3600 } });
    const now = f.clock.now().getTime();
    for (const [planId, minutes] of [
      ['in-50-min', 50],
      ['in-2-hours', 120],
    ] as const) {
      await f.store.putApproval({
        runId: 'run-1',
        planId,
        taskToken: planId,
        contentHash: 'h',
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + minutes * 60_000).toISOString(),
      });
    }
    expect(await recordApprovalGauges(f.deps)).toEqual({ pending: 2, expiringSoon: 1 });
  });

  it('emits zeros when nothing waits (so the alarm sees the gauge fall back)', async () => {
    const f = fakeDeps();
    expect(await recordApprovalGauges(f.deps)).toEqual({ pending: 0, expiringSoon: 0 });
    expect(f.telemetry.data.map((d) => [d.metric, d.value])).toEqual([
      ['ApprovalsPending', 0],
      ['ApprovalsExpiringSoon', 0],
    ]);
  });
});
