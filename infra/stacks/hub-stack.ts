import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { IrsaDoctorConfig } from '../config';
import type { ApprovalConsole } from '../constructs/approval-console';
import type { HubAlarms } from '../constructs/hub-alarms';
import type { HubEventBus } from '../constructs/hub-event-bus';
import type { HubTriggers } from '../constructs/hub-triggers';
import { type ConsoleHandler, type HubHandler, IrsaDoctorHub } from '../constructs/irsa-doctor-hub';
import type { IrsaFunction } from '../constructs/irsa-function';
import type { MemberStackSets } from '../constructs/member-stack-sets';
import type { RemediationStateMachine } from '../constructs/remediation-state-machine';
import type { SweepStateMachine } from '../constructs/sweep-state-machine';
import type { WorkflowFunctions } from '../constructs/workflow-functions';

export {
  DECISION_ATTRIBUTES,
  DECISION_RECORDED_FILTER,
  RECONCILE_SCHEDULE,
  ROLLBACK_RECONCILE_SCHEDULE,
  ROLLBACK_REQUESTED_FILTER,
} from '../constructs/console-functions';
export {
  CREATE_CLUSTER_EVENT_PATTERN,
  HUB_EVENT_BUS_NAME,
  HUB_READER_ROLE_NAME,
  HUB_WRITER_ROLE_NAME,
} from '../constructs/hub-names';
export { AUDIT_RECONCILE_SCHEDULE, STATE_MACHINE_ARN_ENV } from '../constructs/hub-triggers';
export {
  CONSOLE_HANDLERS,
  type ConsoleHandler,
  HUB_HANDLERS,
  type HubHandler,
  TRIGGER_HANDLERS,
} from '../constructs/irsa-doctor-hub';
export { AUDIT_TABLE_ACTIONS } from '../constructs/workflow-functions';

export interface HubStackProps extends StackProps {
  /** The configuration (infra/config.ts: loadConfig or resolveConfig); validated again by the hub construct. */
  readonly config: IrsaDoctorConfig;
}

/**
 * The repository's hub stack: a Stack holding one IrsaDoctorHub (infra/constructs/irsa-doctor-hub.ts), whose parts
 * it exposes. The construct's id is `Default`, which CDK leaves out of logical ids: every resource keeps the logical
 * id it had when this stack built the hub itself, so an upgrade replaces no table, bucket, key or role
 * (test/infra/stateful-logical-ids.test.ts).
 */
export class HubStack extends Stack {
  readonly hub: IrsaDoctorHub;
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly snapshotBucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly topicKey: kms.Key;
  readonly eventBus: HubEventBus;
  readonly readerRole: iam.Role;
  readonly writerRole: iam.Role;
  /** Every function; the console's (deliver-decisions, approval-api, run-rollback) only with `console`. */
  readonly functions: Readonly<Record<Exclude<HubHandler, ConsoleHandler>, IrsaFunction>> & {
    readonly [H in ConsoleHandler]?: IrsaFunction;
  };
  readonly workflowFunctions: WorkflowFunctions;
  readonly sweep: SweepStateMachine;
  readonly remediation: RemediationStateMachine;
  readonly triggers: HubTriggers;
  /** The approval console (user pool, API, page); only with `console`. */
  readonly approvalConsole?: ApprovalConsole;
  /** Alarms routed to the topic, and the dashboard. */
  readonly alarms: HubAlarms;
  /** The member stacks as service-managed StackSets; only with `memberStackSet`. */
  readonly memberStackSets?: MemberStackSets;

  constructor(scope: Construct, id: string, props: HubStackProps) {
    super(scope, id, props);
    const hub = new IrsaDoctorHub(this, 'Default', props.config);
    this.hub = hub;
    this.stateTable = hub.stateTable;
    this.auditTable = hub.auditTable;
    this.snapshotBucket = hub.snapshotBucket;
    this.accessLogBucket = hub.accessLogBucket;
    this.topic = hub.topic;
    this.topicKey = hub.topicKey;
    this.eventBus = hub.eventBus;
    this.readerRole = hub.readerRole;
    this.writerRole = hub.writerRole;
    this.functions = hub.functions;
    this.workflowFunctions = hub.workflowFunctions;
    this.sweep = hub.sweep;
    this.remediation = hub.remediation;
    this.triggers = hub.triggers;
    if (hub.approvalConsole) this.approvalConsole = hub.approvalConsole;
    this.alarms = hub.alarms;
    if (hub.memberStackSets) this.memberStackSets = hub.memberStackSets;
  }
}
