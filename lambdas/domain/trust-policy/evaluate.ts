import { evaluateCondition, type RequestContext } from './conditions';
import type { PrincipalBlock, Statement, TrustPolicy } from './model';
import { wildcardMatch } from './wildcard';

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity';

export type PrincipalType = 'Federated' | 'Service' | 'AWS' | 'CanonicalUser';

/** One request against a role's trust policy: who asks, for which action, with which context keys. */
export interface TrustRequest {
  readonly principal: { readonly type: PrincipalType; readonly id: string };
  readonly action: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export type EvalDecision = 'Allow' | 'ImplicitDeny' | 'ExplicitDeny';

export interface ConditionTrace {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
  readonly result: boolean;
  readonly reason: string;
}

export interface StatementTrace {
  readonly index: number;
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly principalMatched: boolean;
  readonly actionMatched: boolean;
  readonly conditions: readonly ConditionTrace[];
  /** Principal, action and every condition matched: the statement applies to the request. */
  readonly applies: boolean;
}

export interface Evaluation {
  readonly decision: EvalDecision;
  /** The statement that decided an Allow or an explicit Deny. */
  readonly decidedBy?: StatementTrace;
  /** For an implicit deny: the Allow statement that came closest, and the first condition that failed in it. */
  readonly closest?: StatementTrace;
  readonly failedCondition?: ConditionTrace;
  readonly explanation: string;
  readonly statements: readonly StatementTrace[];
}

/** The web-identity request a pod's projected token makes: `<issuer>:aud` and `<issuer>:sub` keys. */
export function webIdentityRequest(
  providerArn: string,
  issuerHostPath: string,
  claims: { readonly sub?: string; readonly aud?: string; readonly amr?: readonly string[] },
  action: string = WEB_IDENTITY_ACTION,
): TrustRequest {
  const context: Record<string, string | readonly string[]> = {};
  if (claims.aud !== undefined) context[`${issuerHostPath}:aud`] = claims.aud;
  if (claims.sub !== undefined) context[`${issuerHostPath}:sub`] = claims.sub;
  if (claims.amr !== undefined) context[`${issuerHostPath}:amr`] = claims.amr;
  return { principal: { type: 'Federated', id: providerArn }, action, context };
}

/**
 * Decides a request against a trust policy with IAM's rules for what trust policies use: an applicable Deny wins,
 * then an applicable Allow, otherwise the request is implicitly denied. Pure and total: never throws.
 */
export function evaluateTrustPolicy(policy: TrustPolicy, request: TrustRequest): Evaluation {
  const context = toContext(request.context);
  const traces = policy.statements.map((s) => traceStatement(s, request, context, policy.version));
  const deny = traces.find((t) => t.applies && t.effect === 'Deny');
  if (deny) {
    return {
      decision: 'ExplicitDeny',
      decidedBy: deny,
      explanation: `explicitly denied by statement ${label(deny)}`,
      statements: traces,
    };
  }
  const allow = traces.find((t) => t.applies && t.effect === 'Allow');
  if (allow) {
    return {
      decision: 'Allow',
      decidedBy: allow,
      explanation: `allowed by statement ${label(allow)}`,
      statements: traces,
    };
  }
  return { decision: 'ImplicitDeny', ...closestMiss(traces, request), statements: traces };
}

function closestMiss(
  traces: readonly StatementTrace[],
  request: TrustRequest,
): Pick<Evaluation, 'closest' | 'failedCondition' | 'explanation'> {
  const allows = traces.filter((t) => t.effect === 'Allow');
  const candidates = allows.filter((t) => t.principalMatched && t.actionMatched);
  if (candidates.length > 0) {
    let best = candidates[0] as StatementTrace;
    let bestFailures = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
      const failures = c.conditions.filter((x) => !x.result).length;
      if (failures < bestFailures) {
        best = c;
        bestFailures = failures;
      }
    }
    const failed = best.conditions.find((x) => !x.result);
    return {
      closest: best,
      ...(failed ? { failedCondition: failed } : {}),
      explanation: failed
        ? `no statement allows it; closest is ${label(best)}, where ${failed.reason}`
        : `no statement allows it; closest is ${label(best)}`,
    };
  }
  const principalOnly = allows.find((t) => t.principalMatched);
  if (principalOnly) {
    return {
      closest: principalOnly,
      explanation: `statement ${label(principalOnly)} names the principal but does not allow ${request.action}`,
    };
  }
  return {
    explanation:
      allows.length === 0
        ? 'the trust policy has no Allow statement'
        : `no Allow statement names the principal ${request.principal.type} ${request.principal.id}`,
  };
}

