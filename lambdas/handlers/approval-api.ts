/**
 * The approval console's API (API Gateway HTTP API, JWT authorizer): thin, as every handler; the routes are in
 * lambdas/api/http-api.ts and the operations in lambdas/workflow/approval-console.ts.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { handleApiRequest } from '../api/http-api';
import { ENV } from '../shared/env';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../workflow/approval-console';
import { defaultDeps, logger } from './make-handler';

let cached: { deps: ConsoleDeps; origins: string[] } | undefined;

function setup() {
  cached ??= {
    deps: { ...defaultDeps(), approversGroup: process.env[ENV.approversGroup] || DEFAULT_APPROVERS_GROUP },
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
