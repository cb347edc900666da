import type { ApprovalRecord } from '../../lambdas/ports/state-store';
import { decideApproval } from '../../lambdas/workflow/decision-delivery';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';

export type Decide = (
  approval: ApprovalRecord,
  plan: { action: string; resourceArn: string },
) => Verdict | Promise<Verdict>;

type Verdict = 'approved' | 'rejected' | 'wait';

/**
 * Acts as the approver while a run is in flight: every approval request the run makes is decided as `decide` says,
 * through the same decideApproval the CLI and console use, until the run settles.
 */
export async function driveApprovals<T>(
  deps: WorkflowDeps,
  run: Promise<T>,
  runId: string,
  decide: Decide,
): Promise<T> {
  let settled = false;
  const result = run.finally(() => {
    settled = true;
  });
  const seen = new Set<string>();
  while (!settled) {
    const pending = (await deps.store.listPendingApprovals()).filter((a) => a.runId === runId && !seen.has(a.planId));
    for (const approval of pending) {
      const plan = await deps.store.getPlan(runId, approval.planId);
      const decision = await decide(approval, plan?.plan ?? { action: '', resourceArn: '' });
      if (decision === 'wait') continue;
      seen.add(approval.planId);
      await decideApproval(deps, {
        runId,
        planId: approval.planId,
        decision,
        by: 'test-approver@example.com',
        comment: decision === 'approved' ? 'looks right' : 'not now',
        contentHash: approval.contentHash,
      });
    }
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 25))]);
  }
  return result;
}
