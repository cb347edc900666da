/**
 * The member templates, synthesized as the hub's StackSets carry them (infra/stacks/member-synthesis.ts), deployed by
 * the emulator's CloudFormation as service-managed StackSet instances into an organization's new account, which has
 * no CDK bootstrap: no CDKToolkit stack and no /cdk-bootstrap parameter. The roles then exist in that account's IAM
 * with the trust and policies of the member stack. The same stack synthesized with CDK's default synthesizer is refused
 * there, for the bootstrap's version parameter it names.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, GetRolePolicyCommand, type IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
} from '@aws-sdk/client-organizations';
import { DefaultStackSynthesizer } from 'aws-cdk-lib';
import { asAccount, EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { resolveConfig } from '../../../infra/config';
import {
  MEMBER_EVENTS_STACK_SET_NAME,
  MEMBER_ROLES_STACK_SET_NAME,
  memberEventsProps,
  memberRolesProps,
} from '../../../infra/constructs/member-stack-sets';
import { HUB_EVENT_BUS_NAME, HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from '../../../infra/stacks/hub-stack';
import { MemberEventsStack } from '../../../infra/stacks/member-events-stack';
import { MemberRolesStack } from '../../../infra/stacks/member-roles-stack';
import { synthesizeMemberTemplate, templateBody } from '../../../infra/stacks/member-synthesis';
import { budgetFor } from '../budget';
import { endpointUrl } from '../emulator-env';

/** The management account of this file's organization (no other test file uses it) and the hub it trusts. */
const MANAGEMENT = '390000000017';
const HUB = '390000000018';
const REGION = 'us-east-1';
const config = resolveConfig({ externalId: 'irsa-doctor-stackset' });

function cloudFormation(account: string, region = REGION): CloudFormationClient {
  const client = new CloudFormationClient({
    endpoint: endpointUrl(),
    region,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: 1,
  });
  client.middlewareStack.use(asAccount(account));
  return client;
}

let member: string;
let memberIam: IAMClient;
let ouId: string;

beforeAll(
  async () => {
    // An organization with one OU and a new account in it, never bootstrapped.
    const org = seedClients(endpointUrl(), MANAGEMENT).organizations;
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    ouId = (await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'workloads' })))
      .OrganizationalUnit?.Id as string;
    const created = await org.send(new CreateAccountCommand({ AccountName: 'team-a', Email: 'team-a@example.com' }));
    member = created.CreateAccountStatus?.AccountId as string;
    await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: ouId }));
    memberIam = seedClients(endpointUrl(), member).iam;
  },
  budgetFor({ calls: 10 }),
);

