import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CREATE_CLUSTER_EVENT_PATTERN, HUB_EVENT_BUS_NAME } from './hub-names';

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

export interface IrsaDoctorMemberEventsProps {
  /** The hub account (12 digits), owner of the bus events are forwarded to. */
  readonly hubAccountId: string;
  /** The hub's region, e.g. `eu-west-1`. */
  readonly hubRegion: string;
  /** The hub's event bus. @default 'irsa-doctor' (HUB_EVENT_BUS_NAME, the bus IrsaDoctorHub makes) */
  readonly eventBusName?: string;
}

/**
 * Forwards CreateCluster events from one member account and region to the hub's event bus, where they start a
 * single-cluster run. Regional: one in every swept region of every member account; the hub bus admits the
 * organization (or the listed accounts) by its resource policy. No Lambda and no assets: EventBridge forwards the
 * event itself. The repository's MemberEventsStack holds one, synthesized without CDK bootstrap references.
 */
export class IrsaDoctorMemberEvents extends Construct {
  readonly rule: events.Rule;
  readonly hubEventBusArn: string;

  constructor(scope: Construct, id: string, props: IrsaDoctorMemberEventsProps) {
    super(scope, id);
    const eventBusName = props.eventBusName ?? HUB_EVENT_BUS_NAME;
    if (!ACCOUNT_ID.test(props.hubAccountId)) {
      throw new Error(`hubAccountId must be a 12-digit account id, got ${JSON.stringify(props.hubAccountId)}`);
    }
    if (!REGION.test(props.hubRegion)) {
      throw new Error(`hubRegion must be a region name such as us-east-1, got ${JSON.stringify(props.hubRegion)}`);
    }
    if (!BUS_NAME.test(eventBusName)) {
      throw new Error(`eventBusName must be an event bus name, got ${JSON.stringify(eventBusName)}`);
    }
    this.hubEventBusArn = `arn:${Aws.PARTITION}:events:${props.hubRegion}:${props.hubAccountId}:event-bus/${eventBusName}`;
    const hubBus = events.EventBus.fromEventBusArn(this, 'HubEventBus', this.hubEventBusArn);
    const forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'IRSA Doctor: put CreateCluster events on the hub event bus',
    });
    this.rule = new events.Rule(this, 'ForwardCreateClusterRule', {
      description: 'IRSA Doctor: forward new EKS clusters to the hub, which checks their IRSA setup',
      eventPattern: CREATE_CLUSTER_EVENT_PATTERN,
      targets: [new eventTargets.EventBus(hubBus, { role: forwardRole })],
    });
  }
}
