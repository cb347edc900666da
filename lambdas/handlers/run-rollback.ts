/**
 * The rollback step: runs as the hub writer role (the only hub identity member RemediatorRoles trust), started by
 * the state table's stream when the approval API records a rollback request. Performs it with the same guards as
 * before (lambdas/workflow/approver-actions.ts rollback) and records how it ended on the request. On a schedule
 * (`{ "reconcile": true }`) it performs again the requests still pending or running after ROLLBACK_RECONCILE_AFTER_MS
 * (the step never ran, or crashed).
 */
import { type RunRollbackInput, validateInput } from '../shared/contracts';
import { ENV } from '../shared/env';
import {
  type ConsoleDeps,
  DEFAULT_APPROVERS_GROUP,
  ROLLBACK_RECONCILE_AFTER_MS,
  reconcileRollbacks,
  runRollbackRequest,
} from '../workflow/approver-actions';
import { defaultDeps, logger } from './make-handler';

export function makeRollbackHandler(get: () => ConsoleDeps) {
  return async (event: unknown) => {
    const input = validateInput<RunRollbackInput>('run-rollback', event);
    logger.resetKeys();
    logger.appendKeys({ step: 'run-rollback' });
    if ('reconcile' in input) {
      const report = await reconcileRollbacks(
        get(),
        input.olderThanSeconds !== undefined ? input.olderThanSeconds * 1000 : ROLLBACK_RECONCILE_AFTER_MS,
      );
      logger.info('reconciled rollback requests', { report });
      return report;
    }
    const results: Array<{ changeId: string; status?: string }> = [];
    for (const record of input.Records) {
      const changeId = record.dynamodb.Keys.pk.S.slice('ROLLBACK#'.length);
      const request = await runRollbackRequest(get(), changeId);
      logger.info('rollback request', { changeId, status: request?.status, error: request?.error });
      results.push({ changeId, ...(request ? { status: request.status } : {}) });
    }
    return { results };
  };
}

export const handler = makeRollbackHandler(() => ({
  ...defaultDeps(),
  approversGroup: process.env[ENV.approversGroup] || DEFAULT_APPROVERS_GROUP,
}));
