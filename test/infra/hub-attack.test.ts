/**
 * Attack rows against the synthesized hub stack, decided by IAM's rules (@cloud-copilot/iam-simulate) rather than
 * by reading statements: the internet-facing approval API can ask (record decisions and rollback requests), never
 * act (send task tokens, assume a member role, write the audit table); the deliverer may send task tokens only on
 * the sweep state machine.
 *
 * LICENSE: iam-simulate is AGPL-3.0-or-later, a dev dependency used only by tests.
 * The small helper below stands in for test/support/iam-attack-table.ts until the branches are merged.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { HANDLER_ENV_VAR } from '../../infra/constructs/irsa-function';
import { HUB_WRITER_ROLE_NAME, HubStack } from '../../infra/stacks/hub-stack';
import { HUB_ENV, testApp } from './helpers';

const ACCOUNT = HUB_ENV.account as string;
const REGION = HUB_ENV.region as string;
const MEMBER = '444455556666';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json };

const app = testApp();
const stack = new HubStack(app, 'Hub', {
  env: HUB_ENV,
  config: resolveConfig({ organization: true, organizationId: 'o-a1b2c3d4e5' }),
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;

/** Concrete values for the intrinsics the hub's policies use (anything else throws: no row decided on a guess). */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const v = value as Json;
  if ('Ref' in v) return ref(String(v.Ref));
  if ('Fn::GetAtt' in v) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return getAtt(id, attr);
  }
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => String(resolve(p))).join(sep);
  }
  const keys = Object.keys(v);
  if (keys.some((k) => k.startsWith('Fn::'))) throw new Error(`unsupported intrinsic ${keys.join(',')}`);
  return Object.fromEntries(keys.map((k) => [k, resolve(v[k])]));
}
function ref(id: string): string {
  if (id === 'AWS::Partition') return 'aws';
  if (id === 'AWS::Region') return REGION;
  if (id === 'AWS::AccountId') return ACCOUNT;
  const r = resources[id];
  if (r?.Type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
  if (r?.Type === 'AWS::SNS::Topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
  if (r) return id;
  throw new Error(`unsupported Ref ${id}`);
}
function getAtt(id: string, attr: string): string {
  const r = resources[id];
  if (r?.Type === 'AWS::DynamoDB::Table' && attr === 'Arn') return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
  if (r?.Type === 'AWS::DynamoDB::Table' && attr === 'StreamArn')
    return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}/stream/2026-01-01T00:00:00.000`;
  if (r?.Type === 'AWS::Lambda::Function' && attr === 'Arn')
    return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
  if (r?.Type === 'AWS::Logs::LogGroup' && attr === 'Arn') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
  if (r?.Type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${id}`;
  if (r?.Type === 'AWS::Events::EventBus' && attr === 'Arn')
    return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${String(r.Properties?.Name)}`;
  // Resources no row names (buckets, topics, ...): a distinct ARN of their own, never one a row asks about.
  if (r && attr === 'Arn') return `arn:aws:other:${REGION}:${ACCOUNT}:${id}`;
  throw new Error(`unsupported GetAtt ${id}.${attr} (${r?.Type})`);
}

const idOf = (type: string, match: (p: Json) => boolean) => {
  const found = Object.entries(resources).filter(([, r]) => r.Type === type && match(r.Properties ?? {}));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return (found[0] as [string, Resource])[0];
};
const functionRole = (handler: string) => {
  const id = idOf(
    'AWS::Lambda::Function',
    (p) => (p.Environment as { Variables?: Json } | undefined)?.Variables?.[HANDLER_ENV_VAR] === handler,
  );
  const role = (resources[id] as Resource).Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
};

/** The identity policies IAM evaluates for a role: inline ones and every AWS::IAM::Policy attached to it. */
function policiesOf(roleId: string): Array<{ name: string; policy: Json }> {
  const role = resources[roleId];
  const inline = ((role?.Properties?.Policies as Array<{ PolicyName: string; PolicyDocument: Json }>) ?? []).map(
    (p) => ({ name: p.PolicyName, policy: resolve(p.PolicyDocument) as Json }),
  );
  const attached = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => ((r.Properties?.Roles as Array<{ Ref?: string }>) ?? []).some((x) => x.Ref === roleId))
    .map(([id, r]) => ({ name: id, policy: resolve(r.Properties?.PolicyDocument) as Json }));
  return [...inline, ...attached];
}

async function decide(
  roleId: string,
  action: string,
  resource: string,
  contextVariables: Record<string, string | string[]> = {},
): Promise<string> {
  const resourceAccount = /^arn:[^:]+:[^:]+:[^:]*:(\d{12})?:/.exec(resource)?.[1] ?? ACCOUNT;
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/${roleId}`,
        action,
        resource: { resource: resourceFor(action, resource), accountId: resourceAccount },
        contextVariables,
      },
      identityPolicies: policiesOf(roleId),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return String(result.overallResult);
}

