/**
 * What every WorkflowStarter and TaskCallbacks does (lambdas/ports/notifier.ts), as assertions run against the
 * fakes (test/unit/support/fakes/step-functions.contract.test.ts) and the Step Functions adapters on the emulator
 * (test/integ/adapters/step-functions.contract.integ.ts).
 */
import { randomUUID } from 'node:crypto';
import type { TaskCallbacks, WorkflowStarter } from '../../../lambdas/ports/notifier';
import { SPENT_TOKEN_ERRORS } from '../../../lambdas/workflow/decision-delivery';

export function workflowStarterContract(make: () => Promise<WorkflowStarter>): void {
  it('starts an execution under a name once; another start under that name is not started', async () => {
    const starter = await make();
    const name = `plan-${randomUUID().slice(0, 8)}`;

    const first = await starter.start(name, { runId: 'r', planId: 'p' });
    expect(first.started).toBe(true);
    expect(first.executionArn).toContain(name);

    expect((await starter.start(name, { runId: 'r', planId: 'other' })).started).toBe(false);
  });
}

export function taskCallbacksContract(make: () => Promise<TaskCallbacks>): void {
  it('refuses a token no task waits on with an error the deliverer treats as spent', async () => {
    const callbacks = await make();
    const token = Buffer.from(`unknown-${randomUUID()}`).toString('base64');
    const success = await callbacks.succeed(token, { approvedBy: 'alice' }).then(
      () => 'accepted',
      (err: Error) => err.name,
    );
    const failure = await callbacks.fail(token, 'PlanRejected', '{}').then(
      () => 'accepted',
      (err: Error) => err.name,
    );
    expect(SPENT_TOKEN_ERRORS.has(success)).toBe(true);
    expect(SPENT_TOKEN_ERRORS.has(failure)).toBe(true);
  });
}
