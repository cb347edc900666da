/**
 * The approval API over HTTP: API Gateway HTTP API (payload v2) events in AWS, the same events built by the local
 * console server. Authentication is API Gateway's JWT authorizer (a Cognito ID token); this module reads the
 * verified claims, checks the approvers group on every route (403 otherwise), refuses cross-site writes, validates
 * every body, and maps typed errors to HTTP statuses with messages a person can act on.
 *
 * Routes:
 *   GET  /api/plans?limit=&cursor=                 a page of pending plans, grouped by account and cluster
 *   GET  /api/plans/{runId}/{planId}               one plan: findings, diff, proof, approval, change
 *   POST /api/plans/{runId}/{planId}/approve       { contentHash, comment? }
 *   POST /api/plans/{runId}/{planId}/reject        { contentHash, comment? }
 *   GET  /api/changes?limit=&cursor=               a page of applied changes, newest first, with rollbacks and
 *                                                  requests
 *   POST /api/changes/{changeId}/rollback          { comment? }: records a rollback request (202); the rollback
 *                                                  step performs it
 *   GET  /api/changes/{changeId}/rollback          the request's status (pending, running, done, refused, failed)
 *   GET  /api/suppressions?limit=&cursor=          a page of the mutelist (not expired), newest first
 *   POST /api/suppressions                         { ruleId?, accountId?, resource?, cluster?, namespace?, reason,
 *                                                  expiresAt }: adds one, recorded as the caller's (201)
 *   POST /api/suppressions/{id}/delete             removes one (404 when there is none)
 *   GET  /api/rejections?limit=&cursor=            a page of the rejections remembered (not expired), newest first
 *   GET  /api/timeouts?limit=&cursor=              a page of the approval requests that timed out, newest first
 *   GET  /api/findings?severity=&rule=&account=&cluster=&namespace=&q=&suppressed=&limit=&cursor=
 *                                                  a page of every account's latest findings, most severe first
 *   GET  /api/runs?limit=&cursor=                  a page of the runs, newest first, with counts and links
 *   GET  /api/runs/{runId}?limit=&cursor=          one run and a page of its accounts' summaries
 *   GET  /api/runs/{runId}/plans?limit=&cursor=    a page of the run's plans (status, action, resource)
 *   GET  /api/proposals?account=&rule=&limit=&cursor=
 *                                                  a page of the propose-only plans with their IaC guidance
 *   GET  /api/me                                   who the API thinks you are
 *
 * Every route and decision is limited to the caller's account scope (approver rules by group, accounts and OUs):
 * a plan, change or mute of an account outside it is a 403 naming the account and the caller's groups; a listing
 * leaves such items out and says how many (`outOfScope`).
 *
 * Every listing reads a key range or an index (never a Scan), one page at a time: `limit` 1 to 500 (default 50),
 * `cursor` as the previous page returned it (absent on the last page); a bad limit or cursor is a 400.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { PageRequest } from '../ports/state-store';
import {
  type ApiDecisionBody,
  type ApiRollbackBody,
  type ApiSuppressionBody,
  validateInput,
} from '../shared/contracts';
import {
  type ApiDeps,
  addSuppression,
  authorize,
  type Caller,
  decide,
  listRejections,
  listSuppressions,
  listTimeouts,
  pageChanges,
  pagePending,
  removeSuppression,
  requestRollback,
  rollbackStatus,
  showPlan,
} from '../workflow/approver-actions';
import {
  checkParameters,
  pageFindings,
  pageProposalViews,
  pageRunPlans,
  pageRunViews,
  parseFindingsQuery,
  parseProposalsQuery,
  RUNS_PARAMETERS,
  showRun,
} from '../workflow/console-queries';

/** The header every state-changing request must carry: a cross-site form cannot send it, and a cross-origin script
 * cannot without a CORS preflight, which only the console's origin passes. */
export const CSRF_HEADER = 'x-irsa-doctor-request';
export const MAX_BODY_BYTES = 16 * 1024;

