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
  const input: RunInput = { mode: 'cluster', trigger: 'cluster-created', cluster: { accountId, region, name } };
  const result = await starter.start(`cluster-${name.slice(0, 40)}-${key}`.replace(/[^A-Za-z0-9_-]/g, '-'), input);
  return { ...result, cluster: input.cluster };
}
