/**
 * Attack rows against the synthesized hub stack, decided by IAM's rules (@cloud-copilot/iam-simulate, through the
 * shared harness test/support/iam-attack-table.ts) rather than by reading statements: the internet-facing approval
 * API can ask (record decisions and rollback requests), never act (send task tokens, assume a member role, write the
 * audit table); the deliverer may send task tokens only on the remediation state machine (where approvals wait).
 *
 * LICENSE: iam-simulate is AGPL-3.0-or-later, a dev dependency used only by tests.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { HANDLER_ENV_VAR } from '../../infra/constructs/irsa-function';
import { HUB_WRITER_ROLE_NAME, HubStack } from '../../infra/stacks/hub-stack';
import {
  type AttackEnv,
  type AttackRow,
  type PolicySubject,
  resolveIntrinsics,
  roleSubject,
  type TemplateJson,
  tableFailures,
} from '../support/iam-attack-table';
import { HUB_ACCOUNT, HUB_ENV, HUB_REGION, logicalIdOf, resourcesOf, testApp } from './helpers';

const ACCOUNT = HUB_ACCOUNT;
const REGION = HUB_REGION;
const MEMBER = '444455556666';
const HUB: AttackEnv = { account: HUB_ACCOUNT, region: HUB_REGION, partition: 'aws' };

const app = testApp();
const stack = new HubStack(app, 'Hub', {
  env: HUB_ENV,
  config: resolveConfig({ organization: true, organizationId: 'o-a1b2c3d4e5' }),
});
const template = Template.fromStack(stack);
const json = template.toJSON() as TemplateJson;
const resolve = (value: unknown) => String(resolveIntrinsics(value, json, HUB));

const functionRole = (handler: string) => {
  const id = logicalIdOf(
    template,
    'AWS::Lambda::Function',
    (p) =>
      (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.[HANDLER_ENV_VAR] === handler,
  );
  const role = resourcesOf(template)[id]?.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
};

/**
 * The Service Authorization Reference lists states:SendTaskSuccess/Failure/Heartbeat without a resource type, and
 * iam-simulate follows it: a request for them is decided on Resource "*". No statement that names one resource
 * matches "*", so these rows show that no role has the action on everything; which state machine the deliverer's
 * one statement names is checked on the statement itself.
 */
const TASK_TOKEN_ACTIONS = new Set(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);

/** A row: `action` on `resource` (on "*" for a task-token action, see above), with condition keys `context`. */
const row = (
  expect: AttackRow['expect'],
  action: string,
  resource: string,
  context?: Record<string, string[]>,
): AttackRow => {
  const asked = TASK_TOKEN_ACTIONS.has(action) ? '*' : resource;
  return {
    name: `${action} on ${asked}${context ? ` with ${JSON.stringify(context)}` : ''}`,
    request: { action, resource: asked, ...(context ? { context } : {}) },
    expect,
  };
};
const denied = (action: string, resource: string, context?: Record<string, string[]>) =>
  row('Denied', action, resource, context);
const allowed = (action: string, resource: string, context?: Record<string, string[]>) =>
  row('Allowed', action, resource, context);

/** The Allow statements of a subject's identity policies. */
const allowStatements = (subject: PolicySubject) =>
  subject.identityPolicies
    .flatMap((p) => [p.policy.Statement].flat() as Record<string, unknown>[])
    .filter((st) => st.Effect === 'Allow');

