import { Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** The source of every event IRSA Doctor publishes (lambdas/adapters/notifications.ts). */
export const IRSA_DOCTOR_EVENT_SOURCE = 'irsa-doctor';
/** What member accounts forward: CloudTrail management events of EKS (CREATE_CLUSTER_EVENT_PATTERN). */
export const FORWARDED_EVENT_SOURCE = 'aws.eks';
export const FORWARDED_DETAIL_TYPE = 'AWS API Call via CloudTrail';

export interface HubEventBusProps {
  readonly eventBusName: string;
  /** Member accounts are admitted by aws:PrincipalOrgID. Takes precedence over `accounts`. */
  readonly organizationId?: string;
  /** Without an organization: the member accounts admitted by account. */
  readonly accounts?: readonly string[];
}

/**
 * The hub's event bus, and a resource policy that makes it accept only what IRSA Doctor uses:
 *
 * - `MemberAccountsForwardEksEvents`: member accounts (the organization, or the listed accounts) may put events whose
 *   every entry has source `aws.eks` and detail-type `AWS API Call via CloudTrail`, and nothing else. (EventBridge
 *   refuses `aws.*` sources on a direct PutEvents, so such events can only be genuine ones forwarded by a rule.)
 * - `OnlyIrsaDoctorPublishesItsEvents` (Deny): events with an `irsa-doctor*` source from any principal but the roles
 *   granted PutEvents through `grantPutEventsTo` (the hub functions that publish), whatever their own policies say.
 * - `AcceptOnlyForwardedAndIrsaDoctorEvents` (Deny): any other source, from anyone, the hub account included.
 */
export class HubEventBus extends events.EventBus {
  private readonly publisherArns: string[] = [];

  constructor(scope: Construct, id: string, props: HubEventBusProps) {
    super(scope, id, { eventBusName: props.eventBusName });
    const accounts = props.accounts ?? [];
    const principals = props.organizationId
      ? [new iam.OrganizationPrincipal(props.organizationId)]
      : accounts.map((account) => new iam.AccountPrincipal(account));
    if (principals.length > 0) {
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'MemberAccountsForwardEksEvents',
          principals,
          actions: ['events:PutEvents'],
          resources: [this.eventBusArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'events:source': [FORWARDED_EVENT_SOURCE],
              'events:detail-type': [FORWARDED_DETAIL_TYPE],
            },
            // ForAllValues is true of an absent key: require both.
            Null: { 'events:source': 'false', 'events:detail-type': 'false' },
          },
        }),
      );
    }
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyIrsaDoctorPublishesItsEvents',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBusArn],
        conditions: {
          'ForAnyValue:StringLike': { 'events:source': [`${IRSA_DOCTOR_EVENT_SOURCE}*`] },
          ArnNotEquals: {
            'aws:PrincipalArn': Lazy.list({
              produce: () => {
                if (this.publisherArns.length === 0) {
                  throw new Error(`${this.node.path}: no publisher was granted PutEvents; nobody could publish`);
                }
                return [...this.publisherArns];
              },
            }),
          },
        },
      }),
    );
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AcceptOnlyForwardedAndIrsaDoctorEvents',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['events:PutEvents'],
        resources: [this.eventBusArn],
        conditions: {
          'ForAnyValue:StringNotEquals': { 'events:source': [FORWARDED_EVENT_SOURCE, IRSA_DOCTOR_EVENT_SOURCE] },
        },
      }),
    );
  }

  /** Grants PutEvents to a role of this stack, and makes it one of the principals that may publish irsa-doctor events. */
  override grantPutEventsTo(grantee: iam.IGrantable, sid?: string): iam.Grant {
    const role = grantee.grantPrincipal;
    if (!(role instanceof iam.Role) || Stack.of(role) !== Stack.of(this)) {
      throw new Error(`${this.node.path}: only roles of this stack may publish IRSA Doctor events`);
    }
    this.publisherArns.push(role.roleArn);
    return super.grantPutEventsTo(grantee, sid);
  }
}
