import { Duration } from 'aws-cdk-lib';
import {
  REMEDIATION_STATE_MACHINE_NAME,
  REMEDIATION_TIMEOUT_MARGIN,
  RemediationStateMachine,
} from '../../infra/constructs/remediation-state-machine';
import { invokedFunction, nagViolations, renderDefinition, text } from './helpers';
import { machineTestStack, stepsByArn, Template } from './machine-test-stack';

type State = Record<string, unknown>;
const APPROVAL_TIMEOUT = Duration.hours(36);

function synth(approvalTimeout: Duration = APPROVAL_TIMEOUT) {
  const { stack, functions } = machineTestStack();
  const remediation = new RemediationStateMachine(stack, 'Remediation', { functions, approvalTimeout });
  const template = Template.fromStack(stack);
  return { stack, remediation, template, definition: renderDefinition(template) };
}

/** Every state a state can go to next: Next, each Choice and Default, each Catch. */
function successors(state: State): string[] {
  return [
    ...(state.Next ? [state.Next as string] : []),
    ...((state.Choices as State[] | undefined) ?? []).map((c) => c.Next as string),
    ...(state.Default ? [state.Default as string] : []),
    ...((state.Catch as State[] | undefined) ?? []).map((c) => c.Next as string),
  ];
}

/** Every path from StartAt to a state with no successor (Succeed, Fail, End), as state names. */
function terminalPaths(states: Record<string, State>, start: string): string[][] {
  const paths: string[][] = [];
  const walk = (name: string, path: string[]) => {
    if (path.includes(name)) throw new Error(`cycle through ${name}`);
    const next = successors(states[name] ?? {});
    if (next.length === 0) paths.push([...path, name]);
    for (const n of new Set(next)) walk(n, [...path, name]);
  };
  walk(start, []);
  return paths;
}

