import { withClusterKubernetes } from '../../../../lambdas/domain/kubernetes/kube-objects';
import type { AccountSnapshot, EstateSnapshot, KubernetesSnapshot } from '../../../../lambdas/domain/snapshot';
import { ClusterLookupError, UsageError } from '../../../../lambdas/shared/errors';
import { parseSnapshot } from '../../../../lambdas/shared/schemas';

const cluster = (name: string, region: string) => ({ name, region, status: 'ACTIVE', oidcIssuer: null });
const account = (accountId: string, clusters: ReturnType<typeof cluster>[]): AccountSnapshot => ({
  accountId,
  clusters,
  oidcProviders: [],
  roles: [],
});
const estate: EstateSnapshot = {
  schemaVersion: 1,
  partition: 'aws',
  accounts: [
    account('111111111111', [cluster('prod', 'us-west-2'), cluster('prod', 'eu-west-1')]),
    account('222222222222', [cluster('dev', 'us-west-2'), cluster('shared', 'us-east-1')]),
    account('333333333333', [cluster('shared', 'us-east-1')]),
  ],
};
const kubernetes: KubernetesSnapshot = {
  status: 'complete',
  source: 'kube-objects',
  serviceAccounts: [{ namespace: 'apps', name: 'web', annotations: {} }],
  pods: [],
  podIdentityWebhook: { configured: true, name: 'pod-identity-webhook' },
};

function lookupError(run: () => unknown): ClusterLookupError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterLookupError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).name).toBe('ClusterLookupError');
    return err as ClusterLookupError;
  }
  throw new Error('expected a ClusterLookupError');
}

describe('withClusterKubernetes', () => {
  it('sets kubernetes on that cluster only, leaves the input as it was, and stays a valid snapshot', () => {
    const before = JSON.stringify(estate);
    const merged = withClusterKubernetes(estate, 'prod', 'eu-west-1', kubernetes);
    expect(JSON.stringify(estate)).toBe(before);
    expect(merged.accounts[0]?.clusters).toEqual([
      cluster('prod', 'us-west-2'),
      { ...cluster('prod', 'eu-west-1'), kubernetes },
    ]);
    expect(merged.accounts[1]).toBe(estate.accounts[1]);
    expect(parseSnapshot(JSON.parse(JSON.stringify(merged)))).toEqual(merged);
  });

  it('replaces what the cluster had', () => {
    const once = withClusterKubernetes(estate, 'dev', 'us-west-2', kubernetes);
    const partial: KubernetesSnapshot = { ...kubernetes, status: 'partial', reason: 'r', fix: 'f' };
    expect(withClusterKubernetes(once, 'dev', 'us-west-2', partial).accounts[1]?.clusters[0]?.kubernetes).toBe(partial);
  });

  it('names the clusters the snapshot holds when the one asked for is not there', () => {
    const err = lookupError(() => withClusterKubernetes(estate, 'prod', 'us-east-1', kubernetes));
    expect(err.message).toBe(
      'prod@us-east-1 is not in the snapshot; it holds 5 clusters: prod@us-west-2, prod@eu-west-1, dev@us-west-2, shared@us-east-1, shared@us-east-1',
    );
  });

  it('asks for the account when two accounts hold a cluster of that name and region, and takes it when given', () => {
    expect(lookupError(() => withClusterKubernetes(estate, 'shared', 'us-east-1', kubernetes)).message).toContain(
      'is in 2 accounts (222222222222, 333333333333): name one, as 222222222222/shared@us-east-1',
    );
    const merged = withClusterKubernetes(estate, 'shared', 'us-east-1', kubernetes, '333333333333');
    expect(merged.accounts[2]?.clusters[0]?.kubernetes).toBe(kubernetes);
    expect(merged.accounts[1]?.clusters[1]?.kubernetes).toBeUndefined();
    expect(
      lookupError(() => withClusterKubernetes(estate, 'prod', 'us-west-2', kubernetes, '222222222222')).message,
    ).toMatch(/^222222222222\/prod@us-west-2 is not in the snapshot/);
  });

  it('says when the snapshot has no clusters, and escapes a hostile name', () => {
    const empty: EstateSnapshot = { schemaVersion: 1, partition: 'aws', accounts: [account('111111111111', [])] };
    expect(lookupError(() => withClusterKubernetes(empty, 'a\u001b[2J', 'x', kubernetes)).message).toBe(
      'a\\e[2J@x is not in the snapshot; it holds no clusters',
    );
  });
});
