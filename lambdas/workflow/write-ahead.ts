/**
 * Write-ahead audit around every IAM write (apply and rollback). Before the first write, once the drift guard has
 * decided to write, the writer appends an intent (change id, run, plan, resource, the state it expects, what it will
 * write, the writes, the approver); after the read-back it appends the change's record (what it replaced as read,
 * what it wrote as read back). Both are conditional puts: nothing is ever overwritten.
 *
 * A crash between the write and the record leaves an open intent. A retry of the same change (apply: the same run
 * and plan; rollback: the same person) or the reconciler finishes it from what the resource holds: the intended
 * state (written: recorded as applied, rollback-able), the expected state (not written: the retry writes, the
 * reconciler records "not applied"), or neither (drift, recorded as such).
 *
 * A rollback's intent is also its lock: of two concurrent rollbacks of one change, exactly one puts the intent and
 * writes; the other is refused, naming who rolls it back, and records nothing.
 */
import type { Plan } from '../domain/plan/plan-model';
import { providersNamedBy } from '../domain/plan/references';
import type { ApplyOutcome, Observation, RollbackOutcome } from '../ports/fix-writer';
import type { AuditIntent, AuditOutcome, AuditRecord } from '../ports/state-store';
import type { Approval } from '../shared/contracts';
import { ChangeNotFoundError, ConcurrentEditError, RollbackRefusedError, StalePlanError } from '../shared/errors';
import type { WorkflowDeps } from './deps';

/**
 * The reconciler leaves intents younger than this alone (a write may still be under way): longer than the apply
 * function's timeout with the state machine's retries, and than the approval API's.
 */
export const RECONCILE_MIN_AGE_SECONDS = 20 * 60;

export type AuditDeps = Pick<WorkflowDeps, 'store' | 'fixes' | 'now'>;

export function changeIdOf(runId: string, planId: string): string {
  return `${runId}.${planId}`;
}

/** The id of the n-th rollback attempt of a change (a new attempt only after earlier ones wrote nothing). */
export function rollbackIdOf(changeId: string, attempt = 1): string {
  return attempt === 1 ? `${changeId}.rollback` : `${changeId}.rollback.${attempt}`;
}

const isApplied = (r: Pick<AuditRecord, 'outcome'>) => (r.outcome ?? 'applied') === 'applied';

function isConditionalFailure(err: unknown): boolean {
  return (err as Error | undefined)?.name === 'ConditionalCheckFailedException';
}

type Completion = Pick<AuditRecord, 'replaced' | 'wrote' | 'writes'> & {
  readonly outcome: AuditOutcome;
  readonly completedBy: NonNullable<AuditRecord['completedBy']>;
  readonly detail?: string;
  readonly found?: unknown;
};

function recordOf(intent: AuditIntent, at: string, c: Completion): AuditRecord {
  return {
    changeId: intent.changeId,
    kind: intent.kind,
    runId: intent.runId,
    planId: intent.planId,
    accountId: intent.accountId,
    resourceArn: intent.resourceArn,
    action: intent.action,
    replaced: c.replaced,
    wrote: c.wrote,
    writes: c.writes,
    approvedBy: intent.approvedBy,
    ...(intent.approvedAt ? { approvedAt: intent.approvedAt } : {}),
    ...(intent.comment ? { comment: intent.comment } : {}),
    appliedAt: at,
    ...(intent.dependsOn?.length ? { dependsOn: intent.dependsOn } : {}),
    ...(intent.rollsBack ? { rollsBack: intent.rollsBack } : {}),
    ...(intent.names?.length ? { names: intent.names } : {}),
    outcome: c.outcome,
    completedBy: c.completedBy,
    ...(c.detail ? { detail: c.detail } : {}),
    ...(c.found !== undefined ? { found: c.found } : {}),
  };
}

/** Appends a change's record; when someone completed it first, theirs stands and is returned. */
async function complete(deps: AuditDeps, intent: AuditIntent, c: Completion): Promise<AuditRecord> {
  const record = recordOf(intent, deps.now().toISOString(), c);
  try {
    await deps.store.putAudit(record);
    return record;
  } catch (err) {
    if (!isConditionalFailure(err)) throw err;
    const existing = await deps.store.getAudit(intent.changeId);
    if (!existing) throw err;
    return existing;
  }
}

