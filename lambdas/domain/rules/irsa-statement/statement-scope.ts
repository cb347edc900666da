import type { ClusterRef } from '../../estate-index';
import type { EvidenceOf, RuleId, Severity } from '../../finding';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import type { IssuerCondition, StatementView } from '../../trust-policy/classify';
import { isNegatedOperator } from '../../trust-policy/conditions';
import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import type { Quirk } from '../../trust-policy/model';
import { wildcardMatch } from '../../trust-policy/wildcard';
import type { AnalysisContext, RoleAnalysis } from '../context';
import type { StatementEvidence } from '../evidence';

/** A statement rule's own evidence fields; the scope adds the statement's (index, sid, the statement, quirks). */
export type OwnEvidence<E> = E extends unknown ? Omit<E, keyof StatementEvidence> : never;

export interface EmitOptions {
  /** Distinguishes several findings of one rule on one statement (a key, a value, a provider ARN...). */
  readonly discriminator?: string;
  /** Overrides the rule's default severity. */
  readonly severity?: Severity;
  /** The cluster the finding is about, when it is not the statement's target. */
  readonly cluster?: ClusterRef;
}

/**
 * What every statement check reads about one IRSA Allow statement, computed once before the checks run: the
 * cluster it is meant for, the issuer its keys must start with, its :sub and :aud conditions, and how to report.
 */
export class StatementScope {
  readonly index: number;
  /** The cluster the statement is meant for (from its provider ARN, else its key prefixes). */
  readonly target: ClusterRef | undefined;
  /** The issuer its condition keys must start with: the target cluster's, else its first provider's. */
  readonly expectedPrefix: string | undefined;
  readonly expectedPrefixLower: string | undefined;
  /** Conditions on `<issuer>:sub...` and `<issuer>:aud...` keys (misspelled claims included). */
  readonly subConditions: IssuerCondition[] = [];
  readonly audConditions: IssuerCondition[] = [];
  /** Issuer keys of the statement's providers, and of its key prefixes that name a provider or a known cluster. */
  readonly providerKeys: ReadonlySet<string>;
  readonly knownPrefixKeys: ReadonlySet<string>;
  /** It holds several clusters' issuers (IRSA-021). */
  readonly merged: boolean;
  /**
   * :aud conditions holding service-account subjects, matching no token audience, in a statement with no :sub key:
   * no token matches the statement, so nobody can assume the role through it (IRSA-014, not IRSA-018).
   */
  readonly subjectsOnlyUnderAud: readonly IssuerCondition[];

  constructor(
    readonly view: StatementView,
    readonly role: RoleAnalysis,
    readonly ctx: AnalysisContext,
  ) {
    this.index = view.statement.index;
    this.target = role.targets[this.index];
    this.expectedPrefix = this.target?.hostPath ?? view.providers[0]?.url;
    this.expectedPrefixLower = this.target ? this.target.hostPathLower : this.expectedPrefix?.toLowerCase();
    for (const c of view.issuerConditions) {
      if (c.claimNormal.startsWith('sub')) this.subConditions.push(c);
      if (c.claimNormal.startsWith('aud')) this.audConditions.push(c);
    }
    this.providerKeys = distinct(view.providers, (p) => p.key);
    this.knownPrefixKeys = distinct(view.issuerConditions, (c) =>
      this.providerKeys.has(c.prefixKey) || ctx.index.clustersByKey.has(c.prefixKey) ? c.prefixKey : undefined,
    );
    this.merged = this.providerKeys.size >= 2 || this.knownPrefixKeys.size >= 2;
    this.subjectsOnlyUnderAud = this.subConditions.length === 0 ? this.audConditionsMatchingNobody() : NONE;
  }

  /** "Role <name>, statement #<index> (<sid>)": how messages name the statement. */
  at(): string {
    return `Role ${this.role.ref.role.name}, statement ${statementLabel(this.view)}`;
  }

  /** The provider ARN a role of this account must trust for `cluster`. */
  expectedFederated(cluster: ClusterRef): string {
    return this.ctx.expectedProviderArn(this.role.ref.accountId, cluster);
  }

  /** The audiences the role's known workloads ask for (the default for those that set none). */
  knownAudiences(): string[] {
    return knownAudiences(this.role, this.ctx);
  }

  /** Reports a finding of rule `ruleId` on this statement, its evidence the statement's plus `evidence`. */
  emit<R extends RuleId>(
    ruleId: R,
    message: string,
    evidence: OwnEvidence<EvidenceOf<R>>,
    options: EmitOptions = {},
  ): void {
    // The statement's fields first, then the rule's own, in one object (no spreads: this runs for every finding).
    // TypeScript cannot see that the statement's fields and OwnEvidence<E> make E for a generic rule.
    const full = Object.assign(statementEvidence(this.view, this.role), evidence) as unknown as EvidenceOf<R>;
    this.ctx.emit(
      {
        accountId: this.role.ref.accountId,
        resourceArn: this.role.ref.role.arn,
        resourceType: 'role',
        cluster: options.cluster ?? this.target,
        ruleId,
        message,
        evidence: full,
        discriminator: `${this.index}:${options.discriminator ?? ''}`,
        severity: options.severity,
      },
      { role: this.role, index: this.index },
    );
  }