describe('RemediationStateMachine', () => {
  const { stack, remediation, template, definition } = synth();
  const states = definition.States as Record<string, State>;
  const step = (s: State | undefined) => stepsByArn(template).get(invokedFunction(s ?? {}));

  it('sends every path to an end through Release Dependents, and ends only in Plan Done or Release Failed', () => {
    // Given every path from Prepare Plan to a state with no way out
    const paths = terminalPaths(states, definition.StartAt as string);

    // When each path's end and its states are read
    const ends = new Set(paths.map((p) => p.at(-1)));

    // Then there are many (one per outcome), each passes Release Dependents right before its end
    expect(definition.StartAt).toBe('Prepare Plan');
    expect(paths.length).toBeGreaterThanOrEqual(10);
    expect([...ends].sort()).toEqual(['Plan Done', 'Release Failed']);
    for (const path of paths) expect(path.at(-2)).toBe('Release Dependents');
    expect(states['Release Failed']).toMatchObject({ Type: 'Fail', Error: 'ReleaseFailed' });
  });

  it('records every outcome, each by the state that catches it, by error name', () => {
    // Given the catches of the steps that can fail
    const catches = (name: string) =>
      ((states[name]?.Catch as State[]) ?? []).map((c) => ({
        errors: c.ErrorEquals,
        outcome: (states[c.Next as string]?.Parameters as State | undefined)?.outcome,
      }));

    // When read
    // Then the rejection, the timeout and drift are caught by name before the catch-all, each recorded as itself
    expect(catches('Wait For Approval')).toEqual([
      { errors: ['PlanRejected'], outcome: 'rejected' },
      { errors: ['States.Timeout'], outcome: 'timed-out' },
      { errors: ['States.ALL'], outcome: 'failed' },
    ]);
    expect(catches('Apply Plan')).toEqual([
      { errors: ['StalePlanError', 'ConcurrentEditError'], outcome: 'drift' },
      { errors: ['States.ALL'], outcome: 'failed' },
    ]);
    expect(catches('Verify Plan')).toEqual([{ errors: ['States.ALL'], outcome: 'verify-failed' }]);
    expect(catches('Prepare Plan')).toEqual([{ errors: ['States.ALL'], outcome: 'failed' }]);
    // and the plain outcomes: skipped by the route, dry-run after an approval
    const outcomeOf = (name: unknown) => (states[name as string]?.Parameters as State | undefined)?.outcome;
    expect(outcomeOf(states['Route Plan']?.Default)).toBe('skipped');
    const dryRun = (states['Dry Run?'] as { Choices: State[] }).Choices[0] as State;
    expect(dryRun).toMatchObject({ Variable: '$.dryRun', BooleanEquals: true });
    expect(outcomeOf(dryRun.Next)).toBe('dry-run');
  });

  it('invokes each remediation step from its states, and records outcomes with the error that caused them', () => {
    // Given the Lambda tasks
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

    // When each is mapped to its step
    const byState = Object.fromEntries(tasks.map(([n, s]) => [n, step(s)]));

    // Then the named steps are where they should be, and every Record state is record-outcome
    expect(byState).toMatchObject({
      'Prepare Plan': 'prepare-plan',
      'Wait For Approval': 'request-approval',
      'Apply Plan': 'apply-plan',
      'Verify Plan': 'verify-plan',
      'Release Dependents': 'release-dependents',
    });
    const records = Object.keys(byState).filter((n) => n.startsWith('Record '));
    expect(records.length).toBe(9);
    for (const r of records) {
      expect([r, byState[r]]).toEqual([r, 'record-outcome']);
      // (caught failures carry their error; a record that fails still releases the dependents)
      const params = states[r]?.Parameters as State;
      if (!['skipped', 'dry-run'].includes(params.outcome as string)) expect(params['error.$']).toBe('$.error');
      expect(states[r]?.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Release Dependents' },
      ]);
    }
  });

  it('waits for its own approval with a task token, and times the whole execution out after a margin', () => {
    // Given the approval state and the definition
    const wait = states['Wait For Approval'] as State;

    // When read
    // Then the wait ends after the approval timeout; the execution after that plus the margin (6 h)
    expect(text(wait.Resource)).toBe('arn:<AWS::Partition>:states:::lambda:invoke.waitForTaskToken');
    expect((wait.Parameters as { Payload: State }).Payload).toEqual({
      'taskToken.$': '$$.Task.Token',
      'runId.$': '$.runId',
      'planId.$': '$.planId',
    });
    expect(wait.TimeoutSeconds).toBe(APPROVAL_TIMEOUT.toSeconds());
    expect(definition.TimeoutSeconds).toBe(APPROVAL_TIMEOUT.toSeconds() + REMEDIATION_TIMEOUT_MARGIN.toSeconds());
    expect(remediation.timeout.toSeconds()).toBe(definition.TimeoutSeconds);
  });

  it('retries Release Dependents (starting a dependent is idempotent) before failing visibly', () => {
    // Given Release Dependents
    const release = states['Release Dependents'] as { Retry: State[]; Catch: State[]; Next: string };

    // When its retries and catch are read
    // Then a catch-all retry comes last, and only then the Fail state
    expect(release.Retry.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 2 });
    expect(release.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Release Failed' }]);
    expect(release.Next).toBe('Plan Done');
  });

  it('is named, so the ARN its steps start executions of is known without a circular reference', () => {
    // Given the state machine resource and the ARN the construct hands out
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { StateMachineName: string };
    };

    // When compared
    // Then the ARN names the machine's fixed name, in the stack's account and region
    expect(machine.Properties.StateMachineName).toBe(REMEDIATION_STATE_MACHINE_NAME);
    expect(text(stack.resolve(remediation.stateMachineArn))).toBe(
      `arn:<AWS::Partition>:states:eu-west-1:111122223333:stateMachine:${REMEDIATION_STATE_MACHINE_NAME}`,
    );
  });
});

describe('RemediationStateMachine under cdk-nag', () => {
  it('leaves nothing to report on the state machine and its role (its wildcards acknowledged on it)', () => {
    // Given the AwsSolutions findings of the stack (whose stand-in functions are not the project's)
    const { stack } = synth();
    // When those under the construct are kept
    const own = nagViolations(stack).filter((v) => v.paths.some((p) => p.startsWith('Machines/Remediation/')));

    // Then there are none
    expect(own).toEqual([]);
  });
});

describe('RemediationStateMachine props', () => {
  it.each([
    ['no approval time at all', Duration.seconds(0)],
    ['an approval timeout that leaves no margin within a year', Duration.days(365)],
    ['a fractional number of seconds', Duration.millis(1500)],
  ])('fails when given %s', (_case, approvalTimeout) => {
    // Given a bad approval timeout
    // When the construct is made
    // Then it refuses, naming the prop and the limit
    expect(() => synth(approvalTimeout)).toThrow(/approvalTimeout must be a whole number of seconds from 1 second/);
  });

  it('accepts the longest approval timeout the configuration allows (364 days)', () => {
    // Given 364 days
    // When made
    // Then the execution's timeout is within Step Functions' year
    const { definition } = synth(Duration.days(364));
    expect(definition.TimeoutSeconds).toBeLessThanOrEqual(365 * 24 * 3600);
  });
});