const machineId = logicalIdOf(
  template,
  'AWS::StepFunctions::StateMachine',
  (p) => p.StateMachineName === 'IrsaDoctorRemediation',
);
const machineArn = resolve({ Ref: machineId });
const sweepArn = resolve({
  Ref: logicalIdOf(template, 'AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === 'IrsaDoctorSweep'),
});
const otherMachine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:SomeoneElsesMachine`;
const tableArn = (where: (p: Record<string, unknown>) => boolean) =>
  resolve({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::DynamoDB::Table', where), 'Arn'] });
const auditTable = tableArn((p) => p.DeletionProtectionEnabled === true);
const stateTable = tableArn((p) => p.TimeToLiveSpecification !== undefined);
const writerRoleId = logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === HUB_WRITER_ROLE_NAME);
const apiRole = functionRole('approval-api');
const delivererRole = () => functionRole('deliver-decisions');

/**
 * A member role's trust policy as wide as one can be for the hub: it trusts the hub account. A cross-account
 * AssumeRole needs both the caller's identity policy and the role's trust policy; with this one, such a row is decided
 * by the hub role's identity policies alone (without any, IAM would deny the row whatever the hub granted).
 */
const TRUSTS_THE_HUB = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }],
};
/** `role` as the caller, with TRUSTS_THE_HUB as the resource policy of every AssumeRole of a member role. */
const hubRole = (roleId: string) => {
  const subject = roleSubject(json, roleId, HUB);
  return (r: AttackRow): PolicySubject =>
    r.request.action === 'sts:AssumeRole' && r.request.resource.startsWith(`arn:aws:iam::${MEMBER}:`)
      ? { ...subject, resourcePolicy: TRUSTS_THE_HUB }
      : subject;
};
const api = roleSubject(json, apiRole, HUB);

describe('hub attack rows (IAM decides)', () => {
  it('the approval API and the deliverer run as roles of their own, not the hub writer', () => {
    expect(apiRole).not.toBe(writerRoleId);
    expect(delivererRole()).not.toBe(writerRoleId);
    expect(apiRole).not.toBe(delivererRole());
  });

  it('denies the approval API every action that acts', async () => {
    const rows = [
      denied('states:SendTaskSuccess', machineArn),
      denied('states:SendTaskFailure', machineArn),
      denied('states:SendTaskHeartbeat', machineArn),
      denied('states:StartExecution', machineArn),
      denied('sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorRemediator`),
      denied('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorRemediator`),
      denied('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/${HUB_WRITER_ROLE_NAME}`),
      denied('sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorScanner`),
      denied('dynamodb:PutItem', auditTable),
      denied('dynamodb:UpdateItem', auditTable),
      denied('dynamodb:DeleteItem', auditTable),
      denied('dynamodb:BatchWriteItem', auditTable),
      denied('dynamodb:DeleteItem', stateTable),
      denied('dynamodb:BatchWriteItem', stateTable),
      denied('iam:UpdateAssumeRolePolicy', `arn:aws:iam::${MEMBER}:role/app`),
      denied('events:PutEvents', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/irsa-doctor`),
    ];
    expect(await tableFailures(hubRole(apiRole), rows)).toEqual([]);
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
    const granted = allowStatements(api).flatMap((st) => [st.Action ?? []].flat() as string[]);
    for (const action of TASK_TOKEN_ACTIONS) {
      expect({ action, grantedBy: granted.filter((pattern) => matches(pattern, action)) }).toEqual({
        action,
        grantedBy: [],
      });
    }
  });

  it('denies the approval API any write to the state table but recording a decision or a rollback request', async () => {
    const rows = [
      // a plan's content, hash or status (so a compromised API cannot rewrite what apply writes)
      denied('dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'data'] }),
      denied('dynamodb:UpdateItem', stateTable, {
        'dynamodb:LeadingKeys': ['RUN#r1'],
        'dynamodb:Attributes': ['pk', 'sk', 'data'],
      }),
      denied('dynamodb:UpdateItem', stateTable, { 'dynamodb:LeadingKeys': ['RUN#r1'] }),
      denied('dynamodb:PutItem', stateTable, {}),
      denied('dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'status', 'updatedAt'] }),
      denied('dynamodb:UpdateItem', stateTable, { 'dynamodb:Attributes': ['pk', 'sk', 'taskToken'] }),
      denied('dynamodb:UpdateItem', stateTable, {
        'dynamodb:LeadingKeys': ['RUN#r1'],
        'dynamodb:Attributes': ['contentHash'],
      }),
      // a whole item anywhere but a rollback request
      denied('dynamodb:PutItem', stateTable, {
        'dynamodb:LeadingKeys': ['RUN#r1'],
        'dynamodb:Attributes': ['pk', 'sk', 'data'],
      }),
      denied('dynamodb:PutItem', stateTable, {
        'dynamodb:LeadingKeys': ['TRIGGER#x'],
        'dynamodb:Attributes': ['pk', 'sk'],
      }),
      // no delete but of a suppression; no Scan of either table (every listing is a Query)
      denied('dynamodb:DeleteItem', stateTable, { 'dynamodb:LeadingKeys': ['RUN#r1'] }),
      denied('dynamodb:DeleteItem', stateTable, { 'dynamodb:LeadingKeys': ['ROLLBACK#c1'] }),
      // a plan opening is recorded, never rewritten or removed
      denied('dynamodb:UpdateItem', stateTable, { 'dynamodb:LeadingKeys': ['OPENED#run#plan'] }),
      denied('dynamodb:DeleteItem', stateTable, { 'dynamodb:LeadingKeys': ['OPENED#run#plan'] }),
      denied('dynamodb:Scan', stateTable),
      denied('dynamodb:Scan', auditTable),
      denied('dynamodb:Scan', `${stateTable}/index/pending-approval`),
      denied('dynamodb:Scan', `${auditTable}/index/changes-by-time`),
    ];
    expect(await tableFailures(hubRole(apiRole), rows)).toEqual([]);
  });

  it('allows the approval API to record decisions, rollback requests, suppressions and plan openings, and to read what it needs', async () => {
    const rows = [
      allowed('dynamodb:UpdateItem', stateTable, {
        'dynamodb:LeadingKeys': ['RUN#r1'],
        'dynamodb:Attributes': ['pk', 'sk', 'decision', 'decidedBy', 'decidedAt', 'comment', 'decidedHash', 'delivery'],
      }),
      allowed('dynamodb:PutItem', stateTable, {
        'dynamodb:LeadingKeys': ['ROLLBACK#run.plan'],
        'dynamodb:Attributes': ['pk', 'sk', 'kind', 'status', 'data'],
      }),
      allowed('dynamodb:UpdateItem', stateTable, {
        'dynamodb:LeadingKeys': ['ROLLBACK#run.plan'],
        'dynamodb:Attributes': ['updatedAt'],
      }),
      allowed('dynamodb:GetItem', stateTable),
      allowed('dynamodb:Query', stateTable),
      allowed('dynamodb:GetItem', auditTable),
      allowed('dynamodb:Query', auditTable),
      // the paged listings read indexes
      allowed('dynamodb:Query', `${stateTable}/index/pending-approval`),
      allowed('dynamodb:Query', `${stateTable}/index/by-time`),
      allowed('dynamodb:Query', `${auditTable}/index/changes-by-time`),
      // the mutelist
      allowed('dynamodb:PutItem', stateTable, { 'dynamodb:LeadingKeys': ['SUPPRESSION#s1'] }),
      allowed('dynamodb:DeleteItem', stateTable, { 'dynamodb:LeadingKeys': ['SUPPRESSION#s1'] }),
      // who opened which content of a plan (approve and reject need it)
      allowed('dynamodb:PutItem', stateTable, { 'dynamodb:LeadingKeys': ['OPENED#run#plan'] }),
    ];
    expect(await tableFailures(hubRole(apiRole), rows)).toEqual([]);
  });

  it('lets the deliverer send task tokens on the remediation state machine only, and nothing else that acts', async () => {
    const deliverer = roleSubject(json, delivererRole(), HUB);
    // Its one Step Functions statement names exactly the remediation state machine (no wildcard)
    const states = deliverer.identityPolicies
      .flatMap((p) => [p.policy.Statement].flat() as Record<string, unknown>[])
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
    const rows = [
      denied('states:SendTaskSuccess', '*'),
      denied('states:SendTaskSuccess', sweepArn),
      denied('states:SendTaskSuccess', otherMachine),
      denied('states:SendTaskHeartbeat', machineArn),
      denied('states:StartExecution', machineArn),
      denied('sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorRemediator`),
      denied('dynamodb:PutItem', auditTable),
      denied('dynamodb:DeleteItem', stateTable),
      denied('dynamodb:PutItem', stateTable),
    ];
    expect(await tableFailures(hubRole(delivererRole()), rows)).toEqual([]);
  });

  it('leaves the member remediator to the hub writer, which the rollback step runs as', async () => {
    expect(functionRole('run-rollback')).toBe(writerRoleId);
    // (a member's remediator with TRUSTS_THE_HUB: the writer's own grant decides)
    // And the writer sends no task tokens (it did before: the API ran as it)
    const failures = await tableFailures(hubRole(writerRoleId), [
      allowed('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorRemediator`),
      allowed('sts:AssumeRole', `arn:aws:iam::${MEMBER}:role/IrsaDoctorRemediator`),
      denied('states:SendTaskSuccess', machineArn),
      // the audit table: appended and read by key and index, never scanned, updated or deleted
      allowed('dynamodb:PutItem', auditTable),
      allowed('dynamodb:Query', `${auditTable}/index/changes-by-time`),
      denied('dynamodb:Scan', auditTable),
      denied('dynamodb:Scan', `${auditTable}/index/changes-by-time`),
      denied('dynamodb:UpdateItem', auditTable),
      denied('dynamodb:DeleteItem', auditTable),
    ]);
    expect(failures).toEqual([]);
  });
});
