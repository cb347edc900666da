/**
 * The approval console's API (API Gateway HTTP API, JWT authorizer): thin, as every handler; the routes are in
 * lambdas/api/http-api.ts and the operations in lambdas/workflow/approver-actions.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DynamoStateStore } from '../adapters/dynamo-state-store';
import { handleApiRequest } from '../api/http-api';
import { ENV } from '../shared/env';
import { UsageError } from '../shared/errors';
import { type ApiDeps, DEFAULT_APPROVERS_GROUP } from '../workflow/approver-actions';
import { traceClient } from './instrumentation';
import { logger } from './make-handler';

let cached: { deps: ApiDeps; origins: string[] } | undefined;

/**
 * Only the state store: no task callbacks, no member-account clients, no event publisher. The state table's stream
 * starts the deliverer and the rollback step once a decision or request is recorded.
 */
function apiDeps(): ApiDeps {
  const stateTable = process.env[ENV.stateTable];
  const auditTable = process.env[ENV.auditTable];
  if (!stateTable || !auditTable) {
    throw new UsageError(
      `missing environment variable ${ENV.stateTable} or ${ENV.auditTable}: the hub stack sets them`,
    );
  }
  const endpoint = process.env[ENV.endpoint];
  const client = traceClient(
    new DynamoDBClient({ maxAttempts: 8, retryMode: 'adaptive', ...(endpoint ? { endpoint } : {}) }),
  );
  return {
    store: new DynamoStateStore(client, stateTable, auditTable),
    now: () => new Date(),
    approversGroup: process.env[ENV.approversGroup] || DEFAULT_APPROVERS_GROUP,
  };
}

function setup() {
  cached ??= {
    deps: apiDeps(),
    origins: (process.env[ENV.consoleOrigins] ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== ''),
  };
  return cached;
}

export const handler = async (event: APIGatewayProxyEventV2WithJWTAuthorizer) => {
  const { deps, origins } = setup();
  logger.resetKeys();
  logger.appendKeys({ step: 'approval-api', route: `${event.requestContext.http.method} ${event.rawPath}` });
  const response = await handleApiRequest(deps, event, {
    allowedOrigins: origins,
    onError: (err) => logger.error('approval API request failed', err as Error),
  });
  logger.info('request done', { status: response.statusCode });
  return response;
};
