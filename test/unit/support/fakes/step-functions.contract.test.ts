/**
 * The WorkflowStarter and TaskCallbacks fakes against the ports' contracts (the same assertions run against the
 * Step Functions adapters on the emulator), and what only the fakes are asked here: one call per issued token.
 */
import { taskCallbacksContract, workflowStarterContract } from '../../../support/contracts/workflow-starter-contract';
import { FakeTaskCallbacks } from '../../../support/fakes/task-callbacks';
import { FakeWorkflowStarter } from '../../../support/fakes/workflow-starter';

describe('FakeWorkflowStarter', () => {
  workflowStarterContract(async () => new FakeWorkflowStarter());

  // Step Functions refuses these names (InvalidName); the emulator accepts any name, so only the fake is asked.
  it('fails on a name Step Functions refuses', async () => {
    const starter = new FakeWorkflowStarter();
    await expect(starter.start('x'.repeat(81), {})).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(starter.start('has space', {})).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(starter.start('run/plan', {})).rejects.toMatchObject({ name: 'InvalidName' });
    expect((await starter.start(`run-1_${'p'.repeat(74)}`, {})).started).toBe(true);
  });
});

describe('FakeTaskCallbacks', () => {
  taskCallbacksContract(async () => new FakeTaskCallbacks());

  it('accepts one call per issued token, refuses the next as InvalidToken, and a timed-out one as TaskTimedOut', async () => {
    const callbacks = new FakeTaskCallbacks();
    const token = callbacks.issue();
    await callbacks.succeed(token, { approvedBy: 'alice' });
    await expect(callbacks.fail(token, 'PlanRejected', '{}')).rejects.toMatchObject({ name: 'InvalidToken' });
    const late = callbacks.issue();
    callbacks.timeOut(late);
    await expect(callbacks.succeed(late, {})).rejects.toMatchObject({ name: 'TaskTimedOut' });
    expect(callbacks.accepted()).toEqual([{ token, kind: 'success', output: { approvedBy: 'alice' }, accepted: true }]);
  });
});
