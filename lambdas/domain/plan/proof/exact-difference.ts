/**
 * The exact difference of two trust policies: every class of requests `after` allows and `before` does not, with one
 * concrete witness request per class, decided as lambdas/domain/trust-policy/evaluate.ts decides.
 *
 * A request is a principal (type and id), an action and, for every condition key either policy names, absence or a
 * non-empty set of values. Each dimension is cut into regions (value-regions.ts) that every statement treats alike;
 * the search fixes the principal, then the action, then one condition key at a time, dropping the statements that
 * can no longer apply and cutting a branch as soon as `after` cannot allow or `before` surely allows. A key's value
 * set matters only through which of its regions occur, and each condition on the key is "some value satisfies it"
 * (positive operators, ForAnyValue) or "every value does" (negated operators, ForAllValues): the truth vectors a set
 * can give are the joins (OR on the first kind, AND on the second) of the regions' vectors, so the search enumerates
 * that closure, and a witness needs at most one value per condition on the key. Branches with the same effect on the
 * live statements (and on what accounts for a request, accounting.ts) are one class.
 *
 * What is not modeled exactly (Numeric, Date, IpAddress and Arn operators, policy variables, a key compared both
 * with and without case) makes the result undecided, and so does running out of the work budget: never a guess.
 */

import { evaluateCondition, isNegatedOperator } from '../../trust-policy/conditions';
import {
  accountPrincipal,
  type EvalDecision,
  evaluateTrustPolicy,
  matchesAction,
  matchesPrincipal,
  type PrincipalType,
  type TrustRequest,
  WEB_IDENTITY_ACTION,
} from '../../trust-policy/evaluate';
import type { ConditionEntry, Statement, TrustPolicy } from '../../trust-policy/model';
import { wildcardMatch } from '../../trust-policy/wildcard';
import type { DeclaredWidening, IntendedRequest } from '../prove';
import { type AccountedFor, accountFor, isWebIdentity, sameId, subKeyOf } from './accounting';
import { type Budget, BudgetExceeded, freshCharacter, regionWitnesses, spend } from './value-regions';

export const DEFAULT_EXACT_BUDGET = 2_000_000;

export interface ExactClass {
  /** One concrete request of the class. */
  readonly request: TrustRequest;
  readonly before: EvalDecision;
  readonly after: EvalDecision;
  /** Set when the whole class is accounted for (see accounting.ts); undefined: an undeclared widening. */
  readonly accountedFor?: AccountedFor;
}

