/**
 * The fix actions the workflow applies, one module each, keyed by action. Everything that depends on the action is
 * derived from here: apply (applyPlan), rollback (rollbackChange), the audit reconciler's reads (readResourceState,
 * holdsState), the verify step's re-read (verifyRead); auto-apply configuration and the remediator's IAM statements
 * are derived from the same keys' IAM declarations (lambdas/domain/fix-action-iam.ts). An action that is not here
 * (delete-oidc-provider, update-service-account) is never written by IRSA Doctor.
 */

import { type AppliedAction, isAppliedAction } from '../../domain/fix-action-iam';
import type { Plan, PlanOf } from '../../domain/plan/plan-model';
import type { AccountSnapshot } from '../../domain/snapshot';
import type { AuditRecord } from '../../ports/state-store';
import { PlanNotApplicableError, RollbackRefusedError, StalePlanError } from '../../shared/errors';
import type { AwsClientFactory } from '../aws-clients';
import { addClientId } from './add-client-id';
import { accessEntryRegion, createAccessEntry } from './create-access-entry';
import { createOidcProvider } from './create-oidc-provider';
import {
  type ApplyOutcome,
  type ClientOf,
  EKS_ACTIONS,
  type EksAction,
  type FixAction,
  type FixState,
  type RollbackOutcome,
  type WriteHooks,
} from './fix-action';
import { updateThumbprint } from './update-thumbprint';
import { updateTrustPolicy } from './update-trust-policy';

export type FixActionRegistry = { readonly [A in AppliedAction]: FixAction<A> };

export const FIX_ACTIONS: FixActionRegistry = {
  'update-trust-policy': updateTrustPolicy,
  'create-oidc-provider': createOidcProvider,
  'add-client-id': addClientId,
  'update-thumbprint': updateThumbprint,
  'create-access-entry': createAccessEntry,
};

const isEksAction = (action: AppliedAction): action is EksAction => (EKS_ACTIONS as readonly string[]).includes(action);

/**
 * The client an action's module works with, for the account of `factory` (scanner or remediator): IAM (global), or
 * EKS in the region of the resource (an access entry's ARN names it).
 */
export function clientOf<A extends AppliedAction>(
  factory: AwsClientFactory,
  action: A,
  accountId: string,
  resourceArn: string,
): ClientOf<A> {
  // ClientOf<A> is EKSClient exactly when A is an EksAction; TypeScript cannot narrow a generic A by the guard.
  return (
    isEksAction(action) ? factory.eks(accountId, accessEntryRegion(resourceArn)) : factory.iam(accountId)
  ) as ClientOf<A>;
}

/** A plan of an action the workflow applies. */
export type AppliedPlan = PlanOf<AppliedAction>;

function isAppliedPlan(plan: Plan): plan is AppliedPlan {
  return isAppliedAction(plan.action);
}

/** The checks made before anything is read: writer credentials, an applicable plan, an action apply may make. */
export function assertWritable(factory: AwsClientFactory, plan: Plan): asserts plan is AppliedPlan {
  if (factory.access !== 'write') {
    throw new PlanNotApplicableError(
      `plan ${plan.id}: refusing to write with read-only (scanner) credentials; use the remediator role's client factory`,
      plan.id,
    );
  }
  if (!plan.applicable) {
    throw new PlanNotApplicableError(
      `plan ${plan.id} is propose-only (${plan.proposeOnlyReason ?? 'no reason given'}); a person must make this change`,
      plan.id,
    );
  }
  if (!isAppliedPlan(plan)) {
    throw new PlanNotApplicableError(`plan ${plan.id}: action ${plan.action} is never applied automatically`, plan.id);
  }
}

/**
 * Applies one approved plan with its action's module, guarded against drift (fix-action.ts guardedApply): the
 * resource must hold exactly the plan's `before` (or already its `after`); it is read back after the write.
 */
export async function applyPlan(factory: AwsClientFactory, plan: Plan, hooks: WriteHooks = {}): Promise<ApplyOutcome> {
  assertWritable(factory, plan);
  return applyWith(factory, plan.action, plan, plan, hooks);
}

function applyWith<A extends AppliedAction>(
  factory: AwsClientFactory,
  action: A,
  plan: PlanOf<A>,
  where: { readonly accountId: string; readonly resourceArn: string },
  hooks: WriteHooks,
): Promise<ApplyOutcome> {
  return FIX_ACTIONS[action].apply(clientOf(factory, action, where.accountId, where.resourceArn), plan, hooks);
}

