/**
 * The WorkflowStarter port in memory, answering as StartExecution does: a name already started (whatever its input)
 * is not started again (`started: false`); a name Step Functions refuses (empty, over 80 characters, or with a
 * character it does not allow) throws an error named InvalidName.
 */
import type { WorkflowStarter } from '../../../lambdas/ports/notifier';
import { StepFunctionsError } from './task-callbacks';

export interface StartedExecution {
  readonly name: string;
  readonly input: object;
  readonly executionArn: string;
}

/** Step Functions execution names: 1 to 80 characters, none of whitespace, brackets, wildcards, special or control. */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isControl = (name: string) =>
  [...name].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f);
  });

export class FakeWorkflowStarter implements WorkflowStarter {
  readonly started: StartedExecution[] = [];
  /** Every call, started or not. */
  readonly calls: Array<{ readonly name: string; readonly started: boolean }> = [];

  constructor(readonly stateMachineArn = 'arn:aws:states:eu-west-1:000000000000:stateMachine:IrsaDoctorRemediation') {}

  async start(name: string, input: object) {
    if (name.length === 0 || name.length > 80 || INVALID_NAME.test(name) || isControl(name)) {
      throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
    }
    if (this.started.some((e) => e.name === name)) {
      this.calls.push({ name, started: false });
      return { started: false };
    }
    const executionArn = `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    this.started.push({ name, input: structuredClone(input), executionArn });
    this.calls.push({ name, started: true });
    return { started: true, executionArn };
  }

  /** The input of the execution started under this name. */
  inputOf(name: string): object | undefined {
    return this.started.find((e) => e.name === name)?.input;
  }
}
