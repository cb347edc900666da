/**
 * A real task token, waiting in the emulator's Step Functions: a one-task state machine
 * (`lambda:invoke.waitForTaskToken`) whose function hands its token to the test. `resumed` settles as the execution
 * does: with the output SendTaskSuccess gave, or rejected with the error name and cause SendTaskFailure gave (or
 * States.Timeout). For tests of the approval path without a whole sweep. close() ends the waits (rejected).
 */
import { randomUUID } from 'node:crypto';
import { EmulatorWorkflow } from '../../infra/local/emulator-workflow';
import { functionArn, stateMachineArn } from '../../infra/local/synthesized-definition';

export interface WaitingTask {
  readonly taskToken: string;
  /** The output SendTaskSuccess gave; rejected with the error (name and cause) SendTaskFailure gave. */
  readonly resumed: Promise<object>;
}

export interface TaskTokens {
  /** A fresh execution waiting on its task token (at most `timeoutSeconds`). */
  waiting(timeoutSeconds?: number): Promise<WaitingTask>;
  close(): void;
}

class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export async function taskTokens(endpoint: string): Promise<TaskTokens> {
  const prefix = `tt${randomUUID().slice(0, 8)}`;
  const handed = new Map<string, (token: string) => void>();
  let closed = false;
  const fn = { logicalId: 'hand', name: `${prefix}-hand`, arn: functionArn(`${prefix}-hand`), handler: 'hand' };
  const machine = (timeout: number) => ({
    logicalId: `Waiting${timeout}`,
    name: `${prefix}-Waiting${timeout}`,
    arn: stateMachineArn(`${prefix}-Waiting${timeout}`),
    type: 'STANDARD',
    definition: {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: fn.arn,
            Payload: { 'token.$': '$$.Task.Token', 'name.$': '$$.Execution.Name' },
          },
          TimeoutSeconds: timeout,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failed', Next: 'Failed' }],
          End: true,
        },
        Failed: { Type: 'Pass', End: true },
      },
    },
  });
  const timeouts = [60, 3600];
  const workflow = await EmulatorWorkflow.deploy({
    endpoint,
    hubId: prefix,
    workflow: {
      functions: new Map([[fn.arn, { ...fn, timeoutSeconds: 30 }]]),
      handlers: new Map([[fn.arn, fn.handler]]),
      machines: timeouts.map(machine),
    },
    handlers: {
      hand: async (event) => {
        const { token, name } = event as { token: string; name: string };
        handed.get(name)?.(token);
        return {};
      },
    },
  });
  return {
    async waiting(timeoutSeconds = 3600) {
      const timeout = timeouts.find((t) => t >= timeoutSeconds) ?? 3600;
      const name = `w-${randomUUID()}`;
      const token = new Promise<string>((resolve) => handed.set(name, resolve));
      const arn = await workflow.start(`Waiting${timeout}`, {}, name);
      const taskToken = await token;
      handed.delete(name);
      const resumed = workflow.wait(arn, { abandoned: () => closed }).then((outcome) => {
        const failed = (outcome.output as { failed?: { Error: string; Cause: string } } | undefined)?.failed;
        if (failed) throw new TaskFailure(failed.Error, failed.Cause ?? '');
        return outcome.output as object;
      });
      return { taskToken, resumed };
    },
    close: () => {
      closed = true;
      workflow.close();
    },
  };
}
