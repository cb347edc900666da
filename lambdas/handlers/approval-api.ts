/**
 * The approval console's API (API Gateway HTTP API, JWT authorizer): thin, as every handler; the routes are in
 * lambdas/api/http-api.ts and the operations in lambdas/workflow/approver-actions.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { DynamoStateStore } from '../adapters/dynamo-state-store';
import { handleApiRequest } from '../api/http-api';
import { DEFAULT_SECOND_APPROVAL, parseApproverRules, parseSecondApproval } from '../domain/approver-scope';
import { PLAN_ACTIONS } from '../domain/plan/plan-model';
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
    ...approverSettings(process.env),
    audit: (event, detail) => logger.info(event, { audit: detail }),
  };
}

/**
 * The approver rules and the second-approval rule from the environment (JSON, set by the hub stack from its
 * configuration); unset: one all-accounts rule for the approvers group, and a second approver for high risk.
 */
export function approverSettings(env: NodeJS.ProcessEnv): Pick<ApiDeps, 'approvers' | 'secondApproval'> {
  const fail = (field: string, message: string): never => {
    throw new UsageError(
      `environment ${field === 'secondApproval' || field.startsWith('secondApproval') ? ENV.secondApproval : ENV.approvers}: ${field} ${message}`,
    );
  };
  const read = (name: string) => {
    const text = env[name];
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new UsageError(`environment ${name} is not valid JSON: ${(err as Error).message}`);
    }
  };
  const approvers = read(ENV.approvers);
  const second = read(ENV.secondApproval);
  return {
    ...(approvers !== undefined ? { approvers: parseApproverRules(approvers, fail) } : {}),
    secondApproval: second !== undefined ? parseSecondApproval(second, PLAN_ACTIONS, fail) : DEFAULT_SECOND_APPROVAL,
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