/** How an open intent ended, from what its resource holds now (judged by the FixWriter: observe, judge). */
export function settle(intent: AuditIntent, seen: Observation, completedBy: Completion['completedBy']): Completion {
  if (seen.holds === 'intended') {
    return {
      outcome: 'applied',
      replaced: intent.expected,
      wrote: seen.state,
      writes: intent.writes,
      completedBy,
      detail: `completed by the ${completedBy} after an interrupted write: the resource holds what the change writes`,
    };
  }
  if (seen.holds === 'expected') {
    return {
      outcome: 'not-applied',
      replaced: intent.expected,
      wrote: null,
      writes: [],
      completedBy,
      detail: `closed by the ${completedBy}: the resource still holds what it held before; nothing was written`,
    };
  }
  return {
    outcome: 'drift',
    replaced: intent.expected,
    wrote: null,
    writes: [],
    completedBy,
    found: seen.state ?? null,
    detail: `closed by the ${completedBy}: the resource holds neither what the change expected nor what it writes`,
  };
}

/** Finishes an open intent from what its resource holds now (reads only; never writes to IAM). */
export async function completeOpenIntent(
  deps: AuditDeps,
  intent: AuditIntent,
  completedBy: Completion['completedBy'],
): Promise<AuditRecord> {
  return complete(deps, intent, settle(intent, await deps.fixes.observe(intent), completedBy));
}

// ---------------------------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------------------------

export interface AuditedApply {
  readonly status: 'applied' | 'already-applied';
  readonly changeId: string;
  readonly writes: readonly string[];
  /** The change's record; absent when nothing was written (the resource already held `after`). */
  readonly record?: AuditRecord;
}

/** Applies an approved plan under the drift guard, with the write-ahead audit (see the file's comment). */
export async function applyWithAudit(
  deps: AuditDeps,
  input: { readonly runId: string; readonly planId: string; readonly plan: Plan; readonly approval: Approval },
): Promise<AuditedApply> {
  const { runId, planId, plan, approval } = input;
  const changeId = changeIdOf(runId, planId);
  const done = await deps.store.getAudit(changeId);
  if (done) {
    if (isApplied(done)) return { status: 'applied', changeId, writes: done.writes, record: done };
    throw new StalePlanError(
      `plan ${planId}: change ${changeId} is recorded as ${done.outcome} (${done.detail ?? 'no detail'}); nothing was written (re-scan and re-plan)`,
      planId,
      plan.resourceArn,
      done.found ?? null,
    );
  }
  deps.fixes.checkWritable(plan);
  const open = await deps.store.getAuditIntent(changeId);
  const recovering = open !== undefined;
  const held: { intent?: AuditIntent } = open ? { intent: open } : {};
  const completedBy = recovering ? 'retry' : 'writer';
  let outcome: ApplyOutcome;
  try {
    outcome = await deps.fixes.apply(plan, {
      beforeWrite: async (_current, writes) => {
        // A retry writes under the first attempt's intent: it is the same change.
        if (held.intent) return;
        const names = plan.action === 'update-trust-policy' ? providersNamedBy(plan.after) : [];
        const { intent } = await deps.store.putAuditIntent({
          changeId,
          kind: 'apply',
          runId,
          planId,
          accountId: plan.accountId,
          resourceArn: plan.resourceArn,
          action: plan.action,
          expected: plan.before,
          intended: plan.after,
          writes,
          approvedBy: approval.approvedBy,
          ...(approval.approvedAt ? { approvedAt: approval.approvedAt } : {}),
          ...(approval.comment ? { comment: approval.comment } : {}),
          intendedAt: deps.now().toISOString(),
          ...(plan.dependsOn.length > 0 ? { dependsOn: plan.dependsOn } : {}),
          ...(names.length > 0 ? { names } : {}),
        });
        held.intent = intent;
      },
    });
  } catch (err) {
    await recordDrift(deps, held.intent, err, completedBy);
    throw err;
  }
  const intent = held.intent;
  if (outcome.status === 'applied' && intent) {
    const record = await complete(deps, intent, {
      outcome: 'applied',
      replaced: outcome.replaced,
      wrote: outcome.current,
      writes: outcome.writes,
      completedBy,
      ...(recovering ? { detail: 'written by a retry of an interrupted attempt' } : {}),
    });
    return { status: 'applied', changeId, writes: record.writes, record };
  }
  if (outcome.status === 'already-applied' && intent) {
    // An earlier attempt of this change wrote and was interrupted before its record: complete it now.
    const record = await complete(deps, intent, settle(intent, deps.fixes.judge(intent, outcome.current), 'retry'));
    return { status: 'applied', changeId, writes: record.writes, record };
  }
  return { status: 'already-applied', changeId, writes: [] };
}

