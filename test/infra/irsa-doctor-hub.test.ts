/**
 * The constructs as a user's CDK app uses them (infra/constructs/irsa-doctor-hub.ts and the member constructs): in a
 * stack of the user's, at a path of the user's, with props validated by name, clean under cdk-nag.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../infra/config';
import { HUB_EVENT_BUS_NAME } from '../../infra/constructs/hub-names';
import { IrsaDoctorHub } from '../../infra/constructs/irsa-doctor-hub';
import { IrsaDoctorMemberEvents } from '../../infra/constructs/irsa-doctor-member-events';
import { IrsaDoctorMemberRoles } from '../../infra/constructs/irsa-doctor-member-roles';
import { HUB_ACCOUNT, HUB_ENV, HUB_REGION, nagViolations, testApp } from './helpers';

/** The user's stack; `null`: environment-agnostic. */
const userStack = (env: { account: string; region: string } | null = HUB_ENV) =>
  new Stack(testApp(), 'Platform', env ? { env } : {});

describe('IrsaDoctorHub in a stack of the user', () => {
  const stack = userStack();
  const hub = new IrsaDoctorHub(stack, 'IrsaDoctor', {
    organization: true,
    organizationId: 'o-a1b2c3d4e5',
    memberStackSet: { organizationalUnits: ['ou-ab12-cdef3456'], regions: [HUB_REGION] },
  });
  const template = Template.fromStack(stack);

  it('makes the whole hub under its own path, the member StackSets included, and exposes its parts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.resourceCountIs('AWS::CloudFormation::StackSet', 2);
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    expect(hub.stateTable.node.path).toBe('Platform/IrsaDoctor/StateTable');
    expect(hub.memberStackSets?.rolesStackSet).toBeDefined();
    expect(hub.config.organizationId).toBe('o-a1b2c3d4e5');
    expect(hub.functions['approval-api']).toBeDefined();
  });

  it('is clean under cdk-nag at that path: every acknowledgement follows the construct', () => {
    expect(nagViolations(stack)).toEqual([]);
  });
});

describe('IrsaDoctorHub props', () => {
  it('refuses a bad value with a ConfigError naming the prop', () => {
    const make = () => new IrsaDoctorHub(userStack(), 'Hub', { accounts: ['12'] });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/^irsa-doctor config: accounts entries must each be a 12-digit account id/);
    expect(() => new IrsaDoctorHub(userStack(), 'Hub', { schedul: 'rate(1 day)' } as never)).toThrow(
      /schedul is not a known field/,
    );
  });

  it('refuses hubAccountId or hubRegion other than its stack', () => {
    expect(() => new IrsaDoctorHub(userStack(), 'Hub', { hubAccountId: '444455556666' })).toThrow(
      /^irsa-doctor config: hubAccountId is 444455556666, but the hub's stack Platform is in 111122223333$/,
    );
    expect(() => new IrsaDoctorHub(userStack(), 'Hub', { hubRegion: 'us-east-1' })).toThrow(/hubRegion is us-east-1/);
    // An environment-agnostic stack: nothing to contradict.
    expect(() => new IrsaDoctorHub(userStack(null), 'Hub', { hubAccountId: '444455556666' })).not.toThrow();
  });

  it('needs a concrete account and region for memberStackSet, and says how', () => {
    const make = () =>
      new IrsaDoctorHub(userStack(null), 'Hub', {
        organization: true,
        organizationId: 'o-a1b2c3d4e5',
        memberStackSet: { organizationalUnits: ['ou-ab12-cdef3456'], regions: [HUB_REGION] },
      });
    expect(make).toThrow(/memberStackSet needs the hub account and region at synthesis/);
  });
});

describe('the member constructs in a stack of the user', () => {
  it('default the role names and the bus to the hub defaults, clean under cdk-nag', () => {
    const stack = userStack({ account: '444455556666', region: HUB_REGION });
    const roles = new IrsaDoctorMemberRoles(stack, 'Roles', { hubAccountId: HUB_ACCOUNT });
    const events = new IrsaDoctorMemberEvents(stack, 'Events', { hubAccountId: HUB_ACCOUNT, hubRegion: HUB_REGION });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'IrsaDoctorScanner' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'IrsaDoctorRemediator' });
    expect(roles.remediationScope.mode).toBe('tagged');
    expect(events.hubEventBusArn).toContain(`:${HUB_ACCOUNT}:event-bus/${HUB_EVENT_BUS_NAME}`);
    expect(nagViolations(stack)).toEqual([]);
  });

  it('refuse bad props naming them', () => {
    const stack = userStack();
    expect(() => new IrsaDoctorMemberRoles(stack, 'R1', { hubAccountId: 'x' })).toThrow(
      'hubAccountId must be a 12-digit account id, got "x"',
    );
    expect(
      () =>
        new IrsaDoctorMemberRoles(stack, 'R2', {
          hubAccountId: HUB_ACCOUNT,
          scannerRoleName: 'Same',
          remediatorRoleName: 'Same',
        }),
    ).toThrow('scannerRoleName and remediatorRoleName must differ');
    expect(() => new IrsaDoctorMemberEvents(stack, 'E1', { hubAccountId: HUB_ACCOUNT, hubRegion: 'moon' })).toThrow(
      /^hubRegion must be a region name/,
    );
    expect(
      () =>
        new IrsaDoctorMemberEvents(stack, 'E2', {
          hubAccountId: HUB_ACCOUNT,
          hubRegion: HUB_REGION,
          eventBusName: 'a b',
        }),
    ).toThrow(/^eventBusName must be an event bus name/);
  });
});
