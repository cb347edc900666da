/**
 * A stack holding one stand-in function per workflow step (named by its step), for testing a state machine construct
 * on its own: each task's function can be read back as the step it stands for.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WORKFLOW_STEPS, type WorkflowStepName } from '../../lambdas/workflow/steps';
import { HUB_ENV, resourcesOf, testApp } from './helpers';

export function machineTestStack() {
  const stack = new Stack(testApp(), 'Machines', { env: HUB_ENV });
  const functions: Partial<Record<WorkflowStepName, lambda.Function>> = {};
  for (const step of WORKFLOW_STEPS) {
    functions[step.name] = new lambda.Function(stack, `Step-${step.name}`, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
  }
  const bucket = new s3.Bucket(stack, 'Snapshots');
  return { stack, functions, bucket };
}

/** The step each stand-in function's logical id stands for: <LogicalId.Arn> -> step name. */
export function stepsByArn(template: Template): Map<string, string> {
  const found = new Map<string, string>();
  for (const [id, r] of Object.entries(resourcesOf(template))) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const step = WORKFLOW_STEPS.find((s) => id.startsWith(`Step${s.name.replace(/-/g, '')}`));
    if (step) found.set(`<${id}.Arn>`, step.name);
  }
  return found;
}

export { Template };
