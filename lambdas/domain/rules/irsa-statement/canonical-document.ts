import type { ClusterRef, RoleRef } from '../../estate-index';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import {
  classifyStatement,
  issuerConditionKey,
  isWellFormedSubject,
  type StatementView,
} from '../../trust-policy/classify';
import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import type { ReadSuccess, Statement, TrustPolicy } from '../../trust-policy/model';
import { type DecodedTrustText, type ParsedTrustText, readStatementsOf } from '../../trust-policy/parse-trust-policy';
import { hasWildcard } from '../../trust-policy/wildcard';
import type { AnalysisContext, RoleAnalysis } from '../context';

/**
 * The statement fast path one step earlier: a document whose every statement is the canonical healthy IRSA
 * statement (what isCanonicalStatement accepts, canonical-statement.ts), recognised on the parsed JSON itself,
 * before the reader builds statement, principal and condition objects for it. Such a role takes no statement rule,
 * no intended-request check and no Pod Identity check (each statement is IRSA); the role pass records its cluster
 * use and provider references from the parsed document, in the order readRole would. Its statements and views are
 * built, by the same reader and classifier, only when something asks for them (the size rule near the quota, the
 * workload pass for a role a workload names, the planner).
 *
 * Taken strictly, so that each accepted statement is one the general path would read without a quirk and
 * isCanonicalStatement would accept: the document is minified text with no repeated key, at most
 * MAX_EVALUATED_TRUST_POLICY long, of exactly Version "2012-10-17", Statement (a non-empty array) and perhaps Id;
 * each statement holds only Sid, Effect "Allow", Principal {Federated: one provider ARN}, Action
 * sts:AssumeRoleWithWebIdentity (a string or a list of it alone) and Condition {StringEquals: {"<issuer>:sub":
 * well-formed literal subjects, "<issuer>:aud": "sts.amazonaws.com"}}, the keys spelled exactly as the target
 * cluster's issuer, the provider ARN exactly the one the role's account must trust for that cluster.
 * canonical-statement.property.test.ts checks it accepts nothing isCanonicalStatement declines, and that analysis
 * is the same with and without it.
 */

/** A provider ARN the fast path accepts, with what it needs to know per statement. */
export interface CanonicalProvider {
  readonly target: ClusterRef;
  /** The account the ARN names (the role must be of it). */
  readonly accountId: string;
  /** `<issuer>:sub` and `<issuer>:aud` exactly as the target's issuer is spelled. */
  readonly subKey: string;
  readonly audKey: string;
}

/**
 * Printable ASCII but space, quote and backslash: an ARN of these stands for itself inside JSON text, and the reader
 * finds no stray whitespace in it or in the condition keys made from it.
 */
const PLAIN = /^[!#-[\]-~]*$/;
const DOCUMENT_ELEMENTS = new Set(['Version', 'Statement', 'Id']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'Action', 'Condition']);

/**
 * The role's analysis when its document takes the fast path, with its uses recorded; undefined when it does not
 * (nothing is recorded then, and readRole reads it the general way).
 */
export function canonicalRole(
  ref: RoleRef,
  parsed: ParsedTrustText,
  maxLength: number,
  ctx: AnalysisContext,
): RoleAnalysis | undefined {
  const { document, scan } = parsed;
  if (!scan.parsedKeysMatch || scan.minifiedLength > maxLength || document.Version !== '2012-10-17') return undefined;
  if (ctx.expectedAudience() !== DEFAULT_AUDIENCE) return undefined;
  for (const name in document) if (!DOCUMENT_ELEMENTS.has(name)) return undefined;
  const list = document.Statement;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const targets: ClusterRef[] = [];
  const arns: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const provider = canonicalStatement(list[i], ref, ctx);
    if (!provider) return undefined;
    targets.push(provider.target);
    arns.push(federatedArn(list[i]));
  }
  recordCanonicalUses(ref, targets, arns, ctx);
  return lazyAnalysis(ref, parsed, targets);
}