function traceStatement(
  statement: Statement,
  request: TrustRequest,
  context: RequestContext,
  version: string | undefined,
): StatementTrace {
  const principalMatched = matchesPrincipal(statement, request.principal);
  const actionMatched = matchesAction(statement, request.action);
  const conditions = statement.conditions.map((entry) => {
    const outcome = evaluateCondition(entry, context, version);
    return {
      operator: entry.operatorText,
      key: entry.key,
      values: entry.values,
      result: outcome.result,
      reason: outcome.reason,
    };
  });
  const applies =
    statement.effect !== undefined && principalMatched && actionMatched && conditions.every((c) => c.result);
  return {
    index: statement.index,
    ...(statement.sid !== undefined ? { sid: statement.sid } : {}),
    ...(statement.effect ? { effect: statement.effect } : {}),
    principalMatched,
    actionMatched,
    conditions,
    applies,
  };
}

/** Whether a statement's Principal (or NotPrincipal) names the principal: the one definition (the proof uses it). */
export function matchesPrincipal(statement: Statement, principal: TrustRequest['principal']): boolean {
  if (statement.principal) return principalBlockMatches(statement.principal, principal);
  if (statement.notPrincipal) return !principalBlockMatches(statement.notPrincipal, principal);
  return false;
}

function principalBlockMatches(block: PrincipalBlock, principal: TrustRequest['principal']): boolean {
  if (block.wildcard) return true;
  // {"AWS": "*"} is documented as equivalent to "*".
  if ((block.byType.AWS ?? []).includes('*')) return true;
  const values = block.byType[principal.type] ?? [];
  const id = principal.id;
  switch (principal.type) {
    case 'Service':
      return values.some((v) => v.toLowerCase() === id.toLowerCase());
    case 'AWS':
      return values.some((v) => v === id || namesAccountOf(v, id));
    default:
      return values.includes(id);
  }
}

/**
 * The account an AWS principal value names as a whole: a 12-digit account id, or the same account written as its ARN
 * `arn:<partition>:iam::<account>:root`. The IAM user guide (Principal element, "AWS account principals") says the
 * two "behave the same way": both delegate to the account, any principal of it that the account's own IAM policies
 * allow, and the ARN form does not mean only the root user. The 12-digit form takes the partition of the policy's
 * account, which a policy alone does not tell: it matches in any partition. Undefined for any other value.
 */
export function accountPrincipal(value: string): { readonly account: string; readonly partition?: string } | undefined {
  if (value.length === 12 && /^\d{12}$/.test(value)) return { account: value };
  if (!value.endsWith(':root')) return undefined;
  const m = /^arn:([^:]+):iam::(\d{12}):root$/.exec(value);
  return m ? { account: m[2] as string, partition: m[1] as string } : undefined;
}

/** Whether the AWS principal value `v` names the account of the request's principal `id` (an ARN or an account id). */
function namesAccountOf(v: string, id: string): boolean {
  const named = accountPrincipal(v);
  if (!named) return false;
  if (/^\d{12}$/.test(id)) return id === named.account;
  const parts = id.split(':');
  return (
    parts[0] === 'arn' && parts[4] === named.account && (named.partition === undefined || parts[1] === named.partition)
  );
}

/** Whether a statement's Action (or NotAction) covers the action, ignoring case: the one definition. */
export function matchesAction(statement: Statement, action: string): boolean {
  if (statement.actions) return statement.actions.some((a) => wildcardMatch(a, action, true));
  if (statement.notActions) return !statement.notActions.some((a) => wildcardMatch(a, action, true));
  return false;
}

function toContext(raw: TrustRequest['context']): RequestContext {
  const map = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(raw)) {
    map.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
  }
  return map;
}

function label(trace: StatementTrace): string {
  return trace.sid ? `#${trace.index} (${trace.sid})` : `#${trace.index}`;
}
