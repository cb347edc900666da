import type { Plan } from '../domain/plan/plan-model';
import type { AccountSnapshot } from '../domain/snapshot';

/** An account a sweep covers (its name from Organizations when known). */
export interface SweepTarget {
  readonly accountId: string;
  readonly name?: string;
  /** Its OU path when the sweep listed it under organizational units (recorded for OU-scoped approvers). */
  readonly ouPath?: readonly string[];
}

/** Which accounts a sweep covers (configuration or the run's own list). */
export interface TargetSelection {
  readonly accounts: readonly string[];
  readonly organization: boolean;
  readonly organizationalUnits: readonly string[];
  readonly exclude: readonly string[];
}

/** What an EKS cluster's status check returns: its status, or NOT_FOUND. */
export type ClusterStatus = string;

/**
 * Everything the workflow reads from member accounts (as the read-only scanner role in each): the targets, one
 * account's snapshot, a cluster's status, and the resource a plan touched read again. AWS in the hub
 * (lambdas/adapters/aws-estate-reader.ts); in-memory in unit tests.
 */
export interface EstateReader {
  resolveTargets(selection: TargetSelection): Promise<SweepTarget[]>;
  /** One account's snapshot; never throws for an account it cannot reach (the snapshot says `unreachable`). */
  collectAccount(target: SweepTarget, regions: readonly string[]): Promise<AccountSnapshot>;
  /** The cluster's status (ACTIVE, CREATING, FAILED, ...) or 'NOT_FOUND'. */
  clusterStatus(cluster: {
    readonly accountId: string;
    readonly region: string;
    readonly name: string;
  }): Promise<ClusterStatus>;
  /** The account's snapshot with the resource the plan touched read again (what verify analyzes). */
  verifyRead(plan: Plan, account: AccountSnapshot): Promise<AccountSnapshot>;
}
