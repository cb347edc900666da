/**
 * An upgrade never replaces a stateful resource: the logical ids of the hub's and the member stacks' tables, buckets,
 * key, topic, bus, user pool, log groups, state machines, named roles and StackSets are the ones captured from the
 * templates synthesized before the hub and member stacks became constructs (test/fixtures/stateful-logical-ids.json).
 * CloudFormation replaces a resource whose logical id changes: a retained table or bucket would be orphaned and an
 * empty one made; a named role or StackSet would fail to create beside the old one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { HubStack } from '../../infra/stacks/hub-stack';
import { MemberEventsStack } from '../../infra/stacks/member-events-stack';
import { MemberRolesStack } from '../../infra/stacks/member-roles-stack';
import { HUB_ACCOUNT, HUB_ENV, HUB_REGION, testApp } from './helpers';

type Resources = Record<string, { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }>;
type IdsByType = Record<string, string[]>;

const captured = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'stateful-logical-ids.json'), 'utf8')) as {
  hub: IdsByType;
  stateMachineNames: string[];
  memberRoles: IdsByType;
  memberEvents: IdsByType;
};

/** Types whose replacement loses data or a name others hold (URLs, ARNs, user pool ids, log history). */
const STATEFUL_TYPES = new Set([
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SNS::Topic',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Cognito::UserPoolGroup',
  'AWS::StepFunctions::StateMachine',
  'AWS::Logs::LogGroup',
  'AWS::Events::EventBus',
  'AWS::CloudFront::Distribution',
  'AWS::CloudFormation::StackSet',
  'AWS::CloudWatch::Dashboard',
]);

/** The stateful resources' logical ids by type: the types above, anything retained, and every named role. */
function statefulIds(resources: Resources): IdsByType {
  const byType: IdsByType = {};
  for (const [id, r] of Object.entries(resources)) {
    const retained = r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'Snapshot';
    const namedRole = r.Type === 'AWS::IAM::Role' && r.Properties?.RoleName !== undefined;
    if (STATEFUL_TYPES.has(r.Type) || retained || namedRole) byType[r.Type] = [...(byType[r.Type] ?? []), id];
  }
  return Object.fromEntries(
    Object.entries(byType)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, ids]) => [type, ids.sort()]),
  );
}

const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;

describe('the logical ids of stateful resources, as captured before the constructs', () => {
  it('the hub (console and member StackSets on) keeps every table, bucket, key, topic, pool, log group and machine', () => {
    const config = resolveConfig({
      organization: true,
      organizationId: 'o-a1b2c3d4e5',
      hubAccountId: HUB_ACCOUNT,
      hubRegion: HUB_REGION,
      memberStackSet: { organizationalUnits: ['ou-ab12-cdef3456'], regions: ['eu-west-1', 'us-east-1'] },
    });
    const resources = resourcesOf(
      Template.fromStack(new HubStack(testApp(), 'IrsaDoctorHub', { env: HUB_ENV, config })),
    );
    expect(statefulIds(resources)).toEqual(captured.hub);
    const machineNames = Object.values(resources)
      .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
      .map((r) => r.Properties?.StateMachineName)
      .sort();
    expect(machineNames).toEqual(captured.stateMachineNames);
  });

  it('the member roles and the event forwarder keep their roles and rule', () => {
    const app = testApp();
    const roles = new MemberRolesStack(app, 'R1', {
      hubAccountId: HUB_ACCOUNT,
      scannerRoleName: 'S',
      remediatorRoleName: 'R',
      externalId: 'ext-1',
      remediableRoles: { mode: 'tagged-or-path', paths: ['/irsa/'] },
    });
    const events = new MemberEventsStack(app, 'E', {
      hubAccountId: HUB_ACCOUNT,
      hubRegion: HUB_REGION,
      eventBusName: 'irsa-doctor',
    });
    expect(statefulIds(resourcesOf(Template.fromStack(roles)))).toEqual(captured.memberRoles);
    const eventIds = resourcesOf(Template.fromStack(events));
    const forwarder = Object.fromEntries(
      Object.keys(captured.memberEvents).map((type) => [
        type,
        Object.keys(eventIds)
          .filter((id) => eventIds[id]?.Type === type)
          .sort(),
      ]),
    );
    expect(forwarder).toEqual(captured.memberEvents);
  });
});