/** The statement's provider when the statement is canonical, else undefined. */
function canonicalStatement(raw: unknown, ref: RoleRef, ctx: AnalysisContext): CanonicalProvider | undefined {
  if (!isRecord(raw)) return undefined;
  for (const name in raw) if (!STATEMENT_ELEMENTS.has(name)) return undefined;
  if (raw.Effect !== 'Allow' || only(raw.Action) !== WEB_IDENTITY_ACTION) return undefined;
  const principal = raw.Principal;
  if (!isRecord(principal)) return undefined;
  for (const type in principal) if (type !== 'Federated') return undefined;
  const arn = only(principal.Federated);
  const provider = arn === undefined ? undefined : canonicalProvider(arn, ctx);
  if (!provider || provider.accountId !== ref.accountId) return undefined;
  return canonicalCondition(raw.Condition, provider) ? provider : undefined;
}

/** Exactly {StringEquals: {"<issuer>:sub": well-formed literal subjects, "<issuer>:aud": "sts.amazonaws.com"}}. */
function canonicalCondition(condition: unknown, provider: CanonicalProvider): boolean {
  if (!isRecord(condition)) return false;
  for (const operator in condition) if (operator !== 'StringEquals') return false;
  const block = condition.StringEquals;
  if (!isRecord(block)) return false;
  let sub = false;
  let aud = false;
  for (const key in block) {
    if (key === provider.subKey) sub = wellFormedSubjects(block[key]);
    else if (key === provider.audKey) aud = only(block[key]) === DEFAULT_AUDIENCE;
    else return false;
  }
  return sub && aud;
}

/** The Federated ARN of a statement canonicalStatement accepted. */
function federatedArn(raw: unknown): string {
  return only(((raw as Record<string, unknown>).Principal as Record<string, unknown>).Federated) as string;
}

/** A string, or the one string of a one-item list; else undefined. */
function only(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return undefined;
}

/** A non-empty string or list of strings, each a well-formed literal service-account subject. */
function wellFormedSubjects(value: unknown): boolean {
  if (typeof value === 'string') return wellFormedSubject(value);
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const v of value) if (typeof v !== 'string' || !wellFormedSubject(v)) return false;
  return true;
}

export function wellFormedSubject(value: string): boolean {
  return !hasWildcard(value) && isWellFormedSubject(value, false);
}

/** The provider ARN's facts, worked out once per ARN with the classifier and the checks of isCanonicalStatement. */
export function canonicalProvider(arn: string, ctx: AnalysisContext): CanonicalProvider | undefined {
  const cache = ctx.canonicalProviders;
  let provider = cache.get(arn);
  if (provider === undefined) {
    provider = acceptedProvider(arn, ctx) ?? null;
    if (cache.size >= 50_000) cache.clear();
    cache.set(arn, provider);
  }
  return provider ?? undefined;
}

function acceptedProvider(arn: string, ctx: AnalysisContext): CanonicalProvider | undefined {
  const view = classifyStatement({ index: 0, conditions: [], raw: {}, principal: federated(arn) });
  const p = view.providers[0];
  if (!p || p.arn.includes('*') || p.partition !== ctx.index.partition || !PLAIN.test(arn)) return undefined;
  const target = ctx.index.clustersByKey.get(p.key)?.[0];
  if (!target || p.key !== target.key || ctx.index.clustersByHostPath.get(p.url) === undefined) return undefined;
  if (arn !== ctx.expectedProviderArn(p.accountId, target)) return undefined;
  const subKey = `${target.hostPath}:sub`;
  const audKey = `${target.hostPath}:aud`;
  if (!claimKey(subKey, 'sub', target.subKeyLower, target) || !claimKey(audKey, 'aud', target.audKeyLower, target)) {
    return undefined;
  }
  return { target, accountId: p.accountId, subKey, audKey };
}

