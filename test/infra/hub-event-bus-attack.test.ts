/**
 * The hub event bus, decided by IAM policy evaluation (iam-simulate) on the synthesized templates: the bus policy of
 * the hub stack with the identity policies of the member stack's forwarder, of the hub's own roles, and of
 * administrators with `Allow *` in a member or the hub account.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { type IrsaDoctorConfigInput, resolveConfig } from '../../infra/config';
import { HUB_EVENT_BUS_NAME, HUB_WRITER_ROLE_NAME, HubStack } from '../../infra/stacks/hub-stack';
import { MemberEventsStack } from '../../infra/stacks/member-events-stack';
import {
  type AttackEnv,
  type AttackRequest,
  type AttackRow,
  decide,
  eventBusPolicy,
  failedRowNames,
  type PolicySubject,
  roleSubject,
  type TemplateJson,
  tableFailures,
} from '../support/iam-attack-table';
import { HUB_ACCOUNT, HUB_ENV, HUB_REGION, logicalIdOf, testApp } from './helpers';

const ORG = 'o-a1b2c3d4e5';
const MEMBER = '222233334444';
const HUB: AttackEnv = { account: HUB_ACCOUNT, region: HUB_REGION, partition: 'aws' };
const MEMBER_ENV: AttackEnv = { account: MEMBER, region: 'us-west-2', partition: 'aws' };
const BUS_ARN = `arn:aws:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/${HUB_EVENT_BUS_NAME}`;
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function hub(overrides: IrsaDoctorConfigInput = {}) {
  const config = resolveConfig({ organization: true, organizationId: ORG, console: false, ...overrides });
  const stack = new HubStack(testApp(), 'Hub', { env: HUB_ENV, config });
  const json = Template.fromStack(stack).toJSON() as TemplateJson;
  const busId = logicalIdOf(Template.fromStack(stack), 'AWS::Events::EventBus', () => true);
  return { stack, json, busPolicy: eventBusPolicy(json, busId, HUB) };
}

function memberForwarder(): Omit<PolicySubject, 'resourcePolicy'> {
  const stack = new MemberEventsStack(testApp(), 'MemberEvents', {
    hubAccountId: HUB_ACCOUNT,
    hubRegion: HUB_REGION,
    eventBusName: HUB_EVENT_BUS_NAME,
  });
  const template = Template.fromStack(stack);
  const roleId = logicalIdOf(template, 'AWS::IAM::Role', () => true);
  return roleSubject(template.toJSON() as TemplateJson, roleId, MEMBER_ENV);
}

const admin = (account: string): Omit<PolicySubject, 'resourcePolicy'> => ({
  principal: `arn:aws:iam::${account}:role/Admin`,
  account,
  identityPolicies: [{ name: 'AdministratorAccess', policy: ALLOW_ALL }],
});

/** A PutEvents request on the hub bus; `orgId` is the caller's organization (null: none). */
function putEvents(sources: string[], detailTypes: string[], orgId: string | null = ORG): AttackRequest {
  return {
    action: 'events:PutEvents',
    resource: BUS_ARN,
    context: {
      'events:source': sources,
      'events:detail-type': detailTypes,
      ...(orgId ? { 'aws:PrincipalOrgID': orgId } : {}),
    },
  };
}
const CLOUDTRAIL = 'AWS API Call via CloudTrail';

interface Row extends AttackRow {
  readonly who: 'forwarder' | 'member-admin' | 'hub-admin' | 'hub-writer' | 'report-function';
}