describe('the member templates as service-managed StackSets', () => {
  it(
    'deploy the member roles into an account without CDK bootstrap, with their trust and policies',
    async () => {
      // Given an account with no CDK bootstrap stack
      await expect(cloudFormation(member).send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }))).rejects.toThrow(
        /does not exist/,
      );
      // and the member roles template, as the hub's StackSet carries it
      const body = templateBody(
        MEMBER_ROLES_STACK_SET_NAME,
        synthesizeMemberTemplate((app) => new MemberRolesStack(app, 'MemberRoles', memberRolesProps(config, HUB))),
      );

      // When the management account creates the StackSet and its instances for the OU
      const cfn = cloudFormation(MANAGEMENT);
      await cfn.send(
        new CreateStackSetCommand({
          StackSetName: MEMBER_ROLES_STACK_SET_NAME,
          TemplateBody: body,
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      await cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: MEMBER_ROLES_STACK_SET_NAME,
          DeploymentTargets: { OrganizationalUnitIds: [ouId] },
          Regions: [REGION],
          OperationPreferences: { MaxConcurrentPercentage: 25, FailureTolerancePercentage: 0 },
        }),
      );

      // Then the account has an instance
      const instances = await cfn.send(new ListStackInstancesCommand({ StackSetName: MEMBER_ROLES_STACK_SET_NAME }));
      expect(instances.Summaries?.map((s) => [s.Account, s.Region])).toEqual([[member, REGION]]);

      // and its IAM has both roles, trusting only the hub's reader and writer, with the external id
      const trust = async (roleName: string) => {
        const role = (await memberIam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
        return JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '{}'));
      };
      const expectTrust = (document: { Statement: unknown[] }, hubRole: string) =>
        expect(document.Statement).toEqual([
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${HUB}:role/${hubRole}` },
            Condition: { StringEquals: { 'sts:ExternalId': 'irsa-doctor-stackset' } },
          },
        ]);
      expectTrust(await trust(config.scannerRoleName), HUB_READER_ROLE_NAME);
      expectTrust(await trust(config.remediatorRoleName), HUB_WRITER_ROLE_NAME);

      // with their inline policies, each ending in the Deny of everything else
      const policy = async (roleName: string, policyName: string) => {
        const names = (await memberIam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames;
        expect(names).toEqual([policyName]);
        const document = (
          await memberIam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))
        ).PolicyDocument;
        return JSON.parse(decodeURIComponent(document ?? '{}')) as {
          Statement: Array<{ Sid: string; Effect: string }>;
        };
      };
      const scanner = await policy(config.scannerRoleName, 'ReadIrsaConfiguration');
      expect(scanner.Statement.map((s) => s.Sid)).toContain('ReadRoles');
      expect(scanner.Statement.at(-1)).toMatchObject({ Sid: 'NothingElseEver', Effect: 'Deny' });
      const remediator = await policy(config.remediatorRoleName, 'RepairIrsa');
      expect(remediator.Statement.map((s) => s.Sid)).toContain('RewriteTrustOfOptedInRoles');
      expect(remediator.Statement.at(-1)).toMatchObject({ Sid: 'NothingElseEver', Effect: 'Deny' });

      // and still no bootstrap: the StackSet made none
      await expect(cloudFormation(member).send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }))).rejects.toThrow(
        /does not exist/,
      );
    },
    budgetFor({ calls: 20, syntheses: 1 }),
  );

  it(
    "are needed: with CDK's default synthesizer the member roles are refused in that account, for want of a bootstrap",
    async () => {
      // Given the member roles synthesized as a CDK app would by default (BootstrapVersion parameter and rule)
      const template = synthesizeMemberTemplate(
        (app) =>
          new MemberRolesStack(app, 'MemberRoles', {
            ...memberRolesProps(config, HUB),
            scannerRoleName: 'BootstrappedScanner',
            remediatorRoleName: 'BootstrappedRemediator',
            synthesizer: new DefaultStackSynthesizer(),
          }),
      );

      // When the account deploys it
      const deploy = cloudFormation(member).send(
        new CreateStackCommand({
          StackName: 'IrsaDoctorMemberRoles',
          TemplateBody: JSON.stringify(template),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );

      // Then CloudFormation cannot read the bootstrap's version parameter: the account has none
      await expect(deploy).rejects.toThrow(
        'Unable to fetch parameters [/cdk-bootstrap/hnb659fds/version] from parameter store for this account.',
      );
    },
    budgetFor({ calls: 5, syntheses: 1 }),
  );

  it(
    'deploy the CreateCluster forwarder in each region of the account',
    async () => {
      // Given the member events template
      const body = templateBody(
        MEMBER_EVENTS_STACK_SET_NAME,
        synthesizeMemberTemplate((app) => new MemberEventsStack(app, 'MemberEvents', memberEventsProps(HUB, REGION))),
      );

      // When deployed to the OU in two regions
      const cfn = cloudFormation(MANAGEMENT);
      await cfn.send(
        new CreateStackSetCommand({
          StackSetName: MEMBER_EVENTS_STACK_SET_NAME,
          TemplateBody: body,
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          Capabilities: ['CAPABILITY_IAM'],
        }),
      );
      await cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: MEMBER_EVENTS_STACK_SET_NAME,
          DeploymentTargets: { OrganizationalUnitIds: [ouId] },
          Regions: [REGION, 'eu-west-1'],
        }),
      );

      // Then the account has one instance per region
      const instances = await cfn.send(new ListStackInstancesCommand({ StackSetName: MEMBER_EVENTS_STACK_SET_NAME }));
      expect(instances.Summaries?.map((s) => `${s.Account}/${s.Region}`).sort()).toEqual(
        [`${member}/${REGION}`, `${member}/eu-west-1`].sort(),
      );
      expect(body).toContain(`:event-bus/${HUB_EVENT_BUS_NAME}`);
    },
    budgetFor({ calls: 10, syntheses: 1 }),
  );

  it(
    'deploy automatically to an account that joins the OU, and leave one that leaves it (after the StackSets above)',
    async () => {
      // Given both StackSets deployed to the OU (the tests above), and a new account outside it
      const org = seedClients(endpointUrl(), MANAGEMENT).organizations;
      const rootId = (await org.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
      const joined = (await org.send(new CreateAccountCommand({ AccountName: 'team-b', Email: 'team-b@example.com' })))
        .CreateAccountStatus?.AccountId as string;
      const instancesOf = async (stackSetName: string) =>
        (
          (await cloudFormation(MANAGEMENT).send(new ListStackInstancesCommand({ StackSetName: stackSetName })))
            .Summaries ?? []
        )
          .filter((s) => s.Account === joined)
          .map((s) => s.Region)
          .sort();
      expect(await instancesOf(MEMBER_ROLES_STACK_SET_NAME)).toEqual([]);

      // When it is moved into the OU
      await org.send(new MoveAccountCommand({ AccountId: joined, SourceParentId: rootId, DestinationParentId: ouId }));

      // Then both StackSets deploy to it, in their regions, with no CreateStackInstances call
      expect(await instancesOf(MEMBER_ROLES_STACK_SET_NAME)).toEqual([REGION]);
      expect(await instancesOf(MEMBER_EVENTS_STACK_SET_NAME)).toEqual(['eu-west-1', REGION].sort());
      const joinedIam = seedClients(endpointUrl(), joined).iam;
      const scanner = await joinedIam.send(new GetRoleCommand({ RoleName: config.scannerRoleName }));
      expect(decodeURIComponent(scanner.Role?.AssumeRolePolicyDocument ?? '')).toContain(
        `arn:aws:iam::${HUB}:role/${HUB_READER_ROLE_NAME}`,
      );

      // and when it leaves the OU, its instances and roles go (RetainStacksOnAccountRemoval false)
      await org.send(new MoveAccountCommand({ AccountId: joined, SourceParentId: ouId, DestinationParentId: rootId }));
      expect(await instancesOf(MEMBER_ROLES_STACK_SET_NAME)).toEqual([]);
      expect(await instancesOf(MEMBER_EVENTS_STACK_SET_NAME)).toEqual([]);
      await expect(joinedIam.send(new GetRoleCommand({ RoleName: config.scannerRoleName }))).rejects.toMatchObject({
        name: 'NoSuchEntityException',
      });
    },
    budgetFor({ calls: 15 }),
  );
});
