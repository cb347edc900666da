import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { type IrsaDoctorConfigInput, resolveConfig } from '../../infra/config';
import {
  concreteEnvironment,
  MEMBER_EVENTS_STACK_SET_NAME,
  MEMBER_ROLES_STACK_SET_NAME,
  MemberStackSets,
  memberEventsProps,
  memberRolesProps,
} from '../../infra/constructs/member-stack-sets';
import { MemberEventsStack } from '../../infra/stacks/member-events-stack';
import { MemberRolesStack } from '../../infra/stacks/member-roles-stack';
import { synthesizeMemberTemplate, TEMPLATE_BODY_MAX_BYTES } from '../../infra/stacks/member-synthesis';
import { HUB_ACCOUNT, HUB_ENV, HUB_REGION, nagViolations, testApp } from './helpers';

const INPUT: IrsaDoctorConfigInput = {
  organization: true,
  organizationId: 'o-a1b2c3d4e5',
  externalId: 'irsa-doctor-1',
  memberStackSet: { organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'], regions: ['eu-west-1', 'us-east-1'] },
};

function synth(input: IrsaDoctorConfigInput = INPUT) {
  const config = resolveConfig(input);
  const app = testApp();
  const stack = new Stack(app, 'Hub', { env: HUB_ENV });
  const trusted = [
    new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }),
    new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() }),
  ];
  const env = concreteEnvironment(stack);
  if (!config.memberStackSet) throw new Error('test configuration has no memberStackSet');
  const sets = new MemberStackSets(stack, 'MemberStackSets', {
    config,
    stackSet: config.memberStackSet,
    hubAccountId: env.account,
    hubRegion: env.region,
    dependsOn: trusted,
  });
  const template = Template.fromStack(stack);
  return { config, stack, sets, template };
}

function stackSetNamed(template: Template, name: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(template.findResources('AWS::CloudFormation::StackSet')).filter(
    ([, r]) => r.Properties.StackSetName === name,
  );
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] ?? ['', {}];
  return { id, props: resource.Properties as Record<string, unknown> };
}

describe('MemberStackSets', () => {
  it('deploys the member roles once per account, service-managed, to the OUs and to accounts that join them', () => {
    // Given a hub configured with memberStackSet
    // When synthesized
    const { template } = synth();

    // Then the roles StackSet is service-managed with automatic deployment, in the hub's region only (IAM is global)
    const roles = stackSetNamed(template, MEMBER_ROLES_STACK_SET_NAME);
    expect(roles.props).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      OperationPreferences: {
        MaxConcurrentPercentage: 25,
        FailureTolerancePercentage: 0,
        RegionConcurrencyType: 'PARALLEL',
      },
      StackInstancesGroup: [
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] }, Regions: [HUB_REGION] },
      ],
    });
  });

  it('deploys the CreateCluster forwarder in every listed region', () => {
    const { template } = synth();
    const events = stackSetNamed(template, MEMBER_EVENTS_STACK_SET_NAME);
    expect(events.props).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true },
      StackInstancesGroup: [
        {
          DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] },
          Regions: ['eu-west-1', 'us-east-1'],
        },
      ],
    });
  });

  it('carries the member templates inline, as the member stacks synthesize them, within the TemplateBody limit', () => {
    // Given the configuration's member stacks synthesized on their own
    const { config, template } = synth();
    const expected = {
      [MEMBER_ROLES_STACK_SET_NAME]: synthesizeMemberTemplate(
        (app) => new MemberRolesStack(app, 'R', memberRolesProps(config, HUB_ACCOUNT)),
      ),
      [MEMBER_EVENTS_STACK_SET_NAME]: synthesizeMemberTemplate(
        (app) => new MemberEventsStack(app, 'E', memberEventsProps(HUB_ACCOUNT, HUB_REGION)),
      ),
    };

    for (const [name, member] of Object.entries(expected)) {
      // When the StackSet's body is read
      const body = stackSetNamed(template, name).props.TemplateBody;

      // Then it is that template, as text, with no bootstrap parameter, under 51,200 bytes
      expect(typeof body).toBe('string');
      expect(JSON.parse(body as string)).toEqual(member);
      expect(body).not.toMatch(/BootstrapVersion|cdk-bootstrap|hnb659fds/);
      expect(Buffer.byteLength(body as string)).toBeLessThanOrEqual(TEMPLATE_BODY_MAX_BYTES);
    }
    // The member roles trust the configured hub with the external id
    const roles = JSON.parse(stackSetNamed(template, MEMBER_ROLES_STACK_SET_NAME).props.TemplateBody as string);
    expect(JSON.stringify(roles)).toContain(`:iam::${HUB_ACCOUNT}:role/IrsaDoctorHubReader`);
    expect(JSON.stringify(roles)).toContain('irsa-doctor-1');
  });

  it('is made after the hub roles the member roles trust', () => {
    // Given the hub's two roles, passed as dependsOn
    const { template } = synth();
    const roleIds = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roleIds).toHaveLength(2);
    // Then each StackSet depends on both, so IAM finds the principals the member roles trust
    for (const name of [MEMBER_ROLES_STACK_SET_NAME, MEMBER_EVENTS_STACK_SET_NAME]) {
      template.hasResource('AWS::CloudFormation::StackSet', {
        Properties: Match.objectLike({ StackSetName: name }),
        DependsOn: Match.arrayWith(roleIds),
      });
    }
  });

  it('takes a delegated administrator and operation preferences from the configuration', () => {
    const { template } = synth({
      ...INPUT,
      memberStackSet: {
        organizationalUnits: ['ou-ab12-cdef3456'],
        regions: ['eu-west-1'],
        callAs: 'DELEGATED_ADMIN',
        maxConcurrentPercentage: 100,
        failureTolerancePercentage: 10,
      },
    });
    expect(stackSetNamed(template, MEMBER_ROLES_STACK_SET_NAME).props).toMatchObject({
      CallAs: 'DELEGATED_ADMIN',
      OperationPreferences: { MaxConcurrentPercentage: 100, FailureTolerancePercentage: 10 },
    });
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    const { stack } = synth();
    expect(nagViolations(stack)).toEqual([]);
  });

  it('needs the hub account and region at synthesis, saying so', () => {
    // Given a hub stack with no environment (account and region are tokens)
    const stack = new Stack(testApp(), 'Hub');
    // When the environment is read for the member templates
    // Then the error says what to set
    expect(() => concreteEnvironment(stack)).toThrow(
      "memberStackSet needs the hub account and region at synthesis: give the hub's stack an env with both",
    );
    expect(() => concreteEnvironment(stack)).toThrow('set hubAccountId and hubRegion');
  });
});
