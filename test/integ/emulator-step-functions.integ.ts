/**
 * The emulator's Step Functions (emulator/launch.py patch n), through the real AWS SDK v3: executions run by moto's
 * own interpreter, Lambda tasks forwarded to handlers in this process (the local runtime's dispatcher), errors caught
 * by name, task tokens resumed by SendTaskSuccess/SendTaskFailure with their cause, history paged, unnamed starts.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { EmulatorWorkflow, statesEntered } from '../../infra/local/emulator-workflow';
import { functionArn, type SynthesizedWorkflow, stateMachineArn } from '../../infra/local/synthesized-definition';
import { budgetFor } from './budget';
import { endpointUrl, useEmulatorCredentials } from './emulator-env';

class PlanRejected extends Error {
  override readonly name = 'PlanRejected';
}

const endpoint = endpointUrl();
const client = { endpoint, region: 'us-east-1' };
const sfn = new SFNClient(client);
const tokens: string[] = [];
let workflow: EmulatorWorkflow;
let prefix: string;

/** One function per step below, and three machines: a chain of tasks, a catch by name, a task-token wait. */
function testWorkflow(p: string): SynthesizedWorkflow {
  const fn = (step: string) => ({
    logicalId: step,
    name: `${p}-${step}`,
    arn: functionArn(`${p}-${step}`),
    handler: step,
    timeoutSeconds: 30,
  });
  const functions = ['double', 'reject', 'remember-token'].map(fn);
  const task = (step: string, extra: object = {}) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn(`${p}-${step}`), 'Payload.$': '$' },
    OutputPath: '$.Payload',
    ...extra,
  });
  const machine = (logicalId: string, definition: object) => ({
    logicalId,
    name: `${p}-${logicalId}`,
    arn: stateMachineArn(`${p}-${logicalId}`),
    definition: definition as Record<string, unknown>,
    type: 'STANDARD',
  });
  const chain: Record<string, object> = {};
  for (let i = 0; i < 30; i++)
    chain[`Double ${i}`] = task('double', i < 29 ? { Next: `Double ${i + 1}` } : { End: true });
  return {
    functions: new Map(functions.map((f) => [f.arn, f])),
    handlers: new Map(functions.map((f) => [f.arn, f.handler])),
    machines: [
      machine('Chain', { StartAt: 'Double 0', States: chain }),
      machine('Catching', {
        StartAt: 'Reject',
        States: {
          Reject: task('reject', {
            Catch: [{ ErrorEquals: ['PlanRejected'], ResultPath: '$.error', Next: 'Rejected' }],
            End: true,
          }),
          Rejected: { Type: 'Pass', End: true },
        },
      }),
      machine('Waiting', {
        StartAt: 'Wait For Token',
        States: {
          'Wait For Token': {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: functionArn(`${p}-remember-token`), Payload: { 'token.$': '$$.Task.Token' } },
            TimeoutSeconds: 300,
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed Over' }],
            End: true,
          },
          'Failed Over': { Type: 'Pass', End: true },
        },
      }),
    ],
  };
}

beforeAll(
  async () => {
    useEmulatorCredentials();
    prefix = `sf${randomUUID().slice(0, 8)}`;
    workflow = await EmulatorWorkflow.deploy({
      endpoint,
      workflow: testWorkflow(prefix),
      hubId: prefix,
      handlers: {
        double: async (event) => ({ n: ((event as { n?: number }).n ?? 1) * 2 }),
        reject: async () => {
          throw new PlanRejected('rejected by alice: not now');
        },
        'remember-token': async (event) => {
          tokens.push((event as { token: string }).token);
          return {};
        },
      },
    });
  },
  budgetFor({ calls: 20 }),
);

afterAll(() => workflow?.close());

/** The count-th token handed to the test; gives up after a minute (so a failed test does not keep jest alive). */
async function tokenOf(count: number): Promise<string> {
  for (let waited = 0; tokens.length < count; waited += 50) {
    if (waited > 60_000) throw new Error(`no task token #${count} within a minute (${tokens.length} handed)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return tokens[count - 1] as string;
}

describe('Step Functions in the emulator (launch.py patch n)', () => {
  it('runs Lambda tasks through the dispatcher: thirty in a row, each seeing the last one output', async () => {
    const run = await workflow.run('Chain', { n: 1 }, `chain-${randomUUID()}`);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ n: 2 ** 30 });
    expect(statesEntered(run.events)).toHaveLength(30);
  });

  it('a direct Invoke reaches the handler too', async () => {
    const out = await new LambdaClient(client).send(
      new InvokeCommand({ FunctionName: `${prefix}-double`, Payload: Buffer.from(JSON.stringify({ n: 21 })) }),
    );
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'))).toEqual({ n: 42 });
  });

  it('a thrown error is caught by its name, with its message as the cause', async () => {
    const run = await workflow.run('Catching', {}, `catch-${randomUUID()}`);
    expect(run.status).toBe('SUCCEEDED');
    const error = (run.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('PlanRejected');
    expect(JSON.parse(error.Cause)).toMatchObject({
      errorType: 'PlanRejected',
      errorMessage: 'rejected by alice: not now',
    });
  });

  it('SendTaskSuccess resumes a waiting task with its output; SendTaskFailure keeps error and cause', async () => {
    // (counted before the start: the token may be handed over before StartExecution answers)
    const handed = tokens.length;
    const approved = await workflow.start('Waiting', {}, `ok-${randomUUID()}`);
    const approvedToken = await tokenOf(handed + 1);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: approvedToken, output: JSON.stringify({ by: 'alice' }) }));
    expect((await workflow.wait(approved)).output).toEqual({ by: 'alice' });

    const rejected = await workflow.start('Waiting', {}, `no-${randomUUID()}`);
    const rejectedToken = await tokenOf(handed + 2);
    await sfn.send(
      new SendTaskFailureCommand({
        taskToken: rejectedToken,
        error: 'PlanRejected',
        cause: 'rejected by bob: too wide',
      }),
    );
    const outcome = await workflow.wait(rejected);
    expect((outcome.output as { error: unknown }).error).toEqual({
      Error: 'PlanRejected',
      Cause: 'rejected by bob: too wide',
    });
    // A token used once is not accepted again
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: approvedToken, output: '{}' })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/InvalidToken|TaskTimedOut/) });
  });

  it('GetExecutionHistory pages forwards and backwards, and the pages make up the history', async () => {
    const run = await workflow.run('Chain', { n: 1 }, `pages-${randomUUID()}`);
    expect(run.events.length).toBeGreaterThan(100);
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: run.executionArn, maxResults: 40, nextToken }),
      );
      pages.push(page.events ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages.every((p) => p.length <= 40)).toBe(true);
    expect(pages.flat().map((e) => e.id)).toEqual(run.events.map((e) => e.id));
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn: run.executionArn }));
    expect(first.events).toHaveLength(100);
    const last = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: run.executionArn, reverseOrder: true, maxResults: 1 }),
    );
    expect(last.events?.[0]?.type).toBe('ExecutionSucceeded');
  });

  it('StartExecution without a name gets a unique one', async () => {
    const arn = workflow.machine('Chain').arn;
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":1}' }));
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"n":1}' }));
    expect(a.executionArn).not.toEqual(b.executionArn);
    expect(a.executionArn).toMatch(/:[0-9a-f-]{36}$/);
    expect((await workflow.wait(a.executionArn as string)).status).toBe('SUCCEEDED');
    expect((await workflow.wait(b.executionArn as string)).status).toBe('SUCCEEDED');
  });
});
