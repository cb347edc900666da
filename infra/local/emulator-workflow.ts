/**
 * The local runtime: the hub's synthesized state machines created in the emulator and run by its own Step
 * Functions interpreter (emulator/launch.py patch n), through the real API: CreateStateMachine, StartExecution,
 * DescribeExecution, GetExecutionHistory, and SendTaskSuccess/SendTaskFailure from the approval path. Each Lambda
 * function the machines call is created in the emulator's Lambda (a tiny zip, the hub's role) with
 * IRSA_DOCTOR_HANDLER and IRSA_DOCTOR_DISPATCH_URL in its environment: the launcher forwards its invocations to the
 * dispatcher in this process (lambda-dispatcher.ts), which runs the real handler over the local hub's dependencies.
 * Generic over any number of state machines.
 */
import { CreateRoleCommand, GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type LambdaDispatcher, type StepHandler, sharedDispatcher } from './lambda-dispatcher';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type SynthesizedMachine,
  type SynthesizedWorkflow,
} from './synthesized-definition';

export type { HistoryEvent } from '@aws-sdk/client-sfn';

/** An empty zip archive (its end-of-central-directory record): the emulator's Lambda only stores the code. */
const EMPTY_ZIP = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
const DISPATCH_VARIABLE = 'IRSA_DOCTOR_DISPATCH_URL';

export interface ExecutionOutcome {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  /** Parsed output of a SUCCEEDED execution. */
  readonly output: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface ExecutionRun extends ExecutionOutcome {
  /** The execution's whole history (GetExecutionHistory, paged). */
  readonly events: HistoryEvent[];
  /** State transitions (states entered), as Step Functions bills them. */
  readonly transitions: number;
}

export interface WaitOptions {
  /** Between DescribeExecution calls (default 100 ms). */
  readonly pollMs?: number;
  /** Stop waiting (an error) when this says so: a closing test, an interrupted demo. */
  readonly abandoned?: () => boolean;
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The names of the states a history entered, in order. */
export function statesEntered(events: readonly HistoryEvent[]): string[] {
  return events.filter((e) => e.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name ?? '');
}

export class EmulatorWorkflow {
  private constructor(
    readonly workflow: SynthesizedWorkflow,
    private readonly sfn: SFNClient,
    private readonly dispatcher: LambdaDispatcher,
    private readonly hubId: string,
  ) {}

