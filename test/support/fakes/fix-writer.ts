/**
 * The FixWriter port in memory (lambdas/ports/fix-writer.ts): member-account resources as a map from resource ARN to
 * their state (a trust policy, a provider's state, an access entry; absent: null), written under the same guards as
 * the fix actions' guardedApply/guardedRollback: the resource must hold the plan's `before` (StalePlanError, nothing
 * written) or already its `after` (already-applied); the `beforeWrite` hook runs right before the write; the
 * resource is read back (ConcurrentEditError when someone else's write replaced it). States compare as canonical
 * JSON (keys in any order), which is what the real actions' `holds` amounts to for the states tests use.
 *
 * Faults a test can inject: `interruptNextWrite()` (the write lands, then the writer dies before reading back: an
 * open intent for the reconciler or a retry), `interfereAfterWrite(arn, state)` (a concurrent edit right after the
 * next write to that resource).
 */
import { isAppliedAction } from '../../../lambdas/domain/fix-action-iam';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import type {
  ApplyOutcome,
  FixState,
  FixWriter,
  Observation,
  ObservedChange,
  RollbackOutcome,
  WriteHooks,
} from '../../../lambdas/ports/fix-writer';
import type { AuditRecord } from '../../../lambdas/ports/state-store';
import {
  ConcurrentEditError,
  PlanNotApplicableError,
  RollbackRefusedError,
  StalePlanError,
} from '../../../lambdas/shared/errors';

/** The write each applied action makes (as the real modules name them). */
export const FAKE_WRITES: Readonly<Record<string, readonly string[]>> = {
  'update-trust-policy': ['iam:UpdateAssumeRolePolicy'],
  'create-oidc-provider': ['iam:CreateOpenIDConnectProvider'],
  'add-client-id': ['iam:AddClientIDToOpenIDConnectProvider'],
  'update-thumbprint': ['iam:UpdateOpenIDConnectProviderThumbprint'],
  'create-access-entry': ['eks:CreateAccessEntry'],
};

/** The write a change's rollback makes (null: the resource deleted). */
const rollbackWrites = (action: string, restored: unknown): readonly string[] =>
  restored === null
    ? [action === 'create-access-entry' ? 'eks:DeleteAccessEntry' : 'iam:DeleteOpenIDConnectProvider']
    : (FAKE_WRITES[action] ?? []);

/** JSON with object keys sorted at every level. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** Same state, absent (null or undefined) counting as a state of its own. */
export function sameState(a: unknown, b: unknown): boolean {
  const absent = (v: unknown) => v === null || v === undefined;
  if (absent(a) || absent(b)) return absent(a) && absent(b);
  return canonical(a) === canonical(b);
}

export interface FakeWrite {
  readonly resourceArn: string;
  readonly writes: readonly string[];
  readonly state: unknown;
}

export class InMemoryFixWriter implements FixWriter {
  private readonly resources = new Map<string, unknown>();
  /** Every write made (the fake's IAM), in order. */
  readonly written: FakeWrite[] = [];
  /** How many times each resource was read. */
  readonly reads = new Map<string, number>();
  private interruptions = 0;
  private readonly interference = new Map<string, unknown>();

  /** What a resource holds now (null: absent). */
  get(resourceArn: string): unknown {
    const state = this.resources.get(resourceArn);
    return state === undefined ? null : structuredClone(state);
  }

  /** Puts a resource in a state (null: absent), as someone outside IRSA Doctor would. */
  set(resourceArn: string, state: unknown): this {
    if (state === null || state === undefined) this.resources.delete(resourceArn);
    else this.resources.set(resourceArn, structuredClone(state));
    return this;
  }

  /** The next write lands, then the writer dies (an Error named WriterInterrupted) before reading it back. */
  interruptNextWrite(): this {
    this.interruptions++;
    return this;
  }

  /** Right after the next write to this resource, someone else writes `state` there. */
  interfereAfterWrite(resourceArn: string, state: unknown): this {
    this.interference.set(resourceArn, state);
    return this;
  }