const TABLE: readonly Row[] = [
  {
    name: 'a member forwards CreateCluster',
    who: 'forwarder',
    request: putEvents(['aws.eks'], [CLOUDTRAIL]),
    expect: 'Allowed',
    by: 'MemberAccountsForwardEksEvents',
  },
  {
    name: 'an account outside the organization forwards CreateCluster',
    who: 'forwarder',
    request: putEvents(['aws.eks'], [CLOUDTRAIL], 'o-zzzzzzzzzz'),
    expect: 'Denied',
  },
  {
    name: 'an account in no organization forwards CreateCluster',
    who: 'forwarder',
    request: putEvents(['aws.eks'], [CLOUDTRAIL], null),
    expect: 'Denied',
  },
  {
    name: 'a member forwards another EKS event type',
    who: 'forwarder',
    request: putEvents(['aws.eks'], ['EKS Cluster State Change']),
    expect: 'Denied',
  },
  {
    name: 'a member administrator puts an irsa-doctor event (Change Applied)',
    who: 'member-admin',
    request: putEvents(['irsa-doctor'], ['Change Applied']),
    expect: 'Denied',
    by: 'OnlyIrsaDoctorPublishesItsEvents',
  },
  {
    name: 'a member administrator slips an irsa-doctor event into a batch',
    who: 'member-admin',
    request: putEvents(['aws.eks', 'irsa-doctor'], [CLOUDTRAIL, 'Change Applied']),
    expect: 'Denied',
    by: 'OnlyIrsaDoctorPublishesItsEvents',
  },
  {
    name: 'a member administrator puts a custom event',
    who: 'member-admin',
    request: putEvents(['com.example'], ['Anything']),
    expect: 'Denied',
    by: 'AcceptOnlyForwardedAndIrsaDoctorEvents',
  },
  {
    name: 'a hub administrator puts an irsa-doctor event',
    who: 'hub-admin',
    request: putEvents(['irsa-doctor'], ['Change Applied']),
    expect: 'Denied',
    by: 'OnlyIrsaDoctorPublishesItsEvents',
  },
  {
    name: 'a hub administrator puts a look-alike irsa-doctor.x event',
    who: 'hub-admin',
    request: putEvents(['irsa-doctor.x'], ['Change Applied']),
    expect: 'Denied',
    by: 'OnlyIrsaDoctorPublishesItsEvents',
  },
  {
    name: 'a hub administrator puts a custom event',
    who: 'hub-admin',
    request: putEvents(['com.example'], ['Anything']),
    expect: 'Denied',
    by: 'AcceptOnlyForwardedAndIrsaDoctorEvents',
  },
  {
    name: 'the hub writer publishes Change Applied',
    who: 'hub-writer',
    request: putEvents(['irsa-doctor'], ['Change Applied']),
    expect: 'Allowed',
  },
  {
    name: 'the report function publishes a finding',
    who: 'report-function',
    request: putEvents(['irsa-doctor'], ['IRSA Finding']),
    expect: 'Allowed',
  },
];