/** After a guard refused or caught a concurrent edit under an intent: the record says what was found. */
async function recordDrift(
  deps: AuditDeps,
  intent: AuditIntent | undefined,
  err: unknown,
  completedBy: Completion['completedBy'],
): Promise<void> {
  if (!intent) return;
  const stale = err instanceof StalePlanError || (err instanceof RollbackRefusedError && err.reason === 'drift');
  if (!stale && !(err instanceof ConcurrentEditError)) return; // unknown (a network error): left open
  await complete(deps, intent, {
    outcome: 'drift',
    replaced: intent.expected,
    wrote: null,
    // ConcurrentEditError: this writer wrote, and someone else's write replaced it.
    writes: err instanceof ConcurrentEditError ? intent.writes : [],
    completedBy,
    found: (err as { current?: unknown }).current ?? null,
    detail: `${(err as Error).name}: ${(err as Error).message}`,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Rollback
// ---------------------------------------------------------------------------------------------------------------

/** The rollback that undid a change (its applied record), if any. */
export async function rolledBackBy(deps: Pick<AuditDeps, 'store'>, changeId: string): Promise<AuditRecord | undefined> {
  const slot = await rollbackSlot(deps, changeId);
  return slot.record;
}

/** The current rollback attempt of a change: its applied record, its open intent, or a free id. */
async function rollbackSlot(
  deps: Pick<AuditDeps, 'store'>,
  changeId: string,
): Promise<{ id: string; record?: AuditRecord; intent?: AuditIntent }> {
  for (let attempt = 1; ; attempt++) {
    const id = rollbackIdOf(changeId, attempt);
    const record = await deps.store.getAudit(id);
    if (record) {
      if (isApplied(record)) return { id, record };
      continue; // that attempt wrote nothing: the next one may
    }
    const intent = await deps.store.getAuditIntent(id);
    return intent ? { id, intent } : { id };
  }
}

function alreadyRolledBack(changeId: string, record: AuditRecord): RollbackRefusedError {
  return new RollbackRefusedError(
    `change ${changeId} was already rolled back by ${record.approvedBy} at ${record.appliedAt}; nothing was written`,
    changeId,
    'already-rolled-back',
  );
}

function inProgress(changeId: string, intent: AuditIntent): RollbackRefusedError {
  return new RollbackRefusedError(
    `change ${changeId} is being rolled back by ${intent.approvedBy} (started ${intent.intendedAt}); nothing was written`,
    changeId,
    'already-rolled-back',
  );
}

/** Applied, not rolled-back changes that must be rolled back before this one. */
async function dependentsOf(deps: Pick<AuditDeps, 'store'>, change: AuditRecord): Promise<string[]> {
  const all = await deps.store.listAudit();
  const undone = new Set(all.filter((r) => r.kind === 'rollback' && isApplied(r)).map((r) => r.rollsBack));
  const inPlace = (r: AuditRecord) => r.kind === 'apply' && isApplied(r) && !undone.has(r.changeId);
  // Within the run: plans that depended on this one's plan.
  const found = all
    .filter((r) => inPlace(r) && r.runId === change.runId && (r.dependsOn ?? []).includes(change.planId))
    .map((r) => r.changeId);
  if (change.action !== 'update-trust-policy') found.push(...(await namingDependents(deps, change, all, inPlace)));
  return [...new Set(found)];
}

/**
 * Across runs, for a provider: every change whose document names it (the audit table's resource index), and records
 * from before the index whose written document names it.
 */
async function namingDependents(
  deps: Pick<AuditDeps, 'store'>,
  change: AuditRecord,
  all: readonly AuditRecord[],
  inPlace: (r: AuditRecord) => boolean,
): Promise<string[]> {
  const found: string[] = [];
  const provider = change.resourceArn.toLowerCase();
  for (const r of all) {
    if (r.names === undefined && inPlace(r) && providersNamedBy(r.wrote).some((p) => p.toLowerCase() === provider))
      found.push(r.changeId);
  }
  const byId = new Map(all.map((r) => [r.changeId, r]));
  for (const ref of await deps.store.listAuditReferences(change.resourceArn)) {
    if (ref.relation !== 'names' || ref.changeId === change.changeId) continue;
    const r = byId.get(ref.changeId);
    if (!r) found.push(`${ref.changeId} (in flight: no record yet; the audit reconciler completes it)`);
    else if (inPlace(r)) found.push(r.changeId);
  }
  return found;
}

/**
 * The rollback attempt `by` may write under: a free id or `by`'s own open intent. Refused when the change was rolled
 * back already or someone else's recent attempt is open; someone else's abandoned attempt is completed first.
 */
async function freeRollbackSlot(
  deps: AuditDeps,
  by: string,
  changeId: string,
): Promise<{ id: string; intent?: AuditIntent }> {
  const slot = await rollbackSlot(deps, changeId);
  if (slot.record) throw alreadyRolledBack(changeId, slot.record);
  if (!slot.intent || slot.intent.approvedBy === by) return slot;
  const age = deps.now().getTime() - Date.parse(slot.intent.intendedAt);
  if (age < RECONCILE_MIN_AGE_SECONDS * 1000) throw inProgress(changeId, slot.intent);
  // An abandoned attempt of someone else: finish its record first, from what the resource holds.
  const finished = await completeOpenIntent(deps, slot.intent, 'reconciler');
  if (isApplied(finished)) throw alreadyRolledBack(changeId, finished);
  const next = await rollbackSlot(deps, changeId);
  if (next.record) throw alreadyRolledBack(changeId, next.record);
  if (next.intent && next.intent.approvedBy !== by) throw inProgress(changeId, next.intent);
  return next;
}

export interface AuditedRollback {
  readonly change: AuditRecord;
  readonly record: AuditRecord;
  readonly status: 'rolled-back' | 'already-restored';
}

/** The applied change a rollback undoes; refused when there is none or it is itself a rollback or not applied. */
async function appliedChange(deps: Pick<AuditDeps, 'store'>, changeId: string): Promise<AuditRecord> {
  const change = await deps.store.getAudit(changeId);
  if (!change) throw new ChangeNotFoundError(`no applied change ${changeId} in the audit log`);
  if (change.kind !== 'apply' || !isApplied(change)) {
    throw new RollbackRefusedError(
      change.kind !== 'apply'
        ? `${changeId} is a rollback record; only applied changes are rolled back`
        : `change ${changeId} was not applied (${change.outcome}); there is nothing to roll back`,
      changeId,
      'not-reversible',
    );
  }
  return change;
}

/** Puts the rollback's intent: the lock (someone else's means they roll it back, and this request writes nothing). */
async function claimRollback(
  deps: AuditDeps,
  attempt: { change: AuditRecord; id: string; by: string; comment: string | undefined },
  writes: readonly string[],
): Promise<AuditIntent> {
  const { change, by, comment } = attempt;
  const at = deps.now().toISOString();
  const { intent } = await deps.store.putAuditIntent({
    changeId: attempt.id,
    kind: 'rollback',
    runId: change.runId,
    planId: change.planId,
    accountId: change.accountId,
    resourceArn: change.resourceArn,
    action: change.action,
    expected: change.wrote,
    intended: change.replaced,
    writes,
    approvedBy: by,
    approvedAt: at,
    ...(comment ? { comment } : {}),
    intendedAt: at,
    rollsBack: change.changeId,
  });
  if (intent.approvedBy !== by) throw inProgress(change.changeId, intent);
  return intent;
}

/** The rollback's record, once its write (or none) is done; see the cases below. */
async function recordRollback(
  deps: AuditDeps,
  attempt: {
    change: AuditRecord;
    id: string;
    by: string;
    comment: string | undefined;
    completedBy: Completion['completedBy'];
  },
  held: AuditIntent | undefined,
  outcome: RollbackOutcome,
): Promise<AuditedRollback> {
  const { change, by, completedBy } = attempt;
  if (outcome.status === 'rolled-back' && held) {
    const record = await complete(deps, held, {
      outcome: 'applied',
      replaced: outcome.replaced,
      wrote: outcome.current,
      writes: outcome.writes,
      completedBy,
    });
    return { change, record, status: 'rolled-back' };
  }
  // The resource already holds the replaced document.
  if (held) {
    // This person's earlier attempt wrote and was interrupted before its record.
    const record = await complete(deps, held, settle(held, deps.fixes.judge(held, outcome.current), 'retry'));
    return { change, record, status: 'rolled-back' };
  }
  const now = await deps.store.getAuditIntent(attempt.id);
  if (now && now.approvedBy !== by) {
    // A concurrent rollback wrote it: that one is the record, this request records nothing.
    const theirs = await deps.store.getAudit(attempt.id);
    throw theirs && isApplied(theirs) ? alreadyRolledBack(change.changeId, theirs) : inProgress(change.changeId, now);
  }
  // Restored outside IRSA Doctor: recorded as this person's rollback that wrote nothing (writes: []).
  const intent = now ?? (await claimRollback(deps, attempt, []));
  const record = await complete(deps, intent, {
    outcome: 'applied',
    replaced: outcome.replaced,
    wrote: outcome.current,
    writes: [],
    completedBy,
    detail: 'the resource already held the document the change replaced: nothing was written',
  });
  return { change, record, status: 'already-restored' };
}

/**
 * Rolls a change back for `by`, guarded like apply, with the write-ahead audit; refused (nothing written) when the
 * change was rolled back already or is being rolled back by someone else, when an applied change of any run depends
 * on it, or when the resource no longer holds what the change wrote.
 */
export async function rollbackWithAudit(
  deps: AuditDeps,
  by: string,
  changeId: string,
  comment?: string,
): Promise<AuditedRollback> {
  const change = await appliedChange(deps, changeId);
  const slot = await freeRollbackSlot(deps, by, changeId);
  const dependents = await dependentsOf(deps, change);
  if (dependents.length > 0) {
    throw new RollbackRefusedError(
      `change ${changeId} cannot be rolled back while ${dependents.join(', ')} ` +
        `depend${dependents.length === 1 ? 's' : ''} on it; roll ${dependents.length === 1 ? 'that' : 'those'} back first`,
      changeId,
      'dependents',
    );
  }
  const recovering = slot.intent !== undefined;
  const completedBy = recovering ? 'retry' : 'writer';
  const held: { intent?: AuditIntent } = slot.intent ? { intent: slot.intent } : {};
  const attempt = { change, id: slot.id, by, comment };
  let outcome: RollbackOutcome;
  try {
    outcome = await deps.fixes.rollback(change, {
      beforeWrite: async (_current, writes) => {
        held.intent ??= await claimRollback(deps, attempt, writes);
      },
    });
  } catch (err) {
    await recordDrift(deps, held.intent, err, completedBy);
    throw err;
  }
  return recordRollback(deps, { ...attempt, completedBy }, held.intent, outcome);
}

// ---------------------------------------------------------------------------------------------------------------
// The reconciler
// ---------------------------------------------------------------------------------------------------------------

export interface ReconcileAuditInput {
  /** Leave intents younger than this alone (default RECONCILE_MIN_AGE_SECONDS). */
  readonly minAgeSeconds?: number;
}

export interface ReconcileAuditOutput {
  readonly completed: ReadonlyArray<{ readonly changeId: string; readonly outcome: AuditOutcome }>;
  /** Open intents too young to judge (a write may be under way). */
  readonly waiting: number;
  readonly failed: ReadonlyArray<{ readonly changeId: string; readonly error: string }>;
}

/** Completes one open intent from what its resource holds, and marks its plan when the change was written. */
async function reconcileOne(
  deps: AuditDeps,
  intent: AuditIntent,
): Promise<{ changeId: string; outcome: AuditOutcome }> {
  const record = await completeOpenIntent(deps, intent, 'reconciler');
  if (isApplied(record) && (await deps.store.getPlan(intent.runId, intent.planId))) {
    await deps.store.updatePlan(intent.runId, intent.planId, {
      status: intent.kind === 'apply' ? 'applied' : 'rolled-back',
      ...(intent.kind === 'apply' ? { changeId: intent.changeId } : {}),
      detail: `${intent.kind === 'apply' ? 'applied' : 'rolled back'}; its audit record was completed by the reconciler`,
    });
  }
  return { changeId: record.changeId, outcome: record.outcome ?? 'applied' };
}

/**
 * The workflow step (on a schedule) that finishes what crashes left: every open intent older than the minimum age
 * is completed from what its resource holds now. Reads IAM only; appends records; a failure on one intent is
 * reported and the others are still completed.
 */
export async function reconcileAudit(
  deps: AuditDeps & Pick<WorkflowDeps, 'store'>,
  input: ReconcileAuditInput,
): Promise<ReconcileAuditOutput> {
  const minAge = (input.minAgeSeconds ?? RECONCILE_MIN_AGE_SECONDS) * 1000;
  const now = deps.now().getTime();
  const completed: Array<{ changeId: string; outcome: AuditOutcome }> = [];
  const failed: Array<{ changeId: string; error: string }> = [];
  let waiting = 0;
  for (const intent of await deps.store.listOpenAuditIntents()) {
    if (now - Date.parse(intent.intendedAt) < minAge) {
      waiting++;
      continue;
    }
    try {
      completed.push(await reconcileOne(deps, intent));
    } catch (err) {
      failed.push({ changeId: intent.changeId, error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return { completed, waiting, failed };
}