export interface ApiOptions {
  /** Origins the console is served from; a state-changing request from any other Origin is refused. */
  readonly allowedOrigins: readonly string[];
  /** Called with each unexpected error (a 500), for the log. */
  readonly onError?: (err: unknown) => void;
}

export type ApiEvent = Pick<
  APIGatewayProxyEventV2WithJWTAuthorizer,
  'rawPath' | 'headers' | 'body' | 'isBase64Encoded'
> & {
  /** The query string (API Gateway's rawQueryString): `limit` and `cursor` of a listing. */
  readonly rawQueryString?: string;
  readonly requestContext: {
    readonly http: { readonly method: string };
    readonly authorizer?: { readonly jwt?: { readonly claims?: Record<string, unknown> } };
  };
};

const STATUS_BY_ERROR: Readonly<Record<string, number>> = {
  ForbiddenError: 403,
  CsrfError: 403,
  InvalidPayloadError: 400,
  InvalidPageError: 400,
  BadRequestError: 400,
  PayloadTooLargeError: 413,
  PlanNotFoundError: 404,
  ApprovalNotFoundError: 404,
  ChangeNotFoundError: 404,
  NotFoundError: 404,
  SuppressionNotFoundError: 404,
  AlreadyDecidedError: 409,
  SameApproverError: 409,
  PlanChangedError: 409,
  PlanNotOpenedError: 409,
  RollbackRefusedError: 409,
  ConcurrentEditError: 409,
  StalePlanError: 409,
  ApprovalExpiredError: 410,
  InvalidQueryError: 400,
  RunNotFoundError: 404,
};

class HttpError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * The caller from the JWT authorizer's claims (Cognito ID token): user name, e-mail, and groups: the pool's groups
 * (cognito:groups) and, for a person signed in through the organization's identity provider, the groups it sent
 * (custom:groups, mapped by the user pool's attribute mapping).
 */
export function callerFromClaims(claims: Record<string, unknown> | undefined): Caller | undefined {
  if (!claims) return undefined;
  const name = str(claims['cognito:username']) ?? str(claims.username) ?? str(claims.email) ?? str(claims.sub);
  if (!name) return undefined;
  const email = str(claims.email);
  const groups = [...new Set([...groupsOf(claims['cognito:groups']), ...groupsOf(claims['custom:groups'])])];
  return { id: email && email !== name ? `${name} <${email}>` : name, groups };
}

/**
 * Groups as a list. The JWT authorizer of an HTTP API passes an array claim as the text "[a b]"; a Lambda
 * authorizer or a test may pass a real array or a JSON array text.
 */
export function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string' || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.endsWith(']')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.filter((v): v is string => typeof v === 'string');
    } catch {
      // "[a b]": the HTTP API's own rendering
    }
    return text
      .slice(1, -1)
      .split(/[\s,]+/)
      .filter((g) => g !== '');
  }
  return text.split(/[\s,]+/).filter((g) => g !== '');
}

export async function handleApiRequest(
  deps: ApiDeps,
  event: ApiEvent,
  options: ApiOptions,
): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    return await serve(deps, event, options);
  } catch (err) {
    const name = (err as Error)?.name ?? 'Error';
    const status = STATUS_BY_ERROR[name];
    if (status) {
      const problems = (err as { problems?: readonly string[] }).problems;
      return respond(status, { error: name, message: (err as Error).message, ...(problems ? { problems } : {}) });
    }
    options.onError?.(err);
    // Unexpected: no internals to the client; the log has the stack.
    return respond(500, { error: 'InternalError', message: 'the request failed; the API log has the details' });
  }
}

type ApiResponse = APIGatewayProxyStructuredResultV2;