  private audConditionsMatchingNobody(): readonly IssuerCondition[] {
    const holding = this.audConditions.filter((c) => c.claimNormal === 'aud' && holdsSubject(c));
    if (holding.length === 0) return NONE;
    const audiences = [DEFAULT_AUDIENCE, ...this.knownAudiences()];
    return holding.filter((c) => audienceNeverMatches(c, audiences));
  }
}

export function statementLabel(view: StatementView): string {
  return view.statement.sid ? `#${view.statement.index} (${view.statement.sid})` : `#${view.statement.index}`;
}

/** The statement as written, and the reader's quirks in it (stray whitespace, operator spelling...), as evidence. */
export function statementEvidence(view: StatementView, role?: RoleAnalysis): StatementEvidence {
  const all = role?.read.quirks;
  const quirks = all && all.length > 0 ? quirksOf(all, view.statement.index) : undefined;
  // No spreads: this runs for every statement finding. Keys in this order (finding JSON depends on it).
  const evidence = { statementIndex: view.statement.index } as {
    -readonly [K in keyof StatementEvidence]: StatementEvidence[K];
  };
  if (view.statement.sid) evidence.sid = view.statement.sid;
  evidence.statement = view.statement.raw;
  if (quirks && quirks.length > 0) evidence.quirks = quirks;
  return evidence;
}

/** The quirks of the statement at `index` (and of the Statement element itself). */
function quirksOf(all: readonly Quirk[], index: number): Quirk[] {
  const prefix = `$.Statement[${index}]`;
  return all.filter((q) => 'path' in q && (q.path === '$.Statement' || q.path.startsWith(prefix)));
}

/** Whether a condition holds a service-account subject. */
export function holdsSubject(c: IssuerCondition): boolean {
  return c.entry.values.some((v) => v.startsWith('system:serviceaccount'));
}

/** The values of a condition that are service-account subjects. */
export function subjectsIn(c: IssuerCondition): string[] {
  return c.entry.values.filter((v) => v.startsWith('system:serviceaccount'));
}

/**
 * Whether a positive :aud condition matches none of `audiences` (what tokens carry: the default, and the custom ones
 * of known workloads). Only plain string operators are decided; anything else (set qualifiers, other operators,
 * policy variables) may match, and returns false.
 */
function audienceNeverMatches(c: IssuerCondition, audiences: readonly string[]): boolean {
  const op = c.entry.operator;
  if (!op || op.qualifier !== undefined || c.entry.values.some((v) => v.includes('${'))) return false;
  const matches =
    op.base === 'StringEquals'
      ? (v: string, a: string) => v === a
      : op.base === 'StringEqualsIgnoreCase'
        ? (v: string, a: string) => v.toLowerCase() === a.toLowerCase()
        : op.base === 'StringLike'
          ? (v: string, a: string) => wildcardMatch(v, a)
          : undefined;
  return matches !== undefined && !c.entry.values.some((v) => audiences.some((a) => matches(v, a)));
}

export function knownAudiences(role: RoleAnalysis, ctx: AnalysisContext): string[] {
  return (ctx.index.serviceAccountsByRole.get(role.ref.role.arn) ?? []).map(
    (s) => s.serviceAccount.audience ?? DEFAULT_AUDIENCE,
  );
}

/** A condition that must hold (not negated, not Null). */
export const positive = (c: IssuerCondition) =>
  c.entry.operator !== undefined && !isNegatedOperator(c.entry.operator.base) && c.entry.operator.base !== 'Null';
export const isLike = (c: IssuerCondition) => c.entry.operator?.base === 'StringLike';
export const isEquals = (c: IssuerCondition) =>
  c.entry.operator?.base === 'StringEquals' || c.entry.operator?.base === 'StringEqualsIgnoreCase';

export function statementAllowsWebIdentity(view: StatementView): boolean {
  const { actions, notActions } = view.statement;
  if (actions) return actions.some((a) => a === WEB_IDENTITY_ACTION || wildcardMatch(a, WEB_IDENTITY_ACTION, true));
  if (notActions) return !notActions.some((a) => wildcardMatch(a, WEB_IDENTITY_ACTION, true));
  return false;
}

/** Distinct defined keys of a list: most statements have one, so no Set is built for a single key. */
function distinct<T>(items: readonly T[], key: (item: T) => string | undefined): ReadonlySet<string> {
  let only: string | undefined;
  let set: Set<string> | undefined;
  for (const item of items) {
    const k = key(item);
    if (k === undefined || k === only) continue;
    if (only === undefined) only = k;
    else {
      set ??= new Set([only]);
      set.add(k);
    }
  }
  return set ?? (only === undefined ? EMPTY : singleton(only));
}
const EMPTY: ReadonlySet<string> = new Set();
/** One-key sets, interned: the keys are issuers (a handful per estate), and most statements have one. */
const SINGLETONS = new Map<string, ReadonlySet<string>>();
function singleton(key: string): ReadonlySet<string> {
  let set = SINGLETONS.get(key);
  if (!set) {
    set = new Set([key]);
    if (SINGLETONS.size >= 10_000) SINGLETONS.clear(); // bounded, like the reader's caches
    SINGLETONS.set(key, set);
  }
  return set;
}
const NONE: readonly IssuerCondition[] = [];