export type ExactResult =
  | { readonly decided: true; readonly classes: readonly ExactClass[]; readonly work: number }
  | {
      readonly decided: false;
      readonly reason: string;
      readonly classes: readonly ExactClass[];
      readonly work: number;
    };

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['Federated', 'Service', 'AWS', 'CanonicalUser'];
const CASE_SENSITIVE = new Set(['StringEquals', 'StringNotEquals', 'BinaryEquals']);
const LIKE = new Set(['StringLike', 'StringNotLike']);
const IGNORE_CASE = new Set(['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'Bool']);

interface Compiled {
  readonly statement: Statement;
  readonly after: boolean;
  readonly deny: boolean;
  readonly version: string | undefined;
  readonly byKey: ReadonlyMap<string, readonly ConditionEntry[]>;
}

type AtomKind = 'exists' | 'forall' | 'const';

interface KeySpace {
  readonly literals: Set<string>;
  readonly patterns: Set<string>;
  ignoreCase?: boolean;
  mixed: boolean;
  /** Why the key's values cannot be cut into regions exactly: its conditions are then free booleans. */
  free?: string;
  witnesses?: readonly string[];
}

export function exactNewlyAllowed(
  before: TrustPolicy,
  after: TrustPolicy,
  intended: readonly IntendedRequest[],
  declared: readonly DeclaredWidening[],
  options: { readonly budget?: number } = {},
): ExactResult {
  const limit = options.budget ?? DEFAULT_EXACT_BUDGET;
  const budget: Budget = { states: limit };
  const classes: ExactClass[] = [];
  const work = () => limit - Math.max(0, budget.states);
  try {
    const space = requestSpace(before, after, intended, declared);
    const principals = principalWitnesses(space.principalIds, space.keys.keys());
    const actions = regionWitnesses(
      {
        literals: [WEB_IDENTITY_ACTION, ...declared.flatMap((d) => (d.action !== undefined ? [d.action] : []))],
        patterns: space.compiled.flatMap((c) => [...(c.statement.actions ?? []), ...(c.statement.notActions ?? [])]),
        ignoreCase: true,
      },
      budget,
    );
    if (!actions.ok) return undecided('an action whose lower case is not stable', classes, work());
    const search = new DifferenceSearch({ before, after, intended, declared }, space, budget, classes);
    const failure = search.run(principals, actions.witnesses);
    if (failure !== undefined) return undecided(failure, classes, work());
    if (search.unresolved.size > 0) {
      return undecided(`not modeled exactly: ${[...search.unresolved].slice(0, 3).join(', ')}`, classes, work());
    }
    return { decided: true, classes, work: work() };
  } catch (e) {
    if (e instanceof BudgetExceeded) {
      return undecided(`the search exceeded its budget of ${limit} steps`, classes, limit);
    }
    throw e;
  }
}

function undecided(reason: string, classes: readonly ExactClass[], work: number): ExactResult {
  return { decided: false, reason, classes, work };
}

/** The dimensions of the search, read from both policies and from what accounts for a request. */
interface RequestSpace {
  readonly compiled: readonly Compiled[];
  readonly keys: ReadonlyMap<string, KeySpace>;
  /** Each key as first written, for the witnesses (the evaluator compares key names ignoring case). */
  readonly spelling: ReadonlyMap<string, string>;
  /** Every principal id either policy, the intended requests or the declared widenings name, by type. */
  readonly principalIds: ReadonlyMap<PrincipalType, ReadonlySet<string>>;
}

function requestSpace(
  before: TrustPolicy,
  after: TrustPolicy,
  intended: readonly IntendedRequest[],
  declared: readonly DeclaredWidening[],
): RequestSpace {
  const keys = new Map<string, KeySpace>();
  const spelling = new Map<string, string>();
  const compiled: Compiled[] = [];
  for (const [policy, isAfter] of [
    [before, false],
    [after, true],
  ] as const) {
    for (const statement of policy.statements) {
      if (statement.effect === undefined) continue; // never applies
      compiled.push(compileStatement(statement, isAfter, policy.version, keys, spelling));
    }
  }
  const principalIds = namedPrincipalIds(compiled, intended, declared);
  addAccountingValues(keys, intended, declared, principalIds.get('Federated') ?? new Set());
  for (const [key, s] of keys) if (s.mixed) s.free ??= `a key compared both with and without case (${key})`;
  return { compiled, keys, spelling, principalIds };
}

function compileStatement(
  statement: Statement,
  isAfter: boolean,
  version: string | undefined,
  keys: Map<string, KeySpace>,
  spelling: Map<string, string>,
): Compiled {
  const byKey = new Map<string, ConditionEntry[]>();
  for (const entry of statement.conditions) {
    if (!spelling.has(entry.keyLower)) spelling.set(entry.keyLower, entry.key);
    byKey.set(entry.keyLower, [...(byKey.get(entry.keyLower) ?? []), entry]);
    recordConditionValues(keys, entry, version);
  }
  return { statement, after: isAfter, deny: statement.effect === 'Deny', version, byKey };
}

/** What a condition compares its key with: literals, patterns, or why the key's values cannot be cut exactly. */
function recordConditionValues(keys: Map<string, KeySpace>, entry: ConditionEntry, version: string | undefined): void {
  const s = keySpace(keys, entry.keyLower);
  const base = entry.operator?.base;
  if (base === undefined || base === 'Null') return; // never matches / presence only
  const variables = base !== 'BinaryEquals' && version === '2012-10-17' && entry.values.some((v) => v.includes('${'));
  if (variables) s.free ??= `policy variables (${entry.operatorText} ${entry.key})`;
  else if (CASE_SENSITIVE.has(base)) addValues(s, 'literal', false, entry.values);
  else if (LIKE.has(base)) addValues(s, 'pattern', false, entry.values);
  else if (IGNORE_CASE.has(base)) addValues(s, 'literal', true, entry.values);
  else s.free ??= `${base} (${entry.key})`;
}

function keySpace(keys: Map<string, KeySpace>, key: string): KeySpace {
  let s = keys.get(key);
  if (!s) {
    s = { literals: new Set(), patterns: new Set(), mixed: false };
    keys.set(key, s);
  }
  return s;
}

function addValues(s: KeySpace, kind: 'literal' | 'pattern', ignoreCase: boolean, values: readonly string[]): void {
  if (s.ignoreCase !== undefined && s.ignoreCase !== ignoreCase) s.mixed = true;
  s.ignoreCase = ignoreCase;
  for (const v of values) (kind === 'literal' ? s.literals : s.patterns).add(v);
}

/** Principals: every id either policy, the intended requests or the declared widenings name. */
function namedPrincipalIds(
  compiled: readonly Compiled[],
  intended: readonly IntendedRequest[],
  declared: readonly DeclaredWidening[],
): Map<PrincipalType, Set<string>> {
  const principalIds = new Map<PrincipalType, Set<string>>(PRINCIPAL_TYPES.map((t) => [t, new Set<string>()]));
  const addToTypes = (types: readonly PrincipalType[], ids: readonly (string | undefined)[] = []) => {
    for (const t of types) for (const v of ids) if (v !== undefined) principalIds.get(t)?.add(v);
  };
  for (const c of compiled) {
    for (const block of [c.statement.principal, c.statement.notPrincipal]) {
      for (const t of PRINCIPAL_TYPES) addToTypes([t], block?.byType[t]);
    }
  }
  for (const i of intended) principalIds.get('Federated')?.add(i.providerArn);
  for (const d of declared) addToTypes(PRINCIPAL_TYPES, [d.principal, d.providerArn]);
  return principalIds;
}

/** What accounts for a request, as conditions on the provider's :sub key. */
function addAccountingValues(
  keys: Map<string, KeySpace>,
  intended: readonly IntendedRequest[],
  declared: readonly DeclaredWidening[],
  federatedIds: ReadonlySet<string>,
): void {
  const subSpace = (providerArn: string) => keySpace(keys, subKeyOf({ type: 'Federated', id: providerArn }) as string);
  for (const i of intended) addValues(subSpace(i.providerArn), 'literal', false, [i.sub]);
  for (const d of declared) {
    if (d.subPattern === undefined) continue;
    const targets = d.providerArn !== undefined ? [d.providerArn] : [...federatedIds];
    for (const t of targets) addValues(subSpace(t), 'pattern', false, [d.subPattern]);
  }
}

/** The two policies and what accounts for a request: the fixed inputs of one search. */
interface SearchInput {
  readonly before: TrustPolicy;
  readonly after: TrustPolicy;
  readonly intended: readonly IntendedRequest[];
  readonly declared: readonly DeclaredWidening[];
}

/** One principal and action of the search, with what may account for its requests on the principal's :sub key. */
interface Branch {
  readonly principal: TrustRequest['principal'];
  readonly action: string;
  readonly intendedSubs: readonly string[];
  readonly patterns: readonly string[];
  /** The principal's :sub key when something may account for a request of the branch. */
  readonly accountingKey: string | undefined;
}

type Atom = { kind: AtomKind; present: readonly boolean[]; absent: boolean; owner: number };
type Context = Record<string, readonly string[]>;

/**
 * The search over the request space: principal, then action, then one condition key at a time. It collects the
 * newly allowed classes; `unresolved` holds why a newly allowed branch went through a key not modeled exactly.
 */
class DifferenceSearch {
  /** Newly allowed branches that went through a free key: no exact witness, so the result is undecided. */
  readonly unresolved = new Set<string>();
  private failure: string | undefined;
  /** One condition's truth on each region of its key (single value) and on absence. */
  private readonly columns = new Map<
    ConditionEntry,
    { readonly present: readonly boolean[]; readonly absent: boolean }
  >();

  constructor(
    private readonly input: SearchInput,
    private readonly space: RequestSpace,
    private readonly budget: Budget,
    private readonly classes: ExactClass[],
  ) {}

  /** Searches every principal and action; returns why the search failed, if it did. */
  run(principals: readonly TrustRequest['principal'][], actions: readonly string[]): string | undefined {
    const { compiled } = this.space;
    for (const principal of principals) {
      spend(this.budget);
      const alive = compiled.map((c) => matchesPrincipal(c.statement, principal));
      if (cut(compiled, alive, () => false)) continue;
      for (const action of this.actionsByEffect(alive, actions)) {
        const live = compiled.map((c, i) => (alive[i] as boolean) && matchesAction(c.statement, action));
        this.visit(this.branch(principal, action), live, new Set(), {}, undefined);
        if (this.failure) return this.failure;
      }
    }
    return undefined;
  }

  /** Actions with the same effect on the live statements and on accounting are one branch: one action each. */
  private actionsByEffect(alive: readonly boolean[], actions: readonly string[]): Iterable<string> {
    const { compiled } = this.space;
    const byEffect = new Map<string, string>();
    for (const action of actions) {
      spend(this.budget);
      const bits = compiled.map((c, i) => (alive[i] && matchesAction(c.statement, action) ? '1' : '0')).join('');
      const accounting = `${isWebIdentity(action)}|${this.input.declared.map((d) => d.action === undefined || d.action.toLowerCase() === action.toLowerCase()).join(',')}`;
      const key = `${bits}|${accounting}`;
      if (!byEffect.has(key)) byEffect.set(key, action);
    }
    return byEffect.values();
  }

  /** Accounting atoms on the principal's :sub key, for this principal and action. */
  private branch(principal: TrustRequest['principal'], action: string): Branch {
    const { intended, declared } = this.input;
    const subKey = this.space.principalIds.get(principal.type)?.has(principal.id) ? subKeyOf(principal) : undefined;
    const intendedSubs =
      subKey !== undefined && isWebIdentity(action)
        ? intended.filter((i) => i.providerArn === principal.id).map((i) => i.sub)
        : [];
    const patterns =
      subKey === undefined
        ? []
        : declared
            .filter(
              (d) =>
                d.subPattern !== undefined &&
                (d.principal === undefined || sameId(principal.type, d.principal, principal.id)) &&
                (d.providerArn === undefined || sameId(principal.type, d.providerArn, principal.id)) &&
                (d.action === undefined || d.action.toLowerCase() === action.toLowerCase()),
            )
            .map((d) => d.subPattern as string);
    const accountingKey = intendedSubs.length > 0 || patterns.length > 0 ? subKey : undefined;
    return { principal, action, intendedSubs, patterns, accountingKey };
  }

  private visit(
    branch: Branch,
    state: readonly boolean[],
    assigned: ReadonlySet<string>,
    context: Context,
    inexact: string | undefined,
  ): void {
    spend(this.budget);
    const { compiled, keys } = this.space;
    if (cut(compiled, state, (c) => [...c.byKey.keys()].every((k) => assigned.has(k)))) return;
    const key = this.nextKey(branch, state, assigned);
    if (key === undefined) {
      if (inexact !== undefined) this.unresolved.add(inexact);
      else this.leaf(branch, context);
      return;
    }
    const free = keys.get(key)?.free;
    if (free !== undefined) {
      this.visitFree(branch, key, free, state, assigned, context, inexact);
      return;
    }
    const witnesses = this.keyWitnesses(key);
    if (!witnesses) {
      this.failure ??= `a value of ${key} whose lower case is not stable`;
      return;
    }
    const atoms = this.atoms(branch, key, state, witnesses);
    const groups = groupByEffect(state, atoms, realizableVectors(atoms, witnesses.length, this.budget));
    const nextAssigned = new Set(assigned).add(key);
    for (const g of groups) {
      const nextContext = { ...context };
      if (g.values) nextContext[this.space.spelling.get(key) ?? key] = g.values.map((r) => witnesses[r] as string);
      this.visit(branch, g.state, nextAssigned, nextContext, inexact);
      if (this.failure) return;
    }
  }

  /** The first key a live statement conditions on and the branch has not fixed, then the accounting key. */
  private nextKey(branch: Branch, state: readonly boolean[], assigned: ReadonlySet<string>): string | undefined {
    const { compiled } = this.space;
    for (let i = 0; i < compiled.length; i++) {
      if (!state[i]) continue;
      for (const k of (compiled[i] as Compiled).byKey.keys()) if (!assigned.has(k)) return k;
    }
    const { accountingKey } = branch;
    return accountingKey !== undefined && !assigned.has(accountingKey) ? accountingKey : undefined;
  }

  /** Atoms: the live statements' conditions on the key, then what accounts for a request. */
  private atoms(branch: Branch, key: string, state: readonly boolean[], witnesses: readonly string[]): Atom[] {
    const atoms: Atom[] = [];
    this.space.compiled.forEach((c, i) => {
      if (!state[i]) return;
      for (const entry of c.byKey.get(key) ?? []) {
        atoms.push({ kind: atomKind(entry), ...this.column(entry, c.version, witnesses), owner: i });
      }
    });
    if (key !== branch.accountingKey) return atoms;
    const accountingAtom = (present: readonly boolean[]): Atom => ({
      kind: 'exists',
      present,
      absent: false,
      owner: -1,
    });
    if (branch.intendedSubs.length > 0)
      atoms.push(accountingAtom(witnesses.map((w) => branch.intendedSubs.includes(w))));
    for (const p of branch.patterns) atoms.push(accountingAtom(witnesses.map((w) => wildcardMatch(p, w))));
    return atoms;
  }

  /**
   * A key whose conditions are not modeled: each distinct condition (operator and values) is a free boolean when
   * the key is present, an over-approximation, so a branch through it that ends newly allowed is unresolved
   * (undecided) while every other branch stays exact.
   */
  private visitFree(
    branch: Branch,
    key: string,
    reason: string,
    state: readonly boolean[],
    assigned: ReadonlySet<string>,
    context: Context,
    inexact: string | undefined,
  ): void {
    const owned: OwnedCondition[] = [];
    this.space.compiled.forEach((c, i) => {
      if (state[i]) for (const entry of c.byKey.get(key) ?? []) owned.push({ entry, owner: i, version: c.version });
    });
    const ids = [...new Set(owned.map(freeIdentity).filter((x) => x !== undefined))];
    spend(this.budget, 2 ** Math.min(ids.length, 30));
    const nextAssigned = new Set(assigned).add(key);
    const seenEffects = new Set<string>();
    const branchOn = (truth: (o: OwnedCondition) => boolean, present: boolean) => {
      const nextState = [...state];
      for (const o of owned) if (!truth(o)) nextState[o.owner] = false;
      const effect = `${present}|${nextState.map((x) => (x ? '1' : '0')).join('')}`;
      if (seenEffects.has(effect)) return;
      seenEffects.add(effect);
      this.visit(branch, nextState, nextAssigned, context, inexact ?? (present ? reason : undefined));
    };
    branchOn((o) => evaluateCondition(o.entry, new Map(), o.version).result, false);
    for (let mask = 0; mask < 2 ** ids.length && !this.failure; mask++) {
      branchOn((o) => {
        const id = freeIdentity(o);
        return id === undefined
          ? evaluateCondition(o.entry, new Map([[key, ['']]]), o.version).result
          : ((mask >> ids.indexOf(id)) & 1) === 1;
      }, true);
    }
  }

  private leaf(branch: Branch, context: Context): void {
    const { before, after, intended, declared } = this.input;
    const request: TrustRequest = { principal: branch.principal, action: branch.action, context };
    const b = evaluateTrustPolicy(before, request).decision;
    const a = evaluateTrustPolicy(after, request).decision;
    if (b === 'Allow' || a !== 'Allow') {
      this.failure ??= 'an internal check failed (a witness did not evaluate as its class)';
      return;
    }
    const by = accountFor(request, intended, declared);
    this.classes.push({ request, before: b, after: a, ...(by ? { accountedFor: by } : {}) });
  }

  private keyWitnesses(key: string): readonly string[] | undefined {
    const s = this.space.keys.get(key);
    if (!s) return [''];
    if (!s.witnesses) {
      const r = regionWitnesses(
        { literals: [...s.literals], patterns: [...s.patterns], ignoreCase: s.ignoreCase ?? false },
        this.budget,
      );
      if (!r.ok) return undefined;
      s.witnesses = r.witnesses;
    }
    return s.witnesses;
  }

  private column(entry: ConditionEntry, version: string | undefined, witnesses: readonly string[]) {
    let col = this.columns.get(entry);
    if (!col) {
      spend(this.budget, witnesses.length * (1 + entry.values.length));
      col = {
        present: witnesses.map((w) => evaluateCondition(entry, new Map([[entry.keyLower, [w]]]), version).result),
        absent: evaluateCondition(entry, new Map(), version).result,
      };
      this.columns.set(entry, col);
    }
    return col;
  }
}

interface OwnedCondition {
  readonly entry: ConditionEntry;
  readonly owner: number;
  readonly version: string | undefined;
}

/** The same operator and values (and policy version, which decides variable substitution) are one boolean. */
function freeIdentity(o: OwnedCondition): string | undefined {
  return atomKind(o.entry) === 'const'
    ? undefined
    : JSON.stringify([o.entry.operator, o.entry.values, o.version ?? null]);
}

/**
 * The realizable vectors grouped by their effect on the live statements and on accounting: one set of regions
 * (null for absence) and the next state per group, in first-seen order.
 */
function groupByEffect(
  state: readonly boolean[],
  atoms: readonly Atom[],
  vectors: ReadonlyArray<{ bits: readonly boolean[]; values: readonly number[] | null }>,
): Iterable<{ values: readonly number[] | null; state: boolean[] }> {
  const groups = new Map<string, { values: readonly number[] | null; state: boolean[] }>();
  for (const v of vectors) {
    const nextState = [...state];
    atoms.forEach((atom, j) => {
      if (atom.owner >= 0 && !v.bits[j]) nextState[atom.owner] = false;
    });
    const accountingBits = atoms.map((atom, j) => (atom.owner < 0 ? (v.bits[j] ? '1' : '0') : '')).join('');
    const effect = `${nextState.map((x) => (x ? '1' : '0')).join('')}|${accountingBits}`;
    if (!groups.has(effect)) groups.set(effect, { values: v.values, state: nextState });
  }
  return groups.values();
}

/**
 * True when the branch can hold no newly allowed request: an `after` Deny surely applies, no `after` Allow can
 * still apply, or a `before` Allow surely applies with no `before` Deny left that could apply.
 */
function cut(compiled: readonly Compiled[], alive: readonly boolean[], sure: (c: Compiled) => boolean): boolean {
  let afterAllow = false;
  let beforeAllowSure = false;
  let beforeDeny = false;
  for (let i = 0; i < compiled.length; i++) {
    if (!alive[i]) continue;
    const c = compiled[i] as Compiled;
    if (c.after && c.deny && sure(c)) return true;
    if (c.after) afterAllow ||= !c.deny;
    else if (c.deny) beforeDeny = true;
    else beforeAllowSure ||= sure(c);
  }
  return !afterAllow || (beforeAllowSure && !beforeDeny);
}

function atomKind(entry: ConditionEntry): AtomKind {
  const op = entry.operator;
  if (!op || op.base === 'Null') return 'const';
  if (op.qualifier === 'ForAllValues') return 'forall';
  if (op.qualifier === 'ForAnyValue') return 'exists';
  return isNegatedOperator(op.base) ? 'forall' : 'exists';
}

/**
 * The truth vectors of the atoms a key's value can give: absence, then every non-empty set of regions (the join of
 * its members' vectors), each with the regions of one set that gives it (null for absence).
 */
function realizableVectors(
  atoms: ReadonlyArray<{ kind: AtomKind; present: readonly boolean[]; absent: boolean }>,
  regions: number,
  budget: Budget,
): Array<{ bits: readonly boolean[]; values: readonly number[] | null }> {
  const out: Array<{ bits: readonly boolean[]; values: readonly number[] | null }> = [
    { bits: atoms.map((a) => a.absent), values: null },
  ];
  const seen = new Map<string, number>();
  const singles: Array<{ bits: boolean[]; values: number[] }> = [];
  for (let r = 0; r < regions; r++) {
    spend(budget);
    const bits = atoms.map((a) => a.present[r] as boolean);
    const key = bits.map((b) => (b ? '1' : '0')).join('');
    if (seen.has(`p${key}`)) continue;
    seen.set(`p${key}`, singles.length);
    singles.push({ bits, values: [r] });
  }
  const closure = [...singles];
  for (let i = 0; i < closure.length; i++) {
    const v = closure[i] as { bits: boolean[]; values: number[] };
    for (const s of singles) {
      spend(budget, 1 + atoms.length);
      const bits = atoms.map((a, j) =>
        a.kind === 'exists'
          ? (v.bits[j] as boolean) || (s.bits[j] as boolean)
          : a.kind === 'forall'
            ? (v.bits[j] as boolean) && (s.bits[j] as boolean)
            : (v.bits[j] as boolean),
      );
      const key = `p${bits.map((b) => (b ? '1' : '0')).join('')}`;
      if (seen.has(key)) continue;
      seen.set(key, closure.length);
      closure.push({ bits, values: [...v.values, ...s.values] });
    }
  }
  for (const c of closure) out.push(c);
  return out;
}

function principalWitnesses(
  ids: ReadonlyMap<PrincipalType, ReadonlySet<string>>,
  keys: Iterable<string>,
): Array<TrustRequest['principal']> {
  // Fresh also against the keys: an unnamed provider's own :sub key must not be one the search splits on.
  const used = new Set<string>();
  const addCharacters = (text: string) => {
    for (const c of text) used.add(c);
  };
  for (const set of ids.values()) for (const id of set) addCharacters(id);
  for (const key of keys) addCharacters(key);
  const fresh = freshCharacter(used, false);
  return PRINCIPAL_TYPES.flatMap((type) => principalsOfType(type, [...(ids.get(type) ?? [])], fresh));
}

/** One principal per distinct id of the type (Service ids ignoring case), then one no policy names. */
function principalsOfType(
  type: PrincipalType,
  literals: readonly string[],
  fresh: string,
): Array<TrustRequest['principal']> {
  const out: Array<TrustRequest['principal']> = [];
  const seen = new Set<string>();
  for (const id of literals) {
    const k = type === 'Service' ? id.toLowerCase() : id;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ type, id });
  }
  if (type === 'AWS') for (const id of accountWitnesses(literals, fresh)) out.push({ type, id });
  out.push({ type, id: fresh });
  return out;
}

/**
 * An account principal (a 12-digit id, or `arn:<partition>:iam::<id>:root`) names every principal whose ARN carries
 * that account (the ARN form: and partition; the id form: in any partition). One fresh principal per account and
 * partition the literals name stands for all of them, plus, for an account named by id, one in a partition no
 * `:root` literal of it names.
 */
function accountWitnesses(literals: readonly string[], fresh: string): string[] {
  const partitions = new Map<string, { byArn: Set<string>; byId: boolean }>();
  for (const v of literals) {
    const named = accountPrincipal(v);
    if (!named) continue;
    const entry = partitions.get(named.account) ?? { byArn: new Set<string>(), byId: false };
    if (named.partition === undefined) entry.byId = true;
    else entry.byArn.add(named.partition);
    partitions.set(named.account, entry);
  }
  const out: string[] = [];
  for (const [account, { byArn, byId }] of partitions) {
    const list = [...byArn];
    if (byId) list.push(['aws', 'aws-cn', 'aws-us-gov'].find((p) => !byArn.has(p)) ?? `aws-${fresh}`);
    for (const partition of list) out.push(`arn:${partition}:iam::${account}:root${fresh}`);
  }
  return out;
}
