import { MANIFEST_KEY_PATTERN, SweepStateMachine } from '../../infra/constructs/sweep-state-machine';
import {
  acknowledgements,
  allStates,
  asArray,
  invokedFunction,
  nagViolations,
  renderDefinition,
  roleStatements,
  text,
} from './helpers';
import { machineTestStack, stepsByArn, Template } from './machine-test-stack';

function synth(props: { accountConcurrency?: number; analysisConcurrency?: number } = {}) {
  const { stack, functions, bucket } = machineTestStack();
  const sweep = new SweepStateMachine(stack, 'Sweep', { functions, manifestBucket: bucket, ...props });
  const template = Template.fromStack(stack);
  const definition = renderDefinition(template);
  return { stack, sweep, template, definition, states: Object.fromEntries(allStates(definition)) };
}

type State = Record<string, unknown>;

describe('SweepStateMachine', () => {
  const { stack, sweep, template, definition, states } = synth({ accountConcurrency: 25, analysisConcurrency: 7 });
  const step = (s: State | undefined) => stepsByArn(template).get(invokedFunction(s ?? {}));
  const topLevel = definition.States as Record<string, State>;

  it('runs Start Run, the two account Maps, Build Issuer Index and Report Run in that order', () => {
    // Given the rendered definition
    // When the main line is followed from StartAt through Next (the Choices' defaults for a sweep)
    const line: string[] = [];
    let name: string | undefined = definition.StartAt as string;
    while (name) {
      line.push(name);
      const s: State = topLevel[name] ?? {};
      name = (s.Next ?? s.Default) as string | undefined;
    }

    // Then it is the designed sweep; it never waits for an approval
    expect(line).toEqual([
      'Start Run',
      'Duplicate Trigger?',
      'Single Cluster Run?',
      'Collect Accounts',
      'Build Issuer Index',
      'Analyze Accounts',
      'Report Run',
      'Run Done',
    ]);
    expect(JSON.stringify(definition)).not.toMatch(/waitForTaskToken|Wait For Approval/);
  });

  it.each([
    ['Collect Accounts', '$.targetsManifest', 25, 'collect-account', { 'regions.$': '$.regions' }],
    ['Analyze Accounts', '$.index.manifest', 7, 'analyze-account', { 'dryRun.$': '$.dryRun' }],
  ])('makes %s a Distributed Map over the manifest at %s', (name, manifest, concurrency, stepName, carried) => {
    // Given the Map state
    const map = topLevel[name] as State;
    const processor = map.ItemProcessor as { ProcessorConfig: unknown; StartAt: string; States: Record<string, State> };
    const item = processor.States[processor.StartAt] as State;

    // When its reader, processor and item are read
    // Then items come from the S3 JSON manifest, run as STANDARD child executions at the configured concurrency,
    // each carrying the run and its target; the Map's result is discarded
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: concurrency,
      ResultPath: null,
      ItemReader: {
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': `${manifest}.bucket`, 'Key.$': `${manifest}.key` },
      },
      ItemSelector: { 'runId.$': '$.runId', 'target.$': '$$.Map.Item.Value', ...carried },
    });
    expect(text((map.ItemReader as State).Resource)).toBe('arn:<AWS::Partition>:states:::s3:getObject');
    expect(processor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    // The item invokes its step; any failure is caught and swallowed, and both ends output {} (tiny Map result)
    expect(step(item)).toBe(stepName);
    expect(item.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: expect.any(String) }]);
    const ends = [item.Next, (item.Catch as State[])[0]?.Next].map((n) => processor.States[n as string]);
    for (const end of ends) expect(end).toEqual({ Type: 'Pass', Result: {}, End: true });
  });

  it('invokes each sweep step from its own state', () => {
    // Given the Lambda tasks
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

    // When each is mapped to the step whose function it invokes
    const byState = Object.fromEntries(tasks.map(([n, s]) => [n, step(s)]));

    // Then every state invokes the step it is named for
    expect(byState).toEqual({
      'Start Run': 'start-run',
      'Check Cluster Status': 'check-cluster',
      'Collect Account': 'collect-account',
      'Build Issuer Index': 'build-index',
      'Analyze Account': 'analyze-account',
      'Report Run': 'report',
    });
    expect(topLevel['Report Run']?.Parameters).toEqual({ 'runId.$': '$.runId', phase: 'final' });
    expect(topLevel['Build Issuer Index']?.ResultPath).toBe('$.index');
  });

  it('gives up on a cluster that never becomes active by reporting the run', () => {
    // Given the cluster wait
    const active = topLevel['Cluster Active?'] as { Choices: State[]; Default: string };

    // When its choices are read
    // Then ready goes to collection, giving up to the report, anything else waits and checks again
    expect(active.Choices.map((c) => [c.Variable, c.Next])).toEqual([
      ['$.clusterCheck.ready', 'Collect Accounts'],
      ['$.clusterCheck.giveUp', 'Report Run'],
    ]);
    expect(active.Default).toBe('Wait For Cluster');
    expect(topLevel['Wait For Cluster']?.Next).toBe('Check Cluster Status');
  });

  it('holds no inline Map, so its own history does not grow with accounts or plans', () => {
    // Given every Map state of the definition, nested ones included
    const maps = Object.entries(states).filter(([, s]) => s.Type === 'Map');

    // When their processor modes are read
    const modes = maps.map(([n, s]) => [
      n,
      (s.ItemProcessor as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode,
    ]);

    // Then both are distributed (each item a child execution with a history of its own)
    expect(modes).toEqual([
      ['Collect Accounts', 'DISTRIBUTED'],
      ['Analyze Accounts', 'DISTRIBUTED'],
    ]);
  });

  it("uses nothing the emulator's interpreter cannot run", () => {
    // Given the definition as JSON
    const json = JSON.stringify(definition);

    // When searched for what moto's interpreter rejects or runs wrongly
    // Then none is there: no ItemBatcher, no ResultWriter, no EXPRESS children, no nested StartExecution task
    for (const unsupported of ['ItemBatcher', 'ResultWriter', 'EXPRESS', 'states:startExecution', 'JSONata']) {
      expect([unsupported, json.includes(unsupported)]).toEqual([unsupported, false]);
    }
  });

  it('lets its role read the run manifests only, and start, describe and stop its own child executions', () => {
    // Given the state machine's role
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { RoleArn: unknown };
    };
    const { statements } = roleStatements(template, text(machine.Properties.RoleArn).replace(/^<|\.Arn>$/g, ''));

    // When the S3 and Step Functions statements are read
    const of = (prefix: string) =>
      statements
        .filter((s) => asArray(s.Action).some((a) => a.startsWith(prefix)))
        .map((s) => ({ actions: asArray(s.Action).sort(), resources: asArray(s.Resource).map(text) }));
    const machineRef = `<${stackLogicalId()}>`;

    // Then S3: GetObject on the manifest prefix of the one bucket; Step Functions: its own machine and executions
    expect(of('s3:')).toEqual([
      { actions: ['s3:GetObject'], resources: [`<${bucketLogicalId()}.Arn>/${MANIFEST_KEY_PATTERN}`] },
    ]);
    const ownExecutions = expect.stringMatching(
      new RegExp(`^arn:<AWS::Partition>:states:eu-west-1:111122223333:execution:.*${stackLogicalId()}.*:\\*$`),
    );
    expect(of('states:')).toEqual([
      { actions: ['states:StartExecution'], resources: [machineRef] },
      { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [ownExecutions] },
      { actions: ['states:RedriveExecution'], resources: [ownExecutions] },
    ]);
  });

  it('acknowledges the Distributed Map wildcards on the state machine, each with a reason', () => {
    // Given the acknowledgements under the construct
    const acks = acknowledgements(sweep).map((a) => a.id);

    // When read
    // Then the manifest prefix and the two execution patterns are there
    expect(acks).toEqual(
      expect.arrayContaining([
        `AwsSolutions-IAM5[Resource::<${bucketLogicalId()}.Arn>/${MANIFEST_KEY_PATTERN}]`,
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:.*:execution:.*:\*\]$/),
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:.*:execution:.*\/\*:\*\]$/),
      ]),
    );
  });

  it('leaves cdk-nag nothing to report on the state machine and its role (its wildcards acknowledged on it)', () => {
    // Given the AwsSolutions findings of the stack (whose stand-in functions are not the project's)
    // When those under the construct are kept
    const own = nagViolations(stack).filter((v) => v.paths.some((p) => p.startsWith('Machines/Sweep/')));

    // Then there are none
    expect(own).toEqual([]);
  });

  function stackLogicalId(): string {
    return stack.getLogicalId(sweep.stateMachine.node.defaultChild as never);
  }
  function bucketLogicalId(): string {
    const id = Object.entries(template.findResources('AWS::S3::Bucket'))[0]?.[0];
    if (!id) throw new Error('no bucket');
    return id;
  }
});

describe('SweepStateMachine props', () => {
  it.each([
    ['an account concurrency of 0', { accountConcurrency: 0 }, /accountConcurrency must be a whole number from 1/],
    ['a fractional analysis concurrency', { analysisConcurrency: 2.5 }, /analysisConcurrency must be a whole/],
    ['an analysis concurrency over 1000', { analysisConcurrency: 1001 }, /analysisConcurrency/],
  ])('fails when given %s', (_case, props, message) => {
    // Given bad props
    // When the construct is made
    // Then it refuses, naming the prop
    expect(() => synth(props)).toThrow(message);
  });

  it('fails when a sweep step has no function, naming it', () => {
    // Given the functions without build-index
    const { stack, functions, bucket } = machineTestStack();
    const { 'build-index': _missing, ...rest } = functions;

    // When the construct is made
    // Then it names the missing step
    expect(() => new SweepStateMachine(stack, 'Sweep', { functions: rest, manifestBucket: bucket })).toThrow(
      /sweep state machine needs a function for each of its steps; missing: build-index/,
    );
  });
});
