/**
 * A decision needs the plan to have been read: opening a plan (its page, the bulk view's detail fetch, the CLI's
 * show: every GET of a plan's detail) records that this person was shown this content hash, and an approval or a
 * rejection by a person with no opening of the hash it binds to is refused. The API enforces it, not the page.
 */
import type { StateStore } from '../ports/state-store';
import { PlanNotOpenedError } from '../shared/errors';

type Deps = { readonly store: Pick<StateStore, 'putPlanOpening' | 'hasOpenedPlan'>; readonly now: () => Date };

/** Records that `by` was shown this content of the plan. */
export async function recordOpening(
  deps: Deps,
  by: string,
  plan: { readonly runId: string; readonly planId: string; readonly contentHash: string },
): Promise<void> {
  await deps.store.putPlanOpening({ ...plan, openedBy: by, openedAt: deps.now().toISOString() });
}

/** Refuses (PlanNotOpenedError, 409) a decision by a person who never opened this content of the plan. */
export async function requireOpened(
  deps: Deps,
  by: string,
  plan: { readonly runId: string; readonly planId: string; readonly contentHash: string },
): Promise<void> {
  if (await deps.store.hasOpenedPlan(plan.runId, plan.planId, by, plan.contentHash)) return;
  throw new PlanNotOpenedError(
    `${by} has not opened plan ${plan.planId} (content ${plan.contentHash.slice(0, 12)}): open the plan and read its diff before deciding`,
  );
}
