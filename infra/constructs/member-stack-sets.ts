/**
 * The hub's own rollout of the member stacks (config `memberStackSet`): two service-managed StackSets, whose
 * templates are the member stacks synthesized without bootstrap references (infra/stacks/member-synthesis.ts), inline
 * as TemplateBody. AWS Organizations deploys them to every account of the chosen OUs, and to accounts that join them
 * later (automatic deployment); an account that leaves loses them.
 *
 * - MemberRoles: the scanner and remediator roles (IAM is global), one instance per account, in the hub's region.
 * - MemberEvents: the CreateCluster forwarder, one instance per account and listed region.
 *
 * StackSets never deploy to the management account itself: the hub account, when it is swept, gets the member roles
 * by the IrsaDoctorMemberRoles stack (README, "Member accounts").
 */
import { CfnStackSet, type Stack } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import type { IrsaDoctorConfig, MemberStackSetConfig } from '../config';
import { MemberEventsStack, type MemberEventsStackProps } from '../stacks/member-events-stack';
import { MemberRolesStack, type MemberRolesStackProps } from '../stacks/member-roles-stack';
import { synthesizeMemberTemplate, templateBody } from '../stacks/member-synthesis';
import { HUB_EVENT_BUS_NAME } from './hub-names';

/** The StackSets' names in the hub account. */
export const MEMBER_ROLES_STACK_SET_NAME = 'IrsaDoctor-MemberRoles';
export const MEMBER_EVENTS_STACK_SET_NAME = 'IrsaDoctor-MemberEvents';

/** The member roles' props from the configuration: one definition for the app's stack and the StackSet. */
export function memberRolesProps(config: IrsaDoctorConfig, hubAccountId: string): MemberRolesStackProps {
  return {
    description: 'IRSA Doctor member roles: read-only scanner and narrow remediator (once per account)',
    hubAccountId,
    scannerRoleName: config.scannerRoleName,
    remediatorRoleName: config.remediatorRoleName,
    remediableRoles: { mode: config.remediableRoles, paths: config.remediablePaths },
    ...(config.externalId ? { externalId: config.externalId } : {}),
  };
}

/** The member event forwarder's props: one definition for the app's stack and the StackSet. */
export function memberEventsProps(hubAccountId: string, hubRegion: string): MemberEventsStackProps {
  return {
    description: 'IRSA Doctor member events: forward CreateCluster to the hub bus (once per account and region)',
    hubAccountId,
    hubRegion,
    eventBusName: HUB_EVENT_BUS_NAME,
  };
}

export interface MemberStackSetsProps {
  /** The configuration: the member roles' names, scope and external id. */
  readonly config: IrsaDoctorConfig;
  /** Where and how to deploy. */
  readonly stackSet: MemberStackSetConfig;
  /** The hub account the member roles trust, and the hub region events are forwarded to (both concrete). */
  readonly hubAccountId: string;
  readonly hubRegion: string;
  /**
   * Made before the StackSets: the hub roles the member roles trust (IAM checks that a trusted role exists).
   * @default []
   */
  readonly dependsOn?: readonly IConstruct[];
}

/** Two service-managed StackSets of the member stacks, with automatic deployment to the chosen OUs. */
export class MemberStackSets extends Construct {
  readonly rolesStackSet: CfnStackSet;
  readonly eventsStackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: MemberStackSetsProps) {
    super(scope, id);
    const { config, stackSet, hubAccountId, hubRegion } = props;
    const roles = synthesizeMemberTemplate(
      (app) => new MemberRolesStack(app, 'MemberRoles', memberRolesProps(config, hubAccountId)),
    );
    const events = synthesizeMemberTemplate(
      (app) => new MemberEventsStack(app, 'MemberEvents', memberEventsProps(hubAccountId, hubRegion)),
    );
    this.rolesStackSet = serviceManagedStackSet(this, 'MemberRoles', {
      name: MEMBER_ROLES_STACK_SET_NAME,
      description: 'IRSA Doctor member roles (scanner, remediator), once per account',
      body: templateBody(MEMBER_ROLES_STACK_SET_NAME, roles),
      regions: [hubRegion],
      stackSet,
    });
    this.eventsStackSet = serviceManagedStackSet(this, 'MemberEvents', {
      name: MEMBER_EVENTS_STACK_SET_NAME,
      description: 'IRSA Doctor CreateCluster forwarder to the hub event bus, once per account and region',
      body: templateBody(MEMBER_EVENTS_STACK_SET_NAME, events),
      regions: stackSet.regions,
      stackSet,
    });
    for (const dependency of props.dependsOn ?? []) {
      this.rolesStackSet.node.addDependency(dependency);
      this.eventsStackSet.node.addDependency(dependency);
    }
  }
}

function serviceManagedStackSet(
  scope: Construct,
  id: string,
  set: {
    readonly name: string;
    readonly description: string;
    readonly body: string;
    readonly regions: readonly string[];
    readonly stackSet: MemberStackSetConfig;
  },
): CfnStackSet {
  return new CfnStackSet(scope, id, {
    stackSetName: set.name,
    description: set.description,
    permissionModel: 'SERVICE_MANAGED',
    autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
    callAs: set.stackSet.callAs,
    capabilities: ['CAPABILITY_NAMED_IAM'],
    managedExecution: { Active: true },
    operationPreferences: {
      maxConcurrentPercentage: set.stackSet.maxConcurrentPercentage,
      failureTolerancePercentage: set.stackSet.failureTolerancePercentage,
      regionConcurrencyType: 'PARALLEL',
    },
    stackInstancesGroup: [
      {
        deploymentTargets: { organizationalUnitIds: [...set.stackSet.organizationalUnits] },
        regions: [...set.regions],
      },
    ],
    templateBody: set.body,
  });
}

/** The hub stack's account and region, which the member templates name: they must be known at synthesis. */
export function concreteEnvironment(stack: Stack): { readonly account: string; readonly region: string } {
  const account = stack.account;
  const region = stack.region;
  if (!/^\d{12}$/.test(account) || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
    throw new Error(
      "memberStackSet needs the hub account and region at synthesis: give the hub's stack an env with both (the " +
        "repository's app: set hubAccountId and hubRegion, or deploy with credentials)",
    );
  }
  return { account, region };
}
