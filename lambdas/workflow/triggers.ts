import { createHash } from 'node:crypto';
import type { WorkflowStarter } from '../ports/notifier';
import type { RunInput } from '../shared/contracts';
import { InvalidPayloadError } from '../shared/errors';

/** The parts of a CloudTrail CreateCluster event (via EventBridge) that name the cluster. */
interface CreateClusterEvent {
  readonly account?: string;
  readonly region?: string;
  readonly detail?: {
    readonly recipientAccountId?: string;
    readonly awsRegion?: string;
    readonly errorCode?: string;
    /** Who called CreateCluster (CloudTrail): the run records them, and they may not approve its plans. */
    readonly userIdentity?: {
      readonly type?: string;
      readonly userName?: string;
      readonly arn?: string;
      readonly principalId?: string;
    };
    readonly requestParameters?: { readonly name?: string };
    readonly responseElements?: { readonly cluster?: { readonly name?: string; readonly createdAt?: string | number } };
  };
}

/**
 * EventBridge (CreateCluster, in the hub or forwarded from a member account) -> one single-cluster run. The
 * execution name is derived from the cluster, so the same event delivered twice (hub and member rules, retries)
 * starts one execution; the run's first step also claims the cluster in the state table.
 */
export async function startClusterCheck(starter: WorkflowStarter, event: CreateClusterEvent) {
  const detail = event.detail ?? {};
  if (detail.errorCode)
    return { started: false, reason: `CreateCluster failed (${detail.errorCode}); nothing to check` };
  const accountId = detail.recipientAccountId ?? event.account;
  const region = detail.awsRegion ?? event.region;
  const name = detail.responseElements?.cluster?.name ?? detail.requestParameters?.name;
  if (!accountId || !/^\d{12}$/.test(accountId) || !region || !name) {
    throw new InvalidPayloadError('not a CreateCluster event: account, region or cluster name missing', [
      ...(accountId ? [] : ['$.detail.recipientAccountId']),
      ...(region ? [] : ['$.detail.awsRegion']),
      ...(name ? [] : ['$.detail.responseElements.cluster.name']),
    ]);
  }
  const key = createHash('sha256').update(`${accountId}/${region}/${name}`).digest('hex').slice(0, 24);
  const requestedBy = personOf(detail.userIdentity);
  const input: RunInput = {
    mode: 'cluster',
    trigger: 'cluster-created',
    cluster: { accountId, region, name },
    ...(requestedBy ? { requestedBy } : {}),
  };
  const result = await starter.start(`cluster-${name.slice(0, 40)}-${key}`.replace(/[^A-Za-z0-9_-]/g, '-'), input);
  return { ...result, cluster: input.cluster };
}

/**
 * The person a CloudTrail identity names, when it is one: an IAM user's name, or an assumed role's session name (an
 * IAM Identity Center user's session is their user name or e-mail). Undefined for a service or an unknown shape.
 */
export function personOf(identity: NonNullable<CreateClusterEvent['detail']>['userIdentity']): string | undefined {
  if (!identity) return undefined;
  if (identity.type === 'IAMUser' && identity.userName) return identity.userName.slice(0, 256);
  if (identity.type === 'AssumedRole') {
    const session = identity.arn?.split('/').at(-1) ?? identity.principalId?.split(':').at(-1);
    return session ? session.slice(0, 256) : undefined;
  }
  return undefined;
}
