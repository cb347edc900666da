import type { AccessEntryState, Plan, ProviderState, TrustDocument } from '../domain/plan/plan-model';
import type { AuditRecord } from './state-store';

/** What a fix action reads and writes: a trust policy, an OIDC provider's state or an EKS access entry. */
export type FixState = TrustDocument | ProviderState | AccessEntryState;

export interface ApplyOutcome {
  readonly planId: string;
  readonly resourceArn: string;
  /** 'already-applied': the resource already held the plan's `after`; nothing was written. */
  readonly status: 'applied' | 'already-applied';
  /** What the resource held just before the write, as read then (for the audit log and rollback); null: absent. */
  readonly replaced: FixState | null;
  /** What it holds now, as read back after the write. */
  readonly current: FixState | null;
  /** The write operations made, in order. */
  readonly writes: readonly string[];
}

export interface RollbackOutcome {
  /** 'already-restored': the resource already held the replaced document; nothing was written. */
  readonly status: 'rolled-back' | 'already-restored';
  /** What the resource held just before the rollback (the change's `wrote`). */
  readonly replaced: FixState | null;
  /** What it holds now, read back (the change's `replaced`; null for a deleted provider). */
  readonly current: FixState | null;
  readonly writes: readonly string[];
}

/**
 * Called once the drift guard has decided to write, right before the first write, with what the resource holds
 * and the writes about to be made: the write-ahead audit records its intent here. If it throws, nothing is written.
 */
export type BeforeWrite = (current: FixState | null, writes: readonly string[]) => Promise<void> | void;

export interface WriteHooks {
  readonly beforeWrite?: BeforeWrite;
}

/** The change an observation is for: its resource, its action, and the two states it is judged against. */
export interface ObservedChange {
  readonly accountId: string;
  readonly resourceArn: string;
  readonly action: string;
  readonly planId: string;
  /** What the resource held before the change (null: absent). */
  readonly expected: unknown;
  /** What the change writes (null: the resource deleted). */
  readonly intended: unknown;
}

/**
 * What a change's resource holds now, judged with its action's own comparison: `intended` (the change is in place;
 * `state` is it, as the action's state), `expected` (nothing was written), or `neither` (drift; `state` is what was
 * found, as read: null when the resource is absent, a trust policy's text when it is not a JSON object).
 */
export type Observation =
  | { readonly holds: 'intended'; readonly state: FixState | null }
  | { readonly holds: 'expected' | 'neither'; readonly state: unknown };

/**
 * The member-account writes the workflow makes, one fix action per plan action (as the remediator role in AWS:
 * lambdas/adapters/registry-fix-writer.ts over lambdas/adapters/fix-actions/; in-memory in unit tests). Every write
 * is drift-guarded: the resource must hold exactly what the write expects (else StalePlanError / RollbackRefusedError
 * 'drift', nothing written), the `beforeWrite` hook runs right before the first write, and the resource is read back
 * after it (ConcurrentEditError when it does not hold what was written).
 */
export interface FixWriter {
  /**
   * The checks made before anything is read (PlanNotApplicableError): writer credentials, an applicable plan, an
   * action the workflow applies.
   */
  checkWritable(plan: Plan): void;
  /** Applies one approved plan: `already-applied` when the resource already holds the plan's `after`. */
  apply(plan: Plan, hooks?: WriteHooks): Promise<ApplyOutcome>;
  /** Undoes one applied change from its audit record: puts back what it replaced, guarded like apply. */
  rollback(change: AuditRecord, hooks?: WriteHooks): Promise<RollbackOutcome>;
  /** Reads the change's resource now and judges it (reads only; the audit reconciler and retries use it). */
  observe(change: ObservedChange): Promise<Observation>;
  /** Judges a state already read (e.g. an outcome's `current`) as observe does, without reading. */
  judge(change: Pick<ObservedChange, 'action' | 'expected' | 'intended'>, state: unknown): Observation;
}
