import { synthesizedWorkflow } from '../../../../infra/local/synthesized-definition';

const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });

/** A template shaped as CDK synthesizes the hub: two machines, one with a fixed name another's step starts. */
const template = {
  Resources: {
    StartRunFn: {
      Type: 'AWS::Lambda::Function',
      Properties: { Timeout: 60, Environment: { Variables: { IRSA_DOCTOR_HANDLER: 'start-run' } } },
    },
    AnalyzeFn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Environment: {
          Variables: {
            IRSA_DOCTOR_HANDLER: 'analyze-account',
            REMEDIATION_STATE_MACHINE_ARN: join(
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':stateMachine:IrsaDoctorRemediation',
            ),
          },
        },
      },
    },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Sweep: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: 'IrsaDoctorSweep',
        DefinitionString: join(
          '{"StartAt":"Start Run","States":{"Start Run":{"Type":"Task","Resource":"',
          { 'Fn::GetAtt': ['StartRunFn', 'Arn'] },
          '","Parameters":{"Bucket":"',
          { Ref: 'Bucket' },
          '","Next":"',
          { Ref: 'AWS::Region' },
          '"},"End":true}}}',
        ),
      },
    },
    Remediation: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: 'IrsaDoctorRemediation',
        DefinitionString: '{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}',
      },
    },
  },
};

describe('synthesizedWorkflow', () => {
  it('resolves every state machine for a local hub: functions, the bucket, pseudo parameters, fixed names', () => {
    const wf = synthesizedWorkflow(template, { prefix: 'hub1', refs: { 'AWS::S3::Bucket': 'hub1-snapshots' } });

    expect(wf.machines.map((m) => [m.logicalId, m.name, m.arn])).toEqual([
      ['Sweep', 'hub1-IrsaDoctorSweep', 'arn:aws:states:us-east-1:123456789012:stateMachine:hub1-IrsaDoctorSweep'],
      [
        'Remediation',
        'hub1-IrsaDoctorRemediation',
        'arn:aws:states:us-east-1:123456789012:stateMachine:hub1-IrsaDoctorRemediation',
      ],
    ]);
    const states = wf.machines[0]?.definition.States as Record<string, { Resource: string; Parameters: object }>;
    const task = states['Start Run'];
    expect(task?.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:hub1-StartRunFn');
    expect(task?.Parameters).toEqual({ Bucket: 'hub1-snapshots', Next: 'us-east-1' });
    // The ARN built from the remediation machine's fixed name names the local (prefixed) machine
    expect(wf.remediationStateMachineArn).toBe(
      'arn:aws:states:us-east-1:123456789012:stateMachine:hub1-IrsaDoctorRemediation',
    );
    expect([...wf.functions.values()].map((f) => [f.name, f.handler, f.timeoutSeconds])).toEqual([
      ['hub1-StartRunFn', 'start-run', 60],
      ['hub1-AnalyzeFn', 'analyze-account', 3],
    ]);
  });

  it('names what it cannot resolve, and refuses a template without a state machine', () => {
    const withTable = {
      Resources: {
        ...template.Resources,
        Table: { Type: 'AWS::DynamoDB::Table' },
        Odd: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: join('{"x":"', { Ref: 'Table' }, '"}') },
        },
      },
    };
    expect(() => synthesizedWorkflow(withTable, { prefix: 'p', refs: { 'AWS::S3::Bucket': 'b' } })).toThrow(
      'state machine Odd: cannot resolve Ref Table (AWS::DynamoDB::Table)',
    );
    expect(() => synthesizedWorkflow({ Resources: {} }, { prefix: 'p' })).toThrow(
      'no AWS::StepFunctions::StateMachine',
    );
  });

  it('keeps local names within the limits of function (64) and state machine (80) names', () => {
    const long = 'L'.repeat(90);
    const wf = synthesizedWorkflow(
      {
        Resources: {
          [long]: {
            Type: 'AWS::Lambda::Function',
            Properties: { Environment: { Variables: { IRSA_DOCTOR_HANDLER: 'x' } } },
          },
          [`${long}M`]: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: '{}' } },
        },
      },
      { prefix: 'hub' },
    );
    expect([...wf.functions.values()][0]?.name.length).toBeLessThanOrEqual(64);
    expect(wf.machines[0]?.name.length).toBeLessThanOrEqual(80);
    expect(wf.machines[0]?.name).toMatch(/^hub-L+-[0-9a-z]+$/);
  });
});
