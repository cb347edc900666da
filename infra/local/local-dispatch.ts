/**
 * What the state table's stream does in AWS, in-process: once the approval API records a decision or a rollback
 * request, start the deliverer (deliverDecision) or the rollback step (runRollbackRequest), asynchronously, as the
 * event source mapping would. The API code itself gets only this dispatch, never the callbacks or writers.
 */
import type { ConsoleDeps, StepDispatch } from '../../lambdas/workflow/approver-actions';
import { runRollbackRequest } from '../../lambdas/workflow/approver-actions';
import { deliverDecision } from '../../lambdas/workflow/decision-delivery';

export interface LocalDispatch extends StepDispatch {
  /** Resolves once every step started so far has finished. */
  idle(): Promise<void>;
}

export function localDispatch(deps: ConsoleDeps, onError: (err: unknown) => void = () => undefined): LocalDispatch {
  const running = new Set<Promise<void>>();
  const start = (work: () => Promise<unknown>) => {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .then(
        () => undefined,
        (err) => onError(err),
      )
      .finally(() => running.delete(p));
    running.add(p);
  };
  return {
    async decisionRecorded(runId, planId) {
      start(() => deliverDecision(deps, runId, planId));
    },
    async rollbackRequested(changeId) {
      start(() => runRollbackRequest(deps, changeId));
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
