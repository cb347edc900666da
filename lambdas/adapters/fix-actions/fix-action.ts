/**
 * What one fix action is to the writers (lambdas/adapters/fix-actions/fix-action-registry.ts derives apply, rollback, the
 * reconciler's reads and verify from these), and the guarded write both apply and rollback use: read the resource,
 * refuse unless it holds what the write expects, call the write-ahead hook, write, read back.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { AppliedAction, FixActionIam } from '../../domain/fix-action-iam';
import type { PlanOf } from '../../domain/plan/plan-model';
import type { AccountSnapshot } from '../../domain/snapshot';
import type { ApplyOutcome, FixState, RollbackOutcome, WriteHooks } from '../../ports/fix-writer';
import type { AuditRecord } from '../../ports/state-store';
import { ConcurrentEditError, RollbackRefusedError } from '../../shared/errors';

/** The outcomes, states and hooks of a write are the FixWriter port's (lambdas/ports/fix-writer.ts). */
export type { ApplyOutcome, BeforeWrite, FixState, RollbackOutcome, WriteHooks } from '../../ports/fix-writer';

/** The actions that write EKS (their client is the EKS client of the resource's region), the rest write IAM. */
export const EKS_ACTIONS = ['create-access-entry'] as const satisfies readonly AppliedAction[];
export type EksAction = (typeof EKS_ACTIONS)[number];

/** The SDK client an action's module reads and writes with. */
export type ClientOf<A extends AppliedAction> = A extends EksAction ? EKSClient : IAMClient;

/** The state an action's resource holds when present. */
export type StateOf<A extends AppliedAction> = NonNullable<PlanOf<A>['before'] | PlanOf<A>['after']>;

/** The plan or change a read is for (named in errors). */
export interface ResourceRef {
  readonly id: string;
  readonly resourceArn: string;
}

/** One fix action: everything the writers, the audit reconciler and the verify step do with it. */
export interface FixAction<A extends AppliedAction> {
  readonly action: A;
  /** The IAM it needs (lambdas/domain/fix-action-iam.ts): the remediator role is derived from it. */
  readonly iam: FixActionIam;
  /** What its resource holds now; null when the resource is absent. */
  read(client: ClientOf<A>, ref: ResourceRef): Promise<StateOf<A> | null>;
  /** A stored state (a plan's, an intent's, a record's) as this action's: null when absent, undefined when not one. */
  decode(value: unknown): StateOf<A> | null | undefined;
  /** Whether the resource's state is the target state. */
  holds(state: StateOf<A>, target: StateOf<A>): boolean;
  /** The drift-guarded write of an approved plan (the hook is the write-ahead audit's). */
  apply(client: ClientOf<A>, plan: PlanOf<A>, hooks: WriteHooks): Promise<ApplyOutcome>;
  /** The guarded undo of one applied change, from its audit record. */
  rollback(client: ClientOf<A>, change: AuditRecord, hooks: WriteHooks): Promise<RollbackOutcome>;
  /** The verify step: re-read the resource (scanner credentials) into the account's collected snapshot. */
  verify(client: ClientOf<A>, resourceArn: string, account: AccountSnapshot): Promise<AccountSnapshot>;
}

/** Same state, absent counting as a state of its own. */
function same<S>(holds: (a: S, b: S) => boolean, a: S | null, b: S | null): boolean {
  return a === null || b === null ? a === b : holds(a, b);
}

/** How one action's guarded apply reads, judges and writes. */
export interface ApplySteps<S extends FixState> {
  readonly plan: ResourceRef;
  /** What the write changes, in messages ("trust policy"). */
  readonly what: string;
  readonly before: S | null;
  readonly after: S;
  read(): Promise<S | null>;
  holds(a: S, b: S): boolean;
  /** Why nothing is written: the resource holds neither `before` nor `after`. */
  stale(current: S | null): Error;
  /** The writes that take `current` (which holds `before`) to `after`, in order. */
  writes(current: S | null): readonly string[];
  write(current: S | null): Promise<void>;
}

