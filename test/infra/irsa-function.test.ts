import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { HANDLER_ENV_VAR, IrsaFunction, type IrsaFunctionProps } from '../../infra/constructs/irsa-function';
import { HUB_ENV, roleStatements, testApp, text } from './helpers';

function synth(props: Partial<IrsaFunctionProps> = {}, withRole = false) {
  const stack = new Stack(testApp(), 'Functions', { env: HUB_ENV });
  const role = withRole
    ? new iam.Role(stack, 'Shared', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })
    : undefined;
  const fn = new IrsaFunction(stack, 'Report', {
    handler: 'report',
    file: 'workflow-step',
    ...(role ? { role } : {}),
    ...props,
  });
  return { stack, fn, role, template: Template.fromStack(stack) };
}

describe('IrsaFunction', () => {
  it('merges given variables with the defaults and always names the handler', () => {
    // Given a function with variables of its own, one overriding a default
    const { template } = synth({ environment: { STATE_TABLE: 't', POWERTOOLS_SERVICE_NAME: 'custom' } });

    // When synthesized
    // Then the defaults stay, the given values win, and IRSA_DOCTOR_HANDLER is the handler name
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 1024,
      Timeout: 300,
      Environment: {
        Variables: {
          STATE_TABLE: 't',
          POWERTOOLS_SERVICE_NAME: 'custom',
          NODE_OPTIONS: '--enable-source-maps',
          [HANDLER_ENV_VAR]: 'report',
        },
      },
    });
  });

  it('makes its own role with only its log group and X-Ray, and no managed policy', () => {
    // Given a function without a role
    const { template, fn } = synth();

    // When its role's permissions are read
    const roleId = text(
      (
        template.toJSON().Resources[fn.stack.getLogicalId(fn.node.defaultChild as never)] as {
          Properties: { Role: unknown };
        }
      ).Properties.Role,
    ).replace(/^<|\.Arn>$/g, '');
    const { statements, managedPolicyArns } = roleStatements(template, roleId);

    // Then it writes its own log group (kept a year) and traces, nothing else
    expect(managedPolicyArns).toEqual([]);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^ReportLogGroup') } },
    });
  });

  it('runs as a given role, adding its log group to it', () => {
    // Given a shared role
    const { template, role, stack } = synth({}, true);

    // When synthesized
    // Then the function uses it and no other role is made
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: { 'Fn::GetAtt': [stack.getLogicalId((role as iam.Role).node.defaultChild as never), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })]),
      },
    });
  });

  it('runs the file it is given, naming its step in IRSA_DOCTOR_HANDLER', () => {
    // Given a workflow step's function: the generic handler file, the step's name
    const { fn, template } = synth({ handler: 'apply-plan', file: 'workflow-step' });

    // When its variable and entry are read
    // Then the variable names the step, and the entry is the generic handler (a step has no file of its own)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [HANDLER_ENV_VAR]: 'apply-plan' }) },
    });
    expect(fn.handlerName).toBe('apply-plan');
    expect(IrsaFunction.entryFor('workflow-step')).toMatch(/lambdas\/handlers\/workflow-step\.ts$/);
    expect(() => IrsaFunction.entryFor('apply-plan')).toThrow(/has no file/);
  });

  it.each<[string, Partial<IrsaFunctionProps>, RegExp]>([
    ['a handler name that is not kebab-case', { handler: 'StartRun' }, /kebab-case/],
    [
      'a handler without a file',
      { handler: 'no-such-handler', file: undefined },
      /lambdas\/handlers\/no-such-handler\.ts/,
    ],
    ['a handler file that is not kebab-case', { file: 'WorkflowStep' }, /kebab-case/],
    ['a handler variable of its own', { environment: { [HANDLER_ENV_VAR]: 'x' } }, /IRSA_DOCTOR_HANDLER/],
    ['less than 128 MB', { memorySize: 64 }, /memorySize/],
    ['a timeout over 15 minutes', { timeout: Duration.minutes(16) }, /timeout/],
  ])('fails when given %s', (_case, props, message) => {
    // Given bad props
    // When the function is made
    // Then it refuses with a message naming the problem
    expect(() => synth(props)).toThrow(message);
  });
});