async function failures(json: TemplateJson, busPolicy: Record<string, unknown>, rows: readonly Row[]) {
  const roleId = (name: string) =>
    Object.entries(json.Resources ?? {}).find(
      ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName === name,
    )?.[0] ?? '';
  const reportRole = Object.entries(json.Resources ?? {}).find(
    ([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('WorkflowReportFunction'),
  )?.[0];
  if (!reportRole) throw new Error('no report function role');
  const subjects: Record<Row['who'], Omit<PolicySubject, 'resourcePolicy'>> = {
    forwarder: memberForwarder(),
    'member-admin': admin(MEMBER),
    'hub-admin': admin(HUB_ACCOUNT),
    'hub-writer': roleSubject(json, roleId(HUB_WRITER_ROLE_NAME), HUB),
    'report-function': roleSubject(json, reportRole, HUB),
  };
  return tableFailures((row: Row) => ({ ...subjects[row.who], resourcePolicy: busPolicy }), rows);
}

const names = failedRowNames;
const withoutStatement = (policy: Record<string, unknown>, sid: string) => {
  const statements = policy.Statement as { Sid?: string }[];
  const kept = statements.filter((s) => !s.Sid?.endsWith(sid));
  if (kept.length === statements.length) throw new Error(`no statement ${sid}`);
  return { ...policy, Statement: kept };
};

describe('hub event bus attack table (iam-simulate on the synthesized bus policy)', () => {
  const { json, busPolicy } = hub();

  it('accepts forwarded EKS events from the organization and irsa-doctor events from IRSA Doctor only', async () => {
    // Given the hub bus policy and the principals of each row
    // When every row is decided
    // Then each holds
    expect(await failures(json, busPolicy, TABLE)).toEqual([]);
  });

  it('lets every hub role whose policies grant PutEvents on the bus publish (none was granted around the bus)', async () => {
    // Given the roles some AWS::IAM::Policy grants events:PutEvents
    const resources = json.Resources ?? {};
    const grantedRoles = new Set(
      Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes('events:PutEvents'))
        .flatMap((r) => ((r.Properties?.Roles ?? []) as { Ref: string }[]).map((ref) => ref.Ref)),
    );

    // When each publishes an irsa-doctor event through the bus policy
    const refused: string[] = [];
    for (const id of grantedRoles) {
      const verdict = await decide(
        { ...roleSubject(json, id, HUB), resourcePolicy: busPolicy },
        putEvents(['irsa-doctor'], ['X']),
      );
      if (verdict.decision !== 'Allowed') refused.push(`${id}: ${verdict.decision}`);
    }

    // Then every one may (a role granted PutEvents other than by grantPutEventsTo would be refused here)
    expect(grantedRoles.size).toBeGreaterThanOrEqual(4);
    expect(refused).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    [
      'without the irsa-doctor Deny',
      'OnlyIrsaDoctorPublishesItsEvents',
      ['a hub administrator puts an irsa-doctor event', 'a hub administrator puts a look-alike irsa-doctor.x event'],
    ],
    [
      'without the other-sources Deny',
      'AcceptOnlyForwardedAndIrsaDoctorEvents',
      ['a hub administrator puts a custom event', 'a member administrator puts a custom event'],
    ],
  ])('catches a broken bus policy: %s', async (_name, sid, opened) => {
    // Given the bus policy with one statement removed on purpose
    const broken = withoutStatement(busPolicy, sid);

    // When the table is decided against it
    // Then the rows it opens fail
    expect(names(await failures(json, broken, TABLE))).toEqual(expect.arrayContaining(opened));
  });

  it('catches a bus that admits the organization without the source condition (the old policy)', async () => {
    // Given the member statement without its conditions
    const statements = (busPolicy.Statement as Record<string, unknown>[]).map((s) => {
      if (!String(s.Sid).endsWith('MemberAccountsForwardEksEvents')) return s;
      return { ...s, Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } } };
    });

    // When the table is decided against it
    const fails = names(await failures(json, { ...busPolicy, Statement: statements }, TABLE));

    // Then the other EKS event type gets in
    expect(fails).toContain('a member forwards another EKS event type');
  });

  it('admits listed accounts by account when there is no organization', async () => {
    // Given an account list instead of the organization
    const listed = hub({ organization: false, organizationId: undefined, accounts: [MEMBER] });

    // When the forwarder of a listed account and of another account forward CreateCluster
    const forwarder = memberForwarder();
    const stranger = { ...forwarder, principal: 'arn:aws:iam::999988887777:role/Forward', account: '999988887777' };
    const request = putEvents(['aws.eks'], [CLOUDTRAIL], null);

    // Then only the listed account's is allowed
    expect((await decide({ ...forwarder, resourcePolicy: listed.busPolicy }, request)).decision).toBe('Allowed');
    expect((await decide({ ...stranger, resourcePolicy: listed.busPolicy }, request)).decision).not.toBe('Allowed');
  });
});

describe('member events forwarder (iam-simulate on the member events template)', () => {
  it('may put events on the hub bus only', async () => {
    // Given the forwarder role of a member account
    const forwarder = memberForwarder();

    // When it puts events on the hub bus, on another bus of the hub account, and on its own account's default bus
    const on = (resource: string) => decide(forwarder, { action: 'events:PutEvents', resource });
    const hubBus = await on(BUS_ARN);
    const otherHubBus = await on(`arn:aws:events:${HUB_REGION}:${HUB_ACCOUNT}:event-bus/default`);
    const ownBus = await on(`arn:aws:events:us-west-2:${MEMBER}:event-bus/default`);

    // Then only the hub bus is allowed by its own policy (the bus policy decides the rest, above)
    expect(hubBus.allowedBy.length).toBeGreaterThan(0);
    expect(otherHubBus.decision).not.toBe('Allowed');
    expect(ownBus.decision).not.toBe('Allowed');
  });
});