/** Authenticates, authorizes and guards the request, then routes it; throws the typed errors the caller maps. */
async function serve(deps: ApiDeps, event: ApiEvent, options: ApiOptions): Promise<ApiResponse> {
  const method = event.requestContext.http.method.toUpperCase();
  const headers = lowerKeys(event.headers ?? {});
  const caller = callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
  if (!caller) return respond(401, { error: 'Unauthorized', message: 'sign in: no valid identity token was sent' });
  authorize(deps, caller);
  const segments = event.rawPath
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeSegment(s));
  if (segments[0] !== 'api') throw new HttpError('NotFoundError', `no route ${event.rawPath}`);
  const route = segments.slice(1);
  if (method === 'POST') checkCsrf(headers, options);
  else if (method !== 'GET') throw new HttpError('NotFoundError', `no route ${method} ${event.rawPath}`);

  const routes = Object.hasOwn(ROUTES, route[0] ?? '') ? ROUTES[route[0] as string] : undefined;
  const response = await routes?.({ deps, caller, method, route, event });
  if (!response) throw new HttpError('NotFoundError', `no route ${method} ${event.rawPath}`);
  return response;
}

/** The routes under /api, by their first segment; each answers undefined for a path or method it does not have. */
const ROUTES: Readonly<Record<string, (request: Routed) => Promise<ApiResponse | undefined>>> = {
  me: async ({ caller, method, route }) => (method === 'GET' && route.length === 1 ? respond(200, caller) : undefined),
  plans: (request) => planRoutes(request),
  changes: (request) => changeRoutes(request),
  suppressions: (request) => suppressionRoutes(request),
  findings: async ({ deps, caller, method, route, event }) => {
    if (method !== 'GET' || route.length !== 1) return undefined;
    const query = parseFindingsQuery(paramsOf(event));
    return respond(200, await pageFindings(deps, caller, query, pageOf(event)));
  },
  runs: async ({ deps, caller, method, route, event }) => {
    if (method !== 'GET' || route.length > 3 || (route.length === 3 && route[2] !== 'plans')) return undefined;
    checkParameters(paramsOf(event), RUNS_PARAMETERS);
    if (route.length === 1) return respond(200, await pageRunViews(deps, caller, pageOf(event)));
    if (route.length === 3) return respond(200, await pageRunPlans(deps, caller, at(route, 1), pageOf(event)));
    return respond(200, await showRun(deps, caller, at(route, 1), pageOf(event)));
  },
  proposals: async ({ deps, caller, method, route, event }) => {
    if (method !== 'GET' || route.length !== 1) return undefined;
    const query = parseProposalsQuery(paramsOf(event));
    return respond(200, await pageProposalViews(deps, caller, query, pageOf(event)));
  },
  rejections: async ({ deps, caller, method, route, event }) => {
    if (method !== 'GET' || route.length !== 1) return undefined;
    const { items, cursor, outOfScope } = await listRejections(deps, caller, pageOf(event));
    return respond(200, { rejections: items, ...(cursor ? { cursor } : {}), ...(outOfScope ? { outOfScope } : {}) });
  },
  timeouts: async ({ deps, caller, method, route, event }) => {
    if (method !== 'GET' || route.length !== 1) return undefined;
    const { items, cursor } = await listTimeouts(deps, caller, pageOf(event));
    return respond(200, { timeouts: items, ...(cursor ? { cursor } : {}) });
  },
};

/** A signed-in, authorized request past the CSRF check: GET or POST, path segments after /api. */
interface Routed {
  readonly deps: ApiDeps;
  readonly caller: Caller;
  readonly method: string;
  readonly route: readonly string[];
  readonly event: ApiEvent;
}

/** /api/plans, /api/plans/{runId}/{planId} and its approve and reject; undefined for any other route under it. */
async function planRoutes({ deps, caller, method, route, event }: Routed): Promise<ApiResponse | undefined> {
  if (method === 'GET' && route.length === 1) return respond(200, await pagePending(deps, caller, pageOf(event)));
  if (method === 'GET' && route.length === 3) {
    return respond(200, await showPlan(deps, caller, at(route, 1), at(route, 2)));
  }
  const verb = route[3];
  if (method !== 'POST' || route.length !== 4 || (verb !== 'approve' && verb !== 'reject')) return undefined;
  const body = validateInput<ApiDecisionBody>('api-decision', readBody(event));
  const approval = await decide(deps, caller, {
    runId: at(route, 1),
    planId: at(route, 2),
    decision: verb === 'approve' ? 'approved' : 'rejected',
    contentHash: body.contentHash,
    ...(body.comment !== undefined ? { comment: body.comment } : {}),
  });
  return respond(200, { approval });
}

