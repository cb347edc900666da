/**
 * Runs the synthesized state machine with aws-local-stepfunctions (a real ASL interpreter), its Lambda tasks
 * calling the real handlers in-process with the given dependencies (the emulator's AWS endpoints). The one thing
 * the interpreter lacks is task tokens: the runner gives each `.waitForTaskToken` task a fresh token and holds it
 * until LocalTaskCallbacks (the TaskCallbacks port, as SendTaskSuccess/SendTaskFailure would) resolves it.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';

/** One entry of the interpreter's event log (its type is not exported). */
type EventLog = { readonly type: string; readonly [key: string]: unknown };

import type { TaskCallbacks } from '../../lambdas/ports/notifier';
import type { WorkflowDeps } from '../../lambdas/workflow/deps';
import { stepHandlers } from './step-handlers';
import type { SynthesizedWorkflow } from './synthesized-definition';

class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** Task tokens of the local run; `succeed`/`fail` resume the task waiting on the token. */
export class LocalTaskCallbacks implements TaskCallbacks {
  private readonly waiting = new Map<string, { resolve: (v: object) => void; reject: (e: Error) => void }>();

  wait(token: string): Promise<object> {
    return new Promise((resolve, reject) => this.waiting.set(token, { resolve, reject }));
  }

  async succeed(taskToken: string, output: object) {
    const w = this.take(taskToken);
    w.resolve(output);
  }

  async fail(taskToken: string, error: string, cause: string) {
    const w = this.take(taskToken);
    w.reject(new TaskFailure(error, cause));
  }

  private take(token: string) {
    const w = this.waiting.get(token);
    // As Step Functions answers for a token it does not know (or a task that timed out)
    if (!w) throw new TaskFailure('TaskTimedOut', 'Task Timed Out: the task token is not (or no longer) valid');
    this.waiting.delete(token);
    return w;
  }
}

export interface LocalRunOptions {
  readonly workflow: SynthesizedWorkflow;
  readonly deps: WorkflowDeps;
  readonly callbacks: LocalTaskCallbacks;
  readonly input: object;
  readonly executionName?: string;
  /** Milliseconds for named Wait states (instead of their seconds). */
  readonly waitTimeOverrides?: Record<string, number>;
}

export interface LocalRunResult {
  readonly output: unknown;
  readonly events: EventLog[];
  /** State transitions (states entered), as Step Functions bills them. */
  readonly transitions: number;
}

type State = {
  Type?: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ItemProcessor?: { States: Record<string, State> };
  Iterator?: { States: Record<string, State> };
};

function* taskStates(states: Record<string, State>): Generator<[string, State]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) yield* taskStates(inner.States);
  }
}

export async function runLocalWorkflow(options: LocalRunOptions): Promise<LocalRunResult> {
  const { workflow, deps, callbacks } = options;
  const handlers = stepHandlers(() => deps);
  const local: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, state] of taskStates(workflow.definition.States as Record<string, State>)) {
    const resource = state.Resource ?? '';
    if (resource.endsWith(':lambda:invoke.waitForTaskToken')) {
      const fn = state.Parameters?.FunctionName as string;
      const step = handlers[workflow.handlers.get(fn) ?? ''];
      if (!step) throw new Error(`task "${name}": no local handler for ${fn}`);
      local[name] = async (input: never) => {
        const payload = { ...((input as { Payload?: object }).Payload ?? {}), taskToken: randomUUID() };
        const result = callbacks.wait(payload.taskToken);
        await step(payload);
        return result;
      };
    } else {
      const step = handlers[workflow.handlers.get(resource) ?? ''];
      if (!step) throw new Error(`task "${name}": no local handler for ${resource}`);
      local[name] = async (input: never) => step(input);
    }
  }
  const machine = new StateMachine(workflow.definition as never, { validationOptions: { checkArn: false } });
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: local as never,
      ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
      retryIntervalOverrides: {},
    },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:123456789012:execution:IrsaDoctor:${executionName}`,
        Name: executionName,
      },
      Task: { Token: 'replaced-per-task-by-the-local-runner' },
    } as never,
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const e of execution.eventLogs) events.push(e as unknown as EventLog);
  })();
  const output = await execution.result;
  await collecting;
  return { output, events, transitions: events.filter((e) => e.type === 'StateEntered').length };
}