  /**
   * Creates the workflow's functions and state machines in the emulator; the functions' invocations run
   * `handlers`, step name -> handler (the real ones: stepHandlers over the hub's deps, infra/local/step-handlers.ts).
   */
  static async deploy(options: {
    readonly endpoint: string;
    readonly workflow: SynthesizedWorkflow;
    /** Unique per local hub (its resource prefix). */
    readonly hubId: string;
    readonly handlers: Readonly<Record<string, StepHandler>>;
  }): Promise<EmulatorWorkflow> {
    const client = { endpoint: options.endpoint, region: LOCAL_REGION };
    const dispatcher = await sharedDispatcher();
    const handlers = options.handlers;
    const base = dispatcher.register(options.hubId, handlers);
    const roleArn = await executionRole(new IAMClient(client));
    const lambda = new LambdaClient(client);
    for (const fn of options.workflow.functions.values()) {
      if (!handlers[fn.handler]) continue; // a function no local step runs (none today): left out, so a call fails
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn.name,
          Runtime: 'nodejs22.x',
          Handler: 'index.handler',
          Role: roleArn,
          Code: { ZipFile: EMPTY_ZIP },
          Timeout: fn.timeoutSeconds,
          Environment: {
            Variables: { IRSA_DOCTOR_HANDLER: fn.handler, [DISPATCH_VARIABLE]: `${base}/${fn.handler}` },
          },
        }),
      );
    }
    const sfn = new SFNClient({ ...client, maxAttempts: 8 });
    for (const machine of options.workflow.machines) {
      await sfn.send(
        new CreateStateMachineCommand({
          name: machine.name,
          definition: JSON.stringify(machine.definition),
          roleArn,
          type: machine.type === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        }),
      );
    }
    return new EmulatorWorkflow(options.workflow, sfn, dispatcher, options.hubId);
  }

  /** Whether the workflow has a state machine whose logical id or template name contains `name`. */
  has(name: string): boolean {
    return this.named(name).length > 0;
  }

  private named(name: string): SynthesizedMachine[] {
    return this.workflow.machines.filter(
      (m) => m.logicalId.includes(name) || Boolean(m.stateMachineName?.includes(name)),
    );
  }

  /** The state machine whose logical id or template name contains `name` (exactly one). */
  machine(name: string): SynthesizedMachine {
    const found = this.named(name);
    if (found.length !== 1) {
      throw new Error(
        `expected one state machine named like "${name}", found ${found.length} of ${this.workflow.machines
          .map((m) => m.logicalId)
          .join(', ')}`,
      );
    }
    return found[0] as SynthesizedMachine;
  }

  /** Invocations the dispatcher has answered (every hub of this process). */
  get invocations(): number {
    return this.dispatcher.invocations;
  }

  /** StartExecution; returns the execution's ARN. */
  async start(machine: string, input: object, name?: string): Promise<string> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.machine(machine).arn,
        input: JSON.stringify(input),
        ...(name ? { name } : {}),
      }),
    );
    if (!out.executionArn) throw new Error('StartExecution answered without an execution ARN');
    return out.executionArn;
  }

  /** DescribeExecution until the execution ends. */
  async wait(executionArn: string, options: WaitOptions = {}): Promise<ExecutionOutcome> {
    for (;;) {
      const out = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status && TERMINAL_STATUSES.has(out.status)) return outcomeOf(executionArn, out);
      if (options.abandoned?.()) throw new Error(`stopped waiting for ${executionArn}: abandoned`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    }
  }

  /** The whole history of an execution, page by page (1,000 events a page). */
  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /** The executions of a machine (ListExecutions, paged), optionally only those with a status. */
  async executions(
    machine: string,
    statusFilter?: 'RUNNING',
  ): Promise<{ name: string; arn: string; status: string }[]> {
    const out: { name: string; arn: string; status: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: this.machine(machine).arn,
          maxResults: 1000,
          nextToken,
          ...(statusFilter ? { statusFilter } : {}),
        }),
      );
      for (const e of page.executions ?? []) {
        out.push({ name: e.name ?? '', arn: e.executionArn ?? '', status: e.status ?? '' });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }

  /**
   * Waits until no execution of `machine` whose name `belongs` is running (an execution started by another one, as
   * Release Dependents starts dependents, exists before its starter ends), and returns them all.
   */
  async settle(
    machine: string,
    belongs: () => Promise<(name: string) => boolean>,
    options: WaitOptions = {},
  ): Promise<{ name: string; arn: string; status: string }[]> {
    for (;;) {
      const test = await belongs();
      const mine = (await this.executions(machine)).filter((e) => test(e.name));
      if (mine.every((e) => TERMINAL_STATUSES.has(e.status))) return mine;
      if (options.abandoned?.()) throw new Error(`stopped waiting for the executions of ${machine}: abandoned`);
      await new Promise((r) => setTimeout(r, options.pollMs ?? 250));
    }
  }

  /** The Distributed Map runs of an execution (ListMapRuns, DescribeMapRun): each one's item counts. */
  async mapRuns(executionArn: string): Promise<{ mapRunArn: string; status: string; items: number; failed: number }[]> {
    const listed = await this.sfn.send(new ListMapRunsCommand({ executionArn }));
    const out: { mapRunArn: string; status: string; items: number; failed: number }[] = [];
    for (const run of listed.mapRuns ?? []) {
      const d = await this.sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
      out.push({
        mapRunArn: run.mapRunArn ?? '',
        status: d.status ?? '',
        items: d.itemCounts?.total ?? 0,
        failed: d.itemCounts?.failed ?? 0,
      });
    }
    return out;
  }

  /** Starts an execution, waits for it to end and reads its history. */
  async run(machine: string, input: object, name?: string, options: WaitOptions = {}): Promise<ExecutionRun> {
    const arn = await this.start(machine, input, name);
    const outcome = await this.wait(arn, options);
    const events = await this.history(arn);
    return { ...outcome, events, transitions: statesEntered(events).length };
  }

  /** The dispatcher stops answering for this hub (its executions' next Lambda tasks fail). */
  close(): void {
    this.dispatcher.unregister(this.hubId);
  }
}

function outcomeOf(executionArn: string, out: DescribeExecutionCommandOutput): ExecutionOutcome {
  return {
    executionArn,
    name: out.name ?? '',
    status: out.status ?? '',
    output: out.output ? JSON.parse(out.output) : undefined,
    ...(out.error ? { error: out.error } : {}),
    ...(out.cause ? { cause: out.cause } : {}),
  };
}

/** The role the functions and state machines are created with (the emulator only checks that it exists). */
async function executionRole(iam: IAMClient): Promise<string> {
  const RoleName = 'IrsaDoctorLocalRuntime';
  try {
    const out = await iam.send(new GetRoleCommand({ RoleName }));
    if (out.Role?.Arn) return out.Role.Arn;
  } catch (err) {
    if (!(err instanceof NoSuchEntityException)) throw err;
  }
  try {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: ['lambda.amazonaws.com', 'states.amazonaws.com'] },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    return out.Role?.Arn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:role/${RoleName}`;
  } catch (err) {
    // Another hub of the same run created it meanwhile.
    if ((err as { name?: string }).name === 'EntityAlreadyExistsException') {
      return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${RoleName}`;
    }
    throw err;
  }
}
