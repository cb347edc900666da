/**
 * The FixWriter port over the fix action registry (lambdas/adapters/fix-actions/): every write as the remediator
 * role of the resource's account (an AwsClientFactory of access `write`; a `read` factory is refused before anything
 * is read), the judgement of a resource's state with its action's own decode and comparison.
 */
import type { Plan } from '../domain/plan/plan-model';
import type { FixWriter, Observation, ObservedChange, WriteHooks } from '../ports/fix-writer';
import type { AuditRecord } from '../ports/state-store';
import type { AwsClientFactory } from './aws-clients';
import {
  applyPlan,
  assertWritable,
  decodeState,
  holdsState,
  readResourceState,
  rollbackChange,
} from './fix-actions/fix-action-registry';

/**
 * How a state read from a change's resource stands against the change: what it writes (`state` decoded as the
 * action's), what it expected, or neither (`state` as read; null when absent).
 */
export function judgeState(
  change: Pick<ObservedChange, 'action' | 'expected' | 'intended'>,
  state: unknown,
): Observation {
  const decoded = decodeState(change.action, state);
  if (decoded !== undefined && holdsState(change.action, decoded, change.intended)) {
    return { holds: 'intended', state: decoded };
  }
  if (holdsState(change.action, state, change.expected)) return { holds: 'expected', state };
  return { holds: 'neither', state: state ?? null };
}

export class RegistryFixWriter implements FixWriter {
  constructor(private readonly writers: AwsClientFactory) {}

  checkWritable(plan: Plan): void {
    assertWritable(this.writers, plan);
  }

  apply(plan: Plan, hooks: WriteHooks = {}) {
    return applyPlan(this.writers, plan, hooks);
  }

  rollback(change: AuditRecord, hooks: WriteHooks = {}) {
    return rollbackChange(this.writers, change, hooks);
  }

  async observe(change: ObservedChange): Promise<Observation> {
    return judgeState(change, await readResourceState(this.writers, change));
  }

  judge(change: Pick<ObservedChange, 'action' | 'expected' | 'intended'>, state: unknown): Observation {
    return judgeState(change, state);
  }
}
