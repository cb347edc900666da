/**
 * The EstateReader port over AWS: the scanner role in each account (AwsClientFactory `read`), Organizations for the
 * targets, EKS DescribeCluster for a new cluster's status, the fix action registry's read-back for verify.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { Plan } from '../domain/plan/plan-model';
import type { AccountSnapshot } from '../domain/snapshot';
import type { EstateReader, SweepTarget, TargetSelection } from '../ports/estate-reader';
import type { WorkflowEnv } from '../shared/env';
import { collectAccount } from './account-collector';
import type { AwsClientFactory } from './aws-clients';
import { verifyRead } from './fix-actions/fix-action-registry';
import { eksClusterReader } from './kubernetes/eks-cluster-reader';
import { hubKubernetesRead } from './kubernetes/hub-cluster-read';
import { createThumbprintObserver } from './oidc-thumbprint';
import { resolveTargets } from './targets';

export interface AwsEstateReaderOptions {
  readonly env: Pick<WorkflowEnv, 'readClusters' | 'endpoint'>;
  /** TLS checks of issuers during collection (off for the local emulator, whose issuers do not resolve). */
  readonly tlsCheck: boolean;
}

export class AwsEstateReader implements EstateReader {
  constructor(
    private readonly readers: AwsClientFactory,
    private readonly options: AwsEstateReaderOptions,
  ) {}

  resolveTargets(selection: TargetSelection): Promise<SweepTarget[]> {
    return resolveTargets(this.readers, selection);
  }

  async collectAccount(target: SweepTarget, regions: readonly string[]): Promise<AccountSnapshot> {
    const { env, tlsCheck } = this.options;
    const account = await collectAccount(this.readers, target.accountId, {
      regions,
      ...(tlsCheck ? { tls: createThumbprintObserver({ timeoutMs: 3000 }) } : {}),
      ...(env.readClusters
        ? {
            kubernetes: eksClusterReader({
              read: hubKubernetesRead(),
              ...(env.endpoint ? { stsEndpoint: env.endpoint } : {}),
            }),
          }
        : {}),
    });
    return target.name ? { ...account, name: target.name } : account;
  }

  async clusterStatus(cluster: { accountId: string; region: string; name: string }): Promise<string> {
    try {
      const out = await this.readers
        .eks(cluster.accountId, cluster.region)
        .send(new DescribeClusterCommand({ name: cluster.name }));
      return out.cluster?.status ?? 'UNKNOWN';
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return 'NOT_FOUND';
      throw err;
    }
  }

  verifyRead(plan: Plan, account: AccountSnapshot): Promise<AccountSnapshot> {
    return verifyRead(this.readers, plan, account);
  }
}
