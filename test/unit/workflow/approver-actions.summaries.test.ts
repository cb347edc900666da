/**
 * What the lists add to each item: a pending plan's highest finding severity and its account's name, where known; a
 * change's plan status (its verify result).
 */
import type { Finding } from '../../../lambdas/domain/finding';
import { DEFAULT_APPROVERS_GROUP, pageChanges, pagePending } from '../../../lambdas/workflow/approver-actions';
import { applyWithAudit } from '../../../lambdas/workflow/write-ahead';
import { fakeDeps } from '../../support/fakes/fake-deps';
import { findingFor, givenPlan, trustPlan } from '../../support/fakes/given';

const RUN = 'run-1';
const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };

describe('pagePending summaries', () => {
  it("gives each plan its findings' highest severity and the account's name from the run's summary", async () => {
    const fakes = fakeDeps();
    const plan = trustPlan('p1', { findingIds: ['f-low', 'f-critical'] });
    const findings = [
      { ...findingFor('f-low'), severity: 'low' },
      { ...findingFor('f-critical'), severity: 'critical', title: 'open to any service account' },
    ] as Finding[];
    const record = await givenPlan(fakes, RUN, plan, { status: 'awaiting-approval', findings });
    await fakes.store.putApproval({
      runId: RUN,
      planId: 'p1',
      taskToken: 't',
      contentHash: record.contentHash,
      requestedAt: fakes.clock.iso(),
      expiresAt: new Date(fakes.clock.now().getTime() + 3_600_000).toISOString(),
    });
    await fakes.store.putAccountSummary({
      runId: RUN,
      accountId: plan.accountId,
      name: 'payments-prod',
      collection: 'complete',
      findings: 2,
      bySeverity: { critical: 1, high: 0, medium: 0, low: 1, info: 0 },
      newFindings: 0,
      resolvedFindings: 0,
      suppressed: 0,
      plans: 1,
      started: 1,
      proposeOnly: 0,
      rememberedRejections: 0,
      waitingElsewhere: 0,
    });

    const { groups } = await pagePending(
      { store: fakes.store, now: fakes.clock.now, approversGroup: DEFAULT_APPROVERS_GROUP },
      alice,
    );

    expect(groups[0]?.plans[0]).toMatchObject({ severity: 'critical', accountName: 'payments-prod' });
  });
});

describe('pageChanges', () => {
  it("gives each change its plan's status: the verify result", async () => {
    const fakes = fakeDeps();
    const plan = trustPlan('p1');
    await givenPlan(fakes, RUN, plan, { status: 'applied' });
    fakes.fixes.set(plan.resourceArn, plan.before);
    await applyWithAudit(fakes.deps, { runId: RUN, planId: 'p1', plan, approval: { approvedBy: 'alice' } });
    await fakes.store.updatePlan(RUN, 'p1', { status: 'verify-failed' });

    const { changes } = await pageChanges(
      { store: fakes.store, now: fakes.clock.now, approversGroup: DEFAULT_APPROVERS_GROUP },
      alice,
    );

    expect(changes.map((c) => c.planStatus)).toEqual(['verify-failed']);
  });
});