/** /api/changes and /api/changes/{changeId}/rollback (POST asks, GET reads); undefined for any other route. */
async function changeRoutes({ deps, caller, method, route, event }: Routed): Promise<ApiResponse | undefined> {
  if (method === 'GET' && route.length === 1) return respond(200, await pageChanges(deps, caller, pageOf(event)));
  if (route.length !== 3 || route[2] !== 'rollback') return undefined;
  if (method === 'POST') {
    const body = validateInput<ApiRollbackBody>('api-rollback', readBody(event));
    const status = await requestRollback(deps, caller, at(route, 1), body.comment);
    // Accepted: the rollback step performs it; GET the same path for its outcome.
    return respond(status.request?.status === 'done' ? 200 : 202, status);
  }
  return method === 'GET' ? respond(200, await rollbackStatus(deps, caller, at(route, 1))) : undefined;
}

/** /api/suppressions (GET lists, POST adds) and /api/suppressions/{id}/delete; undefined for any other route. */
async function suppressionRoutes({ deps, caller, method, route, event }: Routed): Promise<ApiResponse | undefined> {
  if (route.length === 1 && method === 'GET') {
    const { items, cursor, outOfScope } = await listSuppressions(deps, caller, pageOf(event));
    return respond(200, { suppressions: items, ...(cursor ? { cursor } : {}), ...(outOfScope ? { outOfScope } : {}) });
  }
  if (route.length === 1 && method === 'POST') {
    const body = validateInput<ApiSuppressionBody>('api-suppression', readBody(event));
    return respond(201, { suppression: await addSuppression(deps, caller, body) });
  }
  if (route.length === 3 && route[2] === 'delete' && method === 'POST') {
    return respond(200, await removeSuppression(deps, caller, at(route, 1)));
  }
  return undefined;
}

/** `limit` and `cursor` from the query string; a limit that is not a whole number from 1 to 500 is a 400. */
export function pageOf(event: Pick<ApiEvent, 'rawQueryString'>): PageRequest {
  const params = new URLSearchParams(event.rawQueryString ?? '');
  const limit = params.get('limit');
  const cursor = params.get('cursor');
  if (limit !== null && !/^\d{1,3}$/.test(limit)) {
    throw new HttpError('InvalidPageError', `limit must be a whole number from 1 to 500; got "${limit.slice(0, 20)}"`);
  }
  if (cursor !== null && (cursor === '' || cursor.length > 4096)) {
    throw new HttpError(
      'InvalidPageError',
      'cursor must be what the previous page returned (not empty, at most 4096 characters)',
    );
  }
  return { ...(limit !== null ? { limit: Number(limit) } : {}), ...(cursor !== null ? { cursor } : {}) };
}

function paramsOf(event: Pick<ApiEvent, 'rawQueryString'>): URLSearchParams {
  return new URLSearchParams(event.rawQueryString ?? '');
}

function checkCsrf(headers: Record<string, string>, options: ApiOptions): void {
  if (headers[CSRF_HEADER] !== '1') {
    throw new HttpError('CsrfError', `state-changing requests must carry the ${CSRF_HEADER}: 1 header`);
  }
  const origin = headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
    throw new HttpError('CsrfError', `requests from origin ${origin} are not accepted`);
  }
  const type = headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new HttpError('BadRequestError', 'the body must be JSON (content-type: application/json)');
  }
}

function readBody(event: ApiEvent): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError('PayloadTooLargeError', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError('BadRequestError', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

function respond(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(body),
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError('BadRequestError', `the path segment "${segment}" is not valid percent-encoding`);
  }
}

function at(route: readonly string[], index: number): string {
  const value = route[index];
  if (!value || value.length > 256) throw new HttpError('BadRequestError', 'an id in the path is empty or too long');
  return value;
}

function lowerKeys(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
