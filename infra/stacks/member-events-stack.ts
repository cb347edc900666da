import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { IrsaDoctorMemberEvents, type IrsaDoctorMemberEventsProps } from '../constructs/irsa-doctor-member-events';
import { memberStackProps } from './member-synthesis';

export interface MemberEventsStackProps extends StackProps, IrsaDoctorMemberEventsProps {
  /** The hub's event bus (HUB_EVENT_BUS_NAME): always given by the repository's app. */
  readonly eventBusName: string;
}

/**
 * The CreateCluster forwarder (infra/constructs/irsa-doctor-member-events.ts) as a stack of its own, in every swept
 * region of every member account (e.g. a StackSet); synthesized without CDK bootstrap references
 * (member-synthesis.ts). The construct's id is `Default`, left out of logical ids: its resources keep the logical
 * ids they had when this stack made them itself.
 */
export class MemberEventsStack extends Stack {
  readonly memberEvents: IrsaDoctorMemberEvents;
  readonly rule: events.Rule;
  readonly hubEventBusArn: string;

  constructor(scope: Construct, id: string, props: MemberEventsStackProps) {
    super(scope, id, memberStackProps(props));
    this.memberEvents = new IrsaDoctorMemberEvents(this, 'Default', props);
    this.rule = this.memberEvents.rule;
    this.hubEventBusArn = this.memberEvents.hubEventBusArn;
  }
}