  checkWritable(plan: Plan): void {
    if (!plan.applicable) {
      throw new PlanNotApplicableError(
        `plan ${plan.id} is propose-only (${plan.proposeOnlyReason ?? 'no reason given'}); a person must make this change`,
        plan.id,
      );
    }
    if (!isAppliedAction(plan.action)) {
      throw new PlanNotApplicableError(
        `plan ${plan.id}: action ${plan.action} is never applied automatically`,
        plan.id,
      );
    }
  }

  async apply(plan: Plan, hooks: WriteHooks = {}): Promise<ApplyOutcome> {
    this.checkWritable(plan);
    const arn = plan.resourceArn;
    const current = this.read(arn);
    const base = { planId: plan.id, resourceArn: arn, replaced: current };
    if (current !== null && sameState(current, plan.after)) {
      return { ...base, status: 'already-applied', current, writes: [] };
    }
    if (!sameState(current, plan.before)) {
      throw new StalePlanError(
        `plan ${plan.id}: ${arn} no longer holds what the plan was made from; nothing was written`,
        plan.id,
        arn,
        current,
      );
    }
    const writes = FAKE_WRITES[plan.action] ?? [];
    await hooks.beforeWrite?.(current, writes);
    this.write(arn, plan.after, writes);
    const readBack = this.read(arn);
    if (readBack === null || !sameState(readBack, plan.after)) {
      throw new ConcurrentEditError(
        `plan ${plan.id}: after the write, ${arn} is not the approved state: it was changed concurrently`,
        plan.id,
        arn,
        readBack,
      );
    }
    return { ...base, status: 'applied', current: readBack, writes };
  }

  async rollback(change: AuditRecord, hooks: WriteHooks = {}): Promise<RollbackOutcome> {
    if (change.kind !== 'apply' || (change.outcome ?? 'applied') !== 'applied' || !isAppliedAction(change.action)) {
      throw new RollbackRefusedError(
        `change ${change.changeId} is not an applied change of an action IRSA Doctor writes`,
        change.changeId,
        'not-reversible',
      );
    }
    const arn = change.resourceArn;
    const current = this.read(arn);
    if (sameState(current, change.replaced))
      return { status: 'already-restored', replaced: current, current, writes: [] };
    if (current === null || !sameState(current, change.wrote)) {
      throw new RollbackRefusedError(
        `change ${change.changeId}: ${arn} changed since the change was applied; nothing was written`,
        change.changeId,
        'drift',
        current,
      );
    }
    const writes = rollbackWrites(change.action, change.replaced);
    await hooks.beforeWrite?.(current, writes);
    this.write(arn, change.replaced, writes);
    const readBack = this.read(arn);
    if (!sameState(readBack, change.replaced)) {
      throw new ConcurrentEditError(
        `change ${change.changeId}: after the rollback, ${arn} does not hold what the change replaced`,
        change.planId,
        arn,
        readBack,
      );
    }
    return { status: 'rolled-back', replaced: current, current: readBack, writes };
  }

  async observe(change: ObservedChange): Promise<Observation> {
    if (!isAppliedAction(change.action)) {
      throw new PlanNotApplicableError(`action ${change.action} is never applied: no state to read`, change.planId);
    }
    return this.judge(change, this.read(change.resourceArn));
  }

  judge(change: Pick<ObservedChange, 'action' | 'expected' | 'intended'>, state: unknown): Observation {
    if (isAppliedAction(change.action) && sameState(state, change.intended)) {
      return { holds: 'intended', state: (state ?? null) as FixState | null };
    }
    if (isAppliedAction(change.action) && sameState(state, change.expected)) return { holds: 'expected', state };
    return { holds: 'neither', state: state ?? null };
  }

  private read(arn: string): FixState | null {
    this.reads.set(arn, (this.reads.get(arn) ?? 0) + 1);
    return this.get(arn) as FixState | null;
  }

  private write(arn: string, state: unknown, writes: readonly string[]) {
    this.set(arn, state);
    this.written.push({ resourceArn: arn, writes, state: structuredClone(state ?? null) });
    if (this.interference.has(arn)) {
      this.set(arn, this.interference.get(arn));
      this.interference.delete(arn);
    }
    if (this.interruptions > 0) {
      this.interruptions--;
      const err = new Error(`the writer died after writing ${arn}, before reading it back`);
      err.name = 'WriterInterrupted';
      throw err;
    }
  }
}