/**
 * The drift-guarded write: the resource must hold exactly `before` (or already `after`, which makes re-applying a
 * no-op); otherwise nothing is written. After the write it is read back; if it does not hold `after`, another writer
 * changed it concurrently (ConcurrentEditError; the other writer's change is what stays). IAM has no conditional
 * writes, so between the read and the write there remains a window of one API round trip.
 */
export async function guardedApply<S extends FixState>(steps: ApplySteps<S>, hooks: WriteHooks): Promise<ApplyOutcome> {
  const { plan, after } = steps;
  const current = await steps.read();
  const base = { planId: plan.id, resourceArn: plan.resourceArn, replaced: current };
  if (current !== null && steps.holds(current, after)) {
    return { ...base, status: 'already-applied', current, writes: [] };
  }
  if (!same(steps.holds, current, steps.before)) throw steps.stale(current);
  const writes = steps.writes(current);
  await hooks.beforeWrite?.(current, writes);
  await steps.write(current);
  const readBack = await steps.read();
  if (readBack === null || !steps.holds(readBack, after)) {
    throw new ConcurrentEditError(
      `plan ${plan.id}: after the write, the ${steps.what} of ${plan.resourceArn} is not the approved one: it was changed concurrently`,
      plan.id,
      plan.resourceArn,
      readBack,
    );
  }
  return { ...base, status: 'applied', current: readBack, writes };
}

/** How one action's guarded rollback reads, judges and writes. */
export interface RollbackSteps<S extends FixState> {
  readonly change: AuditRecord;
  /** What the change wrote (the resource must still hold it). */
  readonly wrote: S;
  /** What it replaced (restored by the rollback; null: the resource did not exist). */
  readonly replaced: S | null;
  read(): Promise<S | null>;
  holds(a: S, b: S): boolean;
  /** What drifted, in messages ("trust policy", "role (it no longer exists)"). */
  drifted(current: S | null): string;
  /** What the read-back found instead of the replaced state, in messages. */
  notRestored: string;
  /** A last refusal before writing (e.g. a provider not created by this plan); nothing is written when it throws. */
  check?(current: S): Promise<void>;
  writes(current: S): readonly string[];
  write(current: S): Promise<void>;
}

/** The refusal when the resource no longer holds what the change wrote. */
export function driftRefusal(change: AuditRecord, what: string, current: unknown): RollbackRefusedError {
  return new RollbackRefusedError(
    `change ${change.changeId}: the ${what} of ${change.resourceArn} changed since the change was applied; ` +
      'nothing was written (review the current document and fix it by hand, or re-scan)',
    change.changeId,
    'drift',
    current,
  );
}

/** The refusal when an audit record lacks what this action's rollback needs. */
export function notReversible(change: AuditRecord, lacks: string): RollbackRefusedError {
  return new RollbackRefusedError(
    `change ${change.changeId}: the audit record lacks ${lacks}`,
    change.changeId,
    'not-reversible',
  );
}

/**
 * The guarded undo: the resource must still hold exactly what the change wrote (else RollbackRefusedError 'drift',
 * nothing written), or already the replaced state (nothing to do); it is read back afterwards (ConcurrentEditError
 * when it does not hold the replaced state).
 */
export async function guardedRollback<S extends FixState>(
  steps: RollbackSteps<S>,
  hooks: WriteHooks,
): Promise<RollbackOutcome> {
  const { change, replaced } = steps;
  const current = await steps.read();
  if (same(steps.holds, current, replaced))
    return { status: 'already-restored', replaced: current, current, writes: [] };
  if (current === null || !steps.holds(current, steps.wrote))
    throw driftRefusal(change, steps.drifted(current), current);
  await steps.check?.(current);
  const writes = steps.writes(current);
  await hooks.beforeWrite?.(current, writes);
  await steps.write(current);
  const readBack = await steps.read();
  if (!same(steps.holds, readBack, replaced)) {
    throw new ConcurrentEditError(
      `change ${change.changeId}: after the rollback, the ${steps.notRestored}: it was changed concurrently`,
      change.planId,
      change.resourceArn,
      readBack,
    );
  }
  return { status: 'rolled-back', replaced: current, current: readBack, writes };
}
