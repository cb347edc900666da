import { parseArn } from '../../arn';
import { type TrustRequest, WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import { wildcardMatch } from '../../trust-policy/wildcard';
import type { DeclaredWidening, IntendedRequest, WideningClass } from '../prove';

/** Why a newly allowed request is acceptable: a named workload, or a declared widening (with its class). */
export interface AccountedFor {
  readonly why: string;
  readonly wideningClass?: WideningClass;
}

/** The condition-key prefix a provider ARN's tokens carry (its URL without scheme), or the ARN itself. */
export function providerUrl(arn: string): string {
  const parsed = parseArn(arn);
  return parsed?.resource.startsWith('oidc-provider/') ? parsed.resource.slice('oidc-provider/'.length) : arn;
}

/** The lower-cased `:sub` key of a Federated principal's tokens; undefined for other principal types. */
export function subKeyOf(principal: TrustRequest['principal']): string | undefined {
  return principal.type === 'Federated' ? `${providerUrl(principal.id)}:sub`.toLowerCase() : undefined;
}

/** The request's `:sub` value(s) for its own provider (IAM compares key names case-insensitively; the last wins). */
export function subValues(request: TrustRequest): readonly string[] | undefined {
  const key = subKeyOf(request.principal);
  if (key === undefined) return undefined;
  let found: readonly string[] | undefined;
  for (const [k, v] of Object.entries(request.context))
    if (k.toLowerCase() === key) found = typeof v === 'string' ? [v] : v;
  return found && found.length > 0 ? found : undefined;
}

/** Principal ids compare as the evaluator compares them: Service names ignoring case, every other type exactly. */
export function sameId(type: string, a: string, b: string): boolean {
  return type === 'Service' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export function isWebIdentity(action: string): boolean {
  return action.toLowerCase() === WEB_IDENTITY_ACTION.toLowerCase();
}

/**
 * Whether a request the change newly allows is accounted for, and by what (the first that applies):
 * - a named workload: Federated principal = the intended provider, action sts:AssumeRoleWithWebIdentity (any case),
 *   and one of its `:sub` values is the intended subject;
 * - a declared widening: each of `principal`, `providerArn` (principal id), `action` (any case) that it gives matches,
 *   and, when it gives `subPattern`, one of the request's `:sub` values for its provider matches it.
 * A token carries one `:sub`; for the multi-valued requests the evaluator also admits, both read "one of its values",
 * so a single-valued request is judged exactly and a multi-valued one never hides a single-valued widening (each of
 * its values is a request of its own that the exact check also covers).
 * This is the definition both the exact proof and the probes use; the exact proof splits its classes on every
 * condition here, so a class it calls accounted for is accounted for as a whole.
 */
export function accountFor(
  request: TrustRequest,
  intended: readonly IntendedRequest[],
  declared: readonly DeclaredWidening[],
): AccountedFor | undefined {
  const subs = subValues(request);
  const { type, id } = request.principal;
  if (type === 'Federated' && isWebIdentity(request.action) && subs) {
    const named = firstNamed(intended, id, subs);
    if (named) return { why: named.why };
  }
  const widening = declared.find((d) => declaredCovers(d, request, subs));
  return widening ? { why: widening.why, wideningClass: widening.class } : undefined;
}

/** Whether a declared widening covers the request: each field it gives matches (see accountFor). */
function declaredCovers(d: DeclaredWidening, request: TrustRequest, subs: readonly string[] | undefined): boolean {
  const { type, id } = request.principal;
  if (d.principal !== undefined && !sameId(type, d.principal, id)) return false;
  if (d.action !== undefined && d.action.toLowerCase() !== request.action.toLowerCase()) return false;
  if (d.providerArn !== undefined && !sameId(type, d.providerArn, id)) return false;
  const pattern = d.subPattern;
  return pattern === undefined || (subs?.some((s) => wildcardMatch(pattern, s)) ?? false);
}

const namedIndexes = new WeakMap<readonly IntendedRequest[], Map<string, number>>();

/**
 * intended.find((i) => i.providerArn === providerArn && subs.includes(i.sub)), from an index built once per list
 * (lists are not changed once proved): a plan for a role with thousands of workloads asks it once per request.
 */
function firstNamed(
  intended: readonly IntendedRequest[],
  providerArn: string,
  subs: readonly string[],
): IntendedRequest | undefined {
  let index = namedIndexes.get(intended);
  if (!index) {
    index = new Map();
    for (let i = intended.length - 1; i >= 0; i--) {
      const r = intended[i] as IntendedRequest;
      index.set(JSON.stringify([r.providerArn, r.sub]), i);
    }
    namedIndexes.set(intended, index);
  }
  let first: number | undefined;
  for (const sub of subs) {
    const at = index.get(JSON.stringify([providerArn, sub]));
    if (at !== undefined && (first === undefined || at < first)) first = at;
  }
  return first === undefined ? undefined : intended[first];
}
