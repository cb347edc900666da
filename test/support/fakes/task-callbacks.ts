/**
 * The TaskCallbacks port in memory, answering as Step Functions does: a waiting task (a token `issue`d by the test,
 * as a waitForTaskToken state would) accepts one SendTaskSuccess or SendTaskFailure; a token used already or never
 * issued is refused with an error named InvalidToken, and one whose task timed out (`timeOut`) with TaskTimedOut.
 * Every call is recorded, refused ones too.
 */
import type { TaskCallbacks } from '../../../lambdas/ports/notifier';

export type TaskCallback =
  | { readonly token: string; readonly kind: 'success'; readonly output: object; readonly accepted: boolean }
  | {
      readonly token: string;
      readonly kind: 'failure';
      readonly error: string;
      readonly cause: string;
      readonly accepted: boolean;
    };

/** An error as the SDK throws it for a Step Functions error code. */
export class StepFunctionsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class FakeTaskCallbacks implements TaskCallbacks {
  readonly calls: TaskCallback[] = [];
  private readonly tokens = new Map<string, 'waiting' | 'used' | 'timed-out'>();
  private readonly failures: Error[] = [];
  private issued = 0;

  /** A task waiting for its token (what the state machine hands request-approval). */
  issue(token = `token-${++this.issued}`): string {
    this.tokens.set(token, 'waiting');
    return token;
  }

  /** The task's wait ended (its TimeoutSeconds passed): the token is refused from now on. */
  timeOut(token: string): void {
    this.tokens.set(token, 'timed-out');
  }

  /** The next call fails with this error before reaching the task (a throttle, a network error), once per error. */
  failNext(error: Error): void {
    this.failures.push(error);
  }

  /** Where the task of this token stands: undefined when it was never issued. */
  state(token: string): 'waiting' | 'used' | 'timed-out' | undefined {
    return this.tokens.get(token);
  }

  /** The calls Step Functions accepted (one at most per token). */
  accepted(): TaskCallback[] {
    return this.calls.filter((c) => c.accepted);
  }

  async succeed(taskToken: string, output: object) {
    const accepted = this.use(taskToken);
    this.calls.push({
      token: taskToken,
      kind: 'success',
      output: structuredClone(output),
      accepted: accepted === true,
    });
    if (accepted !== true) throw accepted;
  }

  async fail(taskToken: string, error: string, cause: string) {
    const accepted = this.use(taskToken);
    this.calls.push({ token: taskToken, kind: 'failure', error, cause, accepted: accepted === true });
    if (accepted !== true) throw accepted;
  }

  private use(token: string): true | Error {
    const failure = this.failures.shift();
    if (failure) return failure;
    const state = this.tokens.get(token);
    if (state === 'timed-out') return new StepFunctionsError('TaskTimedOut', 'Task Timed Out');
    if (state !== 'waiting') return new StepFunctionsError('InvalidToken', 'Invalid Token');
    this.tokens.set(token, 'used');
    return true;
  }
}
