/**
 * What both state machines share: the functions of their steps (from the step registry), checked complete, and the
 * one way a Lambda task state is written (payload only, result path, service-exception retries).
 */
import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type StateMachineName, stepsOf, type WorkflowStepName } from '../../lambdas/workflow/steps';

/** The function of each step of a state machine (the registry's steps whose `machine` it is). */
export type StepFunctions = Readonly<Partial<Record<WorkflowStepName, IFunction>>>;

/** The function of every step of `machine`; throws naming the missing ones. */
export function requireStepFunctions(
  machine: StateMachineName,
  functions: StepFunctions,
): { fn: (step: WorkflowStepName) => IFunction; invoked: ReadonlySet<IFunction> } {
  const missing = stepsOf(machine)
    .map((s) => s.name)
    .filter((name) => functions[name] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `the ${machine} state machine needs a function for each of its steps; missing: ${missing.join(', ')}`,
    );
  }
  const own = new Set(stepsOf(machine).map((s) => s.name));
  const invoked = new Set<IFunction>();
  const fn = (step: WorkflowStepName) => {
    const found = functions[step];
    if (!own.has(step) || !found) throw new Error(`step ${step} is not a step of the ${machine} state machine`);
    invoked.add(found);
    return found;
  };
  return { fn, invoked };
}

/**
 * A Lambda task named `name` invoking `fn` with `payload`; its result at `resultPath` ('$' replaces the input, and is
 * written by leaving ResultPath out). Lambda's own service errors are retried; the step's errors are the caller's.
 */
export function invokeStep(
  scope: Construct,
  name: string,
  fn: IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, name, {
    stateName: name,
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    ...(resultPath === '$' ? {} : { resultPath }),
    retryOnServiceExceptions: true,
  });
}

/** A Pass state whose output is `{}`: the end of a Distributed Map item, so the Map's result stays tiny. */
export function emptyEnd(scope: Construct, name: string): sfn.Pass {
  return new sfn.Pass(scope, name, { stateName: name, result: sfn.Result.fromObject({}) });
}

/** A whole number from 1 to `max`, or a clear error naming the prop. */
export function checkWhole(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number from 1 to ${max}, got ${value}`);
  }
  return value;
}

/**
 * The wildcards CDK's grants give a state machine's role, acknowledged on the machine with their reasons: logs
 * delivery and X-Ray ("*"), and each invoked function's versions and aliases (":*").
 */
export function acknowledgeMachineGrants(machine: sfn.StateMachine, invoked: Iterable<IFunction>): void {
  const stack = Stack.of(machine);
  Validations.of(machine).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource "*" only for the CloudWatch Logs delivery actions (logs:CreateLogDelivery and the like) and X-Ray ' +
        'tracing, which Step Functions requires and which have no resource-level permissions.',
    },
    ...[...invoked].map((fn) => ({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnResource)}.Arn>:*]`,
      reason: `lambda:InvokeFunction on the versions and aliases of ${fn.node.id} only (ARN suffix ":*"), as the LambdaInvoke task grants.`,
    })),
  );
}