function federated(arn: string): { wildcard: false; byType: Record<string, readonly string[]> } {
  return { wildcard: false, byType: { Federated: [arn] } };
}

/** Whether the classifier reads `key` as the target's `claim` condition key, as isCanonicalStatement requires. */
function claimKey(key: string, claim: string, keyLower: string, target: ClusterRef): boolean {
  const parts = issuerConditionKey(key);
  return (
    parts !== undefined &&
    parts.claim === claim &&
    key.toLowerCase() === keyLower &&
    parts.prefixLower === target.hostPathLower &&
    parts.prefixKey === target.key
  );
}

/** What readRole's recordUses records for these statements: each cluster used and each provider named, once. */
export function recordCanonicalUses(
  ref: RoleRef,
  targets: readonly ClusterRef[],
  arns: readonly string[],
  ctx: AnalysisContext,
): void {
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i] as ClusterRef;
    const arn = arns[i] as string;
    if (targets.indexOf(target) === i) ctx.markClusterUse(target, ref.accountId, ref.role.arn);
    if (arns.indexOf(arn) === i) ctx.addProviderReference(arn, ref.role.arn);
  }
}

/** The role's analysis, its statements and views built on first use. */
function lazyAnalysis(ref: RoleRef, parsed: ParsedTrustText, targets: ClusterRef[]): RoleAnalysis {
  return canonicalAnalysis(ref, parsed, parsed.document, targets);
}

/**
 * A canonical role's analysis from its decoded text (minified: its length is the minified length) and, when it was
 * parsed, its document (else parsed on first use); its statements and views are built on first use.
 */
export function canonicalAnalysis(
  ref: RoleRef,
  decoded: DecodedTrustText,
  document: Record<string, unknown> | undefined,
  targets: ClusterRef[],
): RoleAnalysis {
  const read: ReadSuccess = {
    ok: true,
    policy: new LazyPolicy(decoded.text, document),
    quirks: decoded.quirks,
    minifiedLength: decoded.text.length,
    decodedText: decoded.text,
  };
  return new CanonicalRoleAnalysis(ref, read, targets);
}

/*
 * Classes with getters, not object literals with getters: V8 builds a literal's accessors one runtime call at a
 * time (measured: they cost more than the reader they replace). The caches are private fields. A getter on the
 * prototype is not copied by a spread: a spread of a policy must name `statements` and `document` (the one spread
 * of a policy, in the Pod Identity check, is of a policy with a Deny statement, which is never canonical).
 */

/** A canonical document's policy: parsed and read on first use, as parseTrustPolicy reads it. */
class LazyPolicy implements TrustPolicy {
  readonly version = '2012-10-17';
  readonly #text: string;
  #document: Record<string, unknown> | undefined;
  #statements: Statement[] | undefined;

  constructor(text: string, document: Record<string, unknown> | undefined) {
    this.#text = text;
    this.#document = document;
  }

  get document(): Record<string, unknown> {
    this.#document ??= JSON.parse(this.#text) as Record<string, unknown>;
    return this.#document;
  }

  get statements(): Statement[] {
    this.#statements ??= readStatementsOf(this.document);
    return this.#statements;
  }

  /** As JSON, the same as the policy parseTrustPolicy returns (keys in its order). */
  toJSON(): TrustPolicy {
    return { version: this.version, statements: this.statements, document: this.document };
  }
}

class CanonicalRoleAnalysis implements RoleAnalysis {
  readonly irsa = true;
  readonly findingsByStatement: number[] = [];
  readonly canonical = true;
  #views: StatementView[] | undefined;

  constructor(
    readonly ref: RoleRef,
    readonly read: ReadSuccess,
    readonly targets: ClusterRef[],
  ) {}

  get views(): StatementView[] {
    this.#views ??= this.read.policy.statements.map(classifyStatement);
    return this.#views;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
