/**
 * The package's `irsa-doctor/cdk` entry: IRSA Doctor as constructs for a user's own CDK app (README, "Use the
 * constructs in your CDK app"). `aws-cdk-lib` and `constructs` are the user's (peer dependencies); the Lambda handlers
 * and the approval console come prebuilt in the package (dist/assets, built at pack time by scripts/bundle-assets.ts),
 * so a synth needs neither esbuild nor TypeScript sources.
 *
 * - IrsaDoctorHub: the hub (workflow, state machines, tables, topic, alarms, the approval console with `console`, the
 *   member StackSets with `memberStackSet`), once, in the hub account.
 * - IrsaDoctorMemberRoles: the scanner and remediator roles, once per swept account.
 * - IrsaDoctorMemberEvents: the CreateCluster forwarder, once per swept account and region.
 * - HubStack, MemberRolesStack, MemberEventsStack: the same as the repository's ready-made stacks (the member stacks
 *   synthesized without bootstrap references, for StackSets).
 */
export {
  AUTO_APPLICABLE_ACTIONS,
  ConfigError,
  DEFAULT_CONFIG,
  type IrsaDoctorConfig,
  type IrsaDoctorConfigInput,
  type MemberStackSetConfig,
  type MemberStackSetInput,
  resolveConfig,
} from './config';
export { ApprovalConsole } from './constructs/approval-console';
export { HubAlarms } from './constructs/hub-alarms';
export {
  CREATE_CLUSTER_EVENT_PATTERN,
  HUB_EVENT_BUS_NAME,
  HUB_READER_ROLE_NAME,
  HUB_WRITER_ROLE_NAME,
} from './constructs/hub-names';
export { IrsaDoctorHub, type IrsaDoctorHubProps } from './constructs/irsa-doctor-hub';
export { IrsaDoctorMemberEvents, type IrsaDoctorMemberEventsProps } from './constructs/irsa-doctor-member-events';
export {
  IrsaDoctorMemberRoles,
  type IrsaDoctorMemberRolesProps,
  ORGANIZATION_ACCESS_ROLE_NAME,
} from './constructs/irsa-doctor-member-roles';
export {
  MEMBER_EVENTS_STACK_SET_NAME,
  MEMBER_ROLES_STACK_SET_NAME,
  MemberStackSets,
} from './constructs/member-stack-sets';
export { HubStack, type HubStackProps } from './stacks/hub-stack';
export { MemberEventsStack, type MemberEventsStackProps } from './stacks/member-events-stack';
export { MemberRolesStack, type MemberRolesStackProps } from './stacks/member-roles-stack';
export { MemberAssetError, MemberStackSynthesizer } from './stacks/member-synthesis';
