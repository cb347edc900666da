/**
 * What the hub and the member stacks agree on: the hub roles' names (trusted by the member roles), the hub bus's name
 * and the event pattern member accounts forward to it. A file of its own, importing nothing of the stacks, so that
 * the hub construct can synthesize the member stacks (its StackSets) and the member stacks can name the hub without
 * an import cycle.
 */
import type * as events from 'aws-cdk-lib/aws-events';

/** Hub role the scanning functions run as; every ScannerRole trusts exactly this role (by ARN). */
export const HUB_READER_ROLE_NAME = 'IrsaDoctorHubReader';
/** Hub role the apply and rollback functions run as; every RemediatorRole trusts exactly this role (by ARN). */
export const HUB_WRITER_ROLE_NAME = 'IrsaDoctorHubWriter';

/** The hub's event bus: per-finding and per-change events, and CreateCluster events forwarded by member accounts. */
export const HUB_EVENT_BUS_NAME = 'irsa-doctor';

/** A new EKS cluster (CloudTrail management event), which triggers a single-cluster run once the cluster is active. */
export const CREATE_CLUSTER_EVENT_PATTERN: events.EventPattern = {
  source: ['aws.eks'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['eks.amazonaws.com'], eventName: ['CreateCluster'] },
};
