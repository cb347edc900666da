import type { AccountSnapshot, EstateSnapshot } from '../domain/snapshot';
import { mapLimit } from '../shared/concurrency';
import { type AddonConfigurationCache, collectAccount } from './account-collector';
import type { AwsClientFactory } from './aws-clients';
import type { ThumbprintObserver } from './oidc-thumbprint';
import type { TargetAccount } from './targets';

export interface SweepProgress {
  readonly accountsDone: number;
  readonly accountsTotal: number;
  readonly regionsDone: number;
  readonly regionsTotal: number;
  /** The account and region just finished. */
  readonly accountId: string;
  readonly region?: string;
  /** Set when an account has finished: how it ended. */
  readonly accountStatus?: 'complete' | 'partial' | 'unreachable';
}

export interface CollectEstateOptions {
  readonly regions: readonly string[];
  /** Accounts read at once. Default 4. */
  readonly accountConcurrency?: number;
  /** Reads in flight within one account. Default 8. */
  readonly concurrency?: number;
  readonly workloads?: boolean;
  readonly tls?: ThumbprintObserver;
  readonly onProgress?: (progress: SweepProgress) => void;
  readonly now?: () => Date;
}

/**
 * Sweeps the target accounts into one snapshot. Accounts are read a few at a time; each account's failures are
 * recorded on that account (unreachable, partial) and never stop the sweep. Accounts keep the target order.
 */
export async function collectEstate(
  factory: AwsClientFactory,
  targets: readonly TargetAccount[],
  options: CollectEstateOptions,
): Promise<EstateSnapshot> {
  const addonConfigurations: AddonConfigurationCache = new Map();
  const regionsTotal = targets.length * options.regions.length;
  let accountsDone = 0;
  let regionsDone = 0;
  const accounts = await mapLimit(targets, options.accountConcurrency ?? 4, async (target) => {
    const account: AccountSnapshot = await collectAccount(factory, target.accountId, {
      regions: options.regions,
      addonConfigurations,
      ...(options.workloads !== undefined ? { workloads: options.workloads } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onRegionDone: (region) => {
        regionsDone += 1;
        options.onProgress?.({
          accountsDone,
          accountsTotal: targets.length,
          regionsDone,
          regionsTotal,
          accountId: target.accountId,
          region,
        });
      },
    });
    accountsDone += 1;
    options.onProgress?.({
      accountsDone,
      accountsTotal: targets.length,
      regionsDone,
      regionsTotal,
      accountId: target.accountId,
      accountStatus: account.collection?.status ?? 'complete',
    });
    return target.name ? { ...account, name: target.name } : account;
  });
  return {
    schemaVersion: 1,
    // The factory's partition: the one every client of the sweep was signed for.
    partition: factory.partition.name,
    generatedAt: (options.now ?? (() => new Date()))().toISOString(),
    generator: 'irsa-doctor scan',
    accounts,
  };
}