/**
 * The Service Authorization Reference lists states:SendTaskSuccess/Failure/Heartbeat without a resource type, and
 * iam-simulate follows it: a request for them is decided on Resource "*". No statement that names one resource
 * matches "*", so these rows show that no role has the action on everything; which state machine the deliverer's
 * one statement names is checked on the statement itself.
 */
const TASK_TOKEN_ACTIONS = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);
const resourceFor = (action: string, resource: string) => (TASK_TOKEN_ACTIONS.has(action) ? '*' : resource);

const machineId = idOf('AWS::StepFunctions::StateMachine', () => true);
const machineArn = ref(machineId);
const otherMachine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:SomeoneElsesMachine`;
const auditTable = getAtt(
  idOf('AWS::DynamoDB::Table', (p) => p.DeletionProtectionEnabled === true),
  'Arn',
);
const stateTable = getAtt(
  idOf('AWS::DynamoDB::Table', (p) => p.TimeToLiveSpecification !== undefined),
  'Arn',
);
const writerRoleId = idOf('AWS::IAM::Role', (p) => p.RoleName === HUB_WRITER_ROLE_NAME);
const apiRole = functionRole('approval-api');
const delivererRole = () => functionRole('deliver-decisions');

describe('hub attack rows (IAM decides)', () => {
  it('the approval API and the deliverer run as roles of their own, not the hub writer', () => {
    expect(apiRole).not.toBe(writerRoleId);
    expect(delivererRole()).not.toBe(writerRoleId);
    expect(apiRole).not.toBe(delivererRole());
  });

  it.each([
    ['states:SendTaskSuccess', machineArn],
    ['states:SendTaskFailure', machineArn],
    ['states:SendTaskHeartbeat', machineArn],
    ['states:StartExecution', machineArn],
    ['sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorRemediator`],
    ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorRemediator`],
    ['sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/${HUB_WRITER_ROLE_NAME}`],
    ['sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorScanner`],
    ['dynamodb:PutItem', auditTable],
    ['dynamodb:UpdateItem', auditTable],
    ['dynamodb:DeleteItem', auditTable],
    ['dynamodb:BatchWriteItem', auditTable],
    ['dynamodb:DeleteItem', stateTable],
    ['dynamodb:BatchWriteItem', stateTable],
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${MEMBER}:role/app`],
    ['events:PutEvents', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/irsa-doctor`],
  ])('denies the approval API %s on %s', async (action, resource) => {
    expect(await decide(apiRole, action, resource)).not.toBe('Allowed');
  });

  it('grants the approval API no task-token action on any resource (the rows above decide on "*")', () => {
    // An IAM action pattern (`states:Send*`, `*`) matches an action case-insensitively, `*` and `?` as wildcards.
    const matches = (pattern: string, action: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      ).test(action);
    const allowed = policiesOf(apiRole)
      .flatMap((p) => (p.policy as { Statement: Json[] }).Statement)
      .filter((st) => st.Effect === 'Allow')
      .flatMap((st) => [st.Action ?? []].flat() as string[]);
    for (const action of TASK_TOKEN_ACTIONS) {
      expect({ action, grantedBy: allowed.filter((pattern) => matches(pattern, action)) }).toEqual({
        action,
        grantedBy: [],
      });
    }
  });

  it.each<[string, string, Record<string, string[]>]>([
    // a plan's content, hash or status (so a compromised API cannot rewrite what apply writes)
    ['dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'data'] }],
    [
      'dynamodb:UpdateItem',
      stateTable,
      { 'dynamodb:LeadingKeys': ['RUN#r1'], 'dynamodb:Attributes': ['pk', 'sk', 'data'] },
    ],
    ['dynamodb:UpdateItem', stateTable, { 'dynamodb:LeadingKeys': ['RUN#r1'] }],
    ['dynamodb:PutItem', stateTable, {}],
    ['dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'status', 'updatedAt'] }],
    ['dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'taskToken'] }],
    ['dynamodb:UpdateItem', stateTable, { 'dynamodb:LeadingKeys': ['RUN#r1'], 'dynamodb:Attributes': ['contentHash'] }],
    // a whole item anywhere but a rollback request
    [
      'dynamodb:PutItem',
      stateTable,
      { 'dynamodb:LeadingKeys': ['RUN#r1'], 'dynamodb:Attributes': ['pk', 'sk', 'data'] },
    ],
    ['dynamodb:PutItem', stateTable, { 'dynamodb:LeadingKeys': ['TRIGGER#x'], 'dynamodb:Attributes': ['pk', 'sk'] }],
  ])('denies the approval API %s on %s with %j', async (action, resource, context) => {
    expect(await decide(apiRole, action, resource, context)).not.toBe('Allowed');
  });

  it.each<[string, string, Record<string, string[]>]>([
    [
      'dynamodb:UpdateItem',
      stateTable,
      {
        'dynamodb:LeadingKeys': ['RUN#r1'],
        'dynamodb:Attributes': ['pk', 'sk', 'decision', 'decidedBy', 'decidedAt', 'comment', 'decidedHash', 'delivery'],
      },
    ],
    [
      'dynamodb:PutItem',
      stateTable,
      { 'dynamodb:LeadingKeys': ['ROLLBACK#run.plan'], 'dynamodb:Attributes': ['pk', 'sk', 'kind', 'status', 'data'] },
    ],
    [
      'dynamodb:UpdateItem',
      stateTable,
      { 'dynamodb:LeadingKeys': ['ROLLBACK#run.plan'], 'dynamodb:Attributes': ['updatedAt'] },
    ],
  ])('allows the approval API to record: %s on %s with %j', async (action, resource, context) => {
    expect(await decide(apiRole, action, resource, context)).toBe('Allowed');
  });

  it.each([
    ['dynamodb:GetItem', stateTable],
    ['dynamodb:Query', stateTable],
    ['dynamodb:GetItem', auditTable],
    ['dynamodb:Scan', auditTable],
  ])('allows the approval API what it needs: %s on %s', async (action, resource) => {
    expect(await decide(apiRole, action, resource)).toBe('Allowed');
  });

  it('lets the deliverer send task tokens on the sweep state machine only, and nothing else that acts', async () => {
    // Its one Step Functions statement names exactly the sweep state machine (no wildcard)
    const states = policiesOf(delivererRole())
      .flatMap((p) => (p.policy as { Statement: Json[] }).Statement)
      .filter((st) => JSON.stringify(st.Action).includes('states:'));
    expect(states).toEqual([
      {
        Sid: 'CompleteApprovalTasks',
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
        Resource: machineArn,
      },
    ]);
    expect(otherMachine).not.toBe(machineArn);
    for (const [action, resource] of [
      ['states:SendTaskSuccess', '*'],
      ['states:SendTaskHeartbeat', machineArn],
      ['states:StartExecution', machineArn],
      ['sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorRemediator`],
      ['dynamodb:PutItem', auditTable],
      ['dynamodb:DeleteItem', stateTable],
      ['dynamodb:PutItem', stateTable],
    ] as const) {
      expect({ action, resource, decision: await decide(delivererRole(), action, resource) }).toEqual({
        action,
        resource,
        decision: expect.not.stringMatching(/^Allowed$/),
      });
    }
  });

  it('leaves the member remediator to the hub writer, which the rollback step runs as', async () => {
    // (in the hub account: a cross-account row would need the member role's trust policy, which is not here)
    expect(await decide(writerRoleId, 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorRemediator`)).toBe(
      'Allowed',
    );
    expect(functionRole('run-rollback')).toBe(writerRoleId);
    // And the writer sends no task tokens (it did before: the API ran as it)
    expect(await decide(writerRoleId, 'states:SendTaskSuccess', machineArn)).not.toBe('Allowed');
  });
});