/**
 * Undoes one applied change from its audit record with its action's module: puts back what the change replaced,
 * guarded like apply (fix-action.ts guardedRollback).
 */
export async function rollbackChange(
  factory: AwsClientFactory,
  change: AuditRecord,
  hooks: WriteHooks = {},
): Promise<RollbackOutcome> {
  if (factory.access !== 'write') {
    throw new PlanNotApplicableError(
      `change ${change.changeId}: refusing to write with read-only (scanner) credentials`,
      change.planId,
    );
  }
  if (change.kind !== 'apply') {
    throw new RollbackRefusedError(
      `change ${change.changeId} is itself a rollback; roll back the original change only once`,
      change.changeId,
      'not-reversible',
    );
  }
  if ((change.outcome ?? 'applied') !== 'applied') {
    throw new RollbackRefusedError(
      `change ${change.changeId} was not applied (${change.outcome}${change.detail ? `: ${change.detail}` : ''}); there is nothing to roll back`,
      change.changeId,
      'not-reversible',
    );
  }
  if (!isAppliedAction(change.action)) {
    throw new RollbackRefusedError(
      `change ${change.changeId}: action ${change.action} cannot be rolled back`,
      change.changeId,
      'not-reversible',
    );
  }
  return rollbackWith(factory, change.action, change, hooks);
}

function rollbackWith<A extends AppliedAction>(
  factory: AwsClientFactory,
  action: A,
  change: AuditRecord,
  hooks: WriteHooks,
): Promise<RollbackOutcome> {
  return FIX_ACTIONS[action].rollback(clientOf(factory, action, change.accountId, change.resourceArn), change, hooks);
}

/**
 * What a change's resource holds now (its action's state; null: absent), for the audit reconciler. A trust policy
 * that is not a JSON object comes back as its text.
 */
export async function readResourceState(
  factory: AwsClientFactory,
  change: {
    readonly accountId: string;
    readonly resourceArn: string;
    readonly action: string;
    readonly planId: string;
  },
): Promise<unknown> {
  if (!isAppliedAction(change.action)) {
    throw new PlanNotApplicableError(`action ${change.action} is never applied: no state to read`, change.planId);
  }
  try {
    return await readWith(factory, change.action, change);
  } catch (err) {
    if (err instanceof StalePlanError) return err.current;
    throw err;
  }
}

function readWith<A extends AppliedAction>(
  factory: AwsClientFactory,
  action: A,
  change: { readonly accountId: string; readonly resourceArn: string; readonly planId: string },
) {
  return FIX_ACTIONS[action].read(clientOf(factory, action, change.accountId, change.resourceArn), {
    id: change.planId,
    resourceArn: change.resourceArn,
  });
}

/** A state read or stored for a change of `action`, as that action's state: undefined when it is not one. */
export function decodeState(action: string, value: unknown): FixState | null | undefined {
  return isAppliedAction(action) ? FIX_ACTIONS[action].decode(value) : undefined;
}

/** Whether a resource state read by readResourceState is `target` (null: the resource is absent). */
export function holdsState(action: string, state: unknown, target: unknown): boolean {
  return isAppliedAction(action) && holdsWith(action, state, target);
}

function holdsWith<A extends AppliedAction>(action: A, state: unknown, target: unknown): boolean {
  const fix = FIX_ACTIONS[action];
  const s = fix.decode(state);
  const t = fix.decode(target);
  if (s === undefined || t === undefined) return false;
  return s === null || t === null ? s === t : fix.holds(s, t);
}

/** The verify step's re-read of a plan's resource (scanner credentials) into the account's collected snapshot. */
export function verifyRead(readers: AwsClientFactory, plan: Plan, account: AccountSnapshot): Promise<AccountSnapshot> {
  if (!isAppliedAction(plan.action)) {
    throw new PlanNotApplicableError(
      `plan ${plan.id}: action ${plan.action} is never applied: nothing to verify`,
      plan.id,
    );
  }
  return verifyWith(readers, plan.action, plan.accountId, plan.resourceArn, account);
}

function verifyWith<A extends AppliedAction>(
  readers: AwsClientFactory,
  action: A,
  accountId: string,
  resourceArn: string,
  account: AccountSnapshot,
): Promise<AccountSnapshot> {
  return FIX_ACTIONS[action].verify(clientOf(readers, action, accountId, resourceArn), resourceArn, account);
}
