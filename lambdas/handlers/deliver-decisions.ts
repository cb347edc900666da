/**
 * The deliverer: the one function whose role may call states:SendTaskSuccess/SendTaskFailure (on the sweep state
 * machine only). Started by the state table's stream when a decision is recorded (records with their keys), and on
 * a schedule as the reconciler (`{ "reconcile": true }`), which delivers whatever is still pending.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoStateStore } from '../adapters/dynamo-state-store';
import { SfnTaskCallbacks } from '../adapters/notifications';
import { type DeliverDecisionsInput, validateInput } from '../shared/contracts';
import { ENV } from '../shared/env';
import { UsageError } from '../shared/errors';
import {
  type DeliveryOutcome,
  deliverDecision,
  RECONCILE_AFTER_MS,
  reconcileDeliveries,
} from '../workflow/decision-delivery';
import type { WorkflowDeps } from '../workflow/deps';
import { traceClient } from './instrumentation';
import { logger } from './make-handler';

export type DelivererDeps = Pick<WorkflowDeps, 'store' | 'callbacks' | 'now'>;

let cached: DelivererDeps | undefined;
function deps(): DelivererDeps {
  if (cached) return cached;
  const stateTable = process.env[ENV.stateTable];
  if (!stateTable) throw new UsageError(`missing environment variable ${ENV.stateTable}: the hub stack sets it`);
  const endpoint = process.env[ENV.endpoint];
  const client = { maxAttempts: 8, retryMode: 'adaptive' as const, ...(endpoint ? { endpoint } : {}) };
  // The deliverer reads and updates approval items only; it never reads the audit table.
  cached = {
    store: new DynamoStateStore(traceClient(new DynamoDBClient(client)), stateTable, ''),
    callbacks: new SfnTaskCallbacks(traceClient(new SFNClient(client))),
    now: () => new Date(),
  };
  return cached;
}

export function makeDeliverHandler(get: () => DelivererDeps = deps) {
  return async (event: unknown) => {
    const input = validateInput<DeliverDecisionsInput>('deliver-decisions', event);
    logger.resetKeys();
    logger.appendKeys({ step: 'deliver-decisions' });
    if ('reconcile' in input) {
      const report = await reconcileDeliveries(
        get(),
        input.olderThanSeconds !== undefined ? input.olderThanSeconds * 1000 : RECONCILE_AFTER_MS,
      );
      logger.info('reconciled', { report });
      return report;
    }
    const outcomes: DeliveryOutcome[] = [];
    for (const record of input.Records) {
      const runId = record.dynamodb.Keys.pk.S.slice('RUN#'.length);
      const planId = record.dynamodb.Keys.sk.S.slice('APPROVAL#'.length);
      // A failure throws: the event source mapping retries the batch (delivery is idempotent), then the
      // reconciler takes what is left.
      const outcome = await deliverDecision(get(), runId, planId);
      logger.info('decision delivery', { runId, planId, outcome });
      outcomes.push(outcome);
    }
    return { outcomes };
  };
}

export const handler = makeDeliverHandler();
