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
    const compiled: Compiled[] = [];
    const keys = new Map<string, KeySpace>();
    /** Each key as first written, for the witnesses (the evaluator compares key names ignoring case). */
    const spelling = new Map<string, string>();
    const space = (key: string): KeySpace => {
      let s = keys.get(key);
      if (!s) {
        s = { literals: new Set(), patterns: new Set(), mixed: false };
        keys.set(key, s);
      }
      return s;
    };
    const addValues = (key: string, kind: 'literal' | 'pattern', ignoreCase: boolean, values: readonly string[]) => {
      const s = space(key);
      if (s.ignoreCase !== undefined && s.ignoreCase !== ignoreCase) s.mixed = true;
      s.ignoreCase = ignoreCase;
      for (const v of values) (kind === 'literal' ? s.literals : s.patterns).add(v);
    };
    for (const [policy, isAfter] of [
      [before, false],
      [after, true],
    ] as const) {
      for (const statement of policy.statements) {
        if (statement.effect === undefined) continue; // never applies
        const byKey = new Map<string, ConditionEntry[]>();
        for (const entry of statement.conditions) {
          if (!spelling.has(entry.keyLower)) spelling.set(entry.keyLower, entry.key);
          byKey.set(entry.keyLower, [...(byKey.get(entry.keyLower) ?? []), entry]);
          space(entry.keyLower);
          const base = entry.operator?.base;
          if (base === undefined || base === 'Null') continue; // never matches / presence only
          const variables =
            base !== 'BinaryEquals' && policy.version === '2012-10-17' && entry.values.some((v) => v.includes('${'));
          if (variables) space(entry.keyLower).free ??= `policy variables (${entry.operatorText} ${entry.key})`;
          else if (CASE_SENSITIVE.has(base)) addValues(entry.keyLower, 'literal', false, entry.values);
          else if (LIKE.has(base)) addValues(entry.keyLower, 'pattern', false, entry.values);
          else if (IGNORE_CASE.has(base)) addValues(entry.keyLower, 'literal', true, entry.values);
          else space(entry.keyLower).free ??= `${base} (${entry.key})`;
        }
        compiled.push({ statement, after: isAfter, deny: statement.effect === 'Deny', version: policy.version, byKey });
      }
    }

    // Principals: every id either policy, the intended requests or the declared widenings name.
    const principalIds = new Map<PrincipalType, Set<string>>(PRINCIPAL_TYPES.map((t) => [t, new Set<string>()]));
    for (const c of compiled) {
      for (const block of [c.statement.principal, c.statement.notPrincipal]) {
        for (const t of PRINCIPAL_TYPES) for (const v of block?.byType[t] ?? []) principalIds.get(t)?.add(v);
      }
    }
    for (const i of intended) principalIds.get('Federated')?.add(i.providerArn);
    for (const d of declared) {
      for (const v of [d.principal, d.providerArn]) {
        if (v !== undefined) for (const t of PRINCIPAL_TYPES) principalIds.get(t)?.add(v);
      }
    }
    // What accounts for a request, as conditions on the provider's :sub key.
    for (const i of intended)
      addValues(subKeyOf({ type: 'Federated', id: i.providerArn }) as string, 'literal', false, [i.sub]);
    for (const d of declared) {
      if (d.subPattern === undefined) continue;
      const targets = d.providerArn !== undefined ? [d.providerArn] : [...(principalIds.get('Federated') ?? [])];
      for (const t of targets)
        addValues(subKeyOf({ type: 'Federated', id: t }) as string, 'pattern', false, [d.subPattern]);
    }
    for (const [key, s] of keys) if (s.mixed) s.free ??= `a key compared both with and without case (${key})`;

    const principals = principalWitnesses(principalIds, keys.keys());
    const actions = regionWitnesses(
      {
        literals: [WEB_IDENTITY_ACTION, ...declared.flatMap((d) => (d.action !== undefined ? [d.action] : []))],
        patterns: compiled.flatMap((c) => [...(c.statement.actions ?? []), ...(c.statement.notActions ?? [])]),
        ignoreCase: true,
      },
      budget,
    );
    if (!actions.ok) return undecided('an action whose lower case is not stable', classes, work());

    const keyWitnesses = (key: string): readonly string[] | undefined => {
      const s = keys.get(key);
      if (!s) return [''];
      if (!s.witnesses) {
        const r = regionWitnesses(
          { literals: [...s.literals], patterns: [...s.patterns], ignoreCase: s.ignoreCase ?? false },
          budget,
        );
        if (!r.ok) return undefined;
        s.witnesses = r.witnesses;
      }
      return s.witnesses;
    };
    // One condition's truth on each region of its key (single value) and on absence.
    const columns = new Map<ConditionEntry, { readonly present: readonly boolean[]; readonly absent: boolean }>();
    const column = (entry: ConditionEntry, version: string | undefined, witnesses: readonly string[]) => {
      let col = columns.get(entry);
      if (!col) {
        spend(budget, witnesses.length * (1 + entry.values.length));
        col = {
          present: witnesses.map((w) => evaluateCondition(entry, new Map([[entry.keyLower, [w]]]), version).result),
          absent: evaluateCondition(entry, new Map(), version).result,
        };
        columns.set(entry, col);
      }
      return col;
    };

    let failure: string | undefined;
    /** Newly allowed branches that went through a free key: no exact witness, so the result is undecided. */
    const unresolved = new Set<string>();
    const leaf = (principal: TrustRequest['principal'], action: string, context: Record<string, readonly string[]>) => {
      const request: TrustRequest = { principal, action, context };
      const b = evaluateTrustPolicy(before, request).decision;
      const a = evaluateTrustPolicy(after, request).decision;
      if (b === 'Allow' || a !== 'Allow') {
        failure ??= 'an internal check failed (a witness did not evaluate as its class)';
        return;
      }
      const by = accountFor(request, intended, declared);
      classes.push({ request, before: b, after: a, ...(by ? { accountedFor: by } : {}) });
    };

    for (const principal of principals) {
      spend(budget);
      const alive = compiled.map((c) => matchesPrincipal(c.statement, principal));
      if (cut(compiled, alive, () => false)) continue;
      // Actions with the same effect on the live statements and on accounting are one branch.
      const byEffect = new Map<string, string>();
      for (const action of actions.witnesses) {
        spend(budget);
        const bits = compiled.map((c, i) => (alive[i] && matchesAction(c.statement, action) ? '1' : '0')).join('');
        const accounting = `${isWebIdentity(action)}|${declared.map((d) => d.action === undefined || d.action.toLowerCase() === action.toLowerCase()).join(',')}`;
        const key = `${bits}|${accounting}`;
        if (!byEffect.has(key)) byEffect.set(key, action);
      }
      for (const action of byEffect.values()) {
        const live = compiled.map((c, i) => (alive[i] as boolean) && matchesAction(c.statement, action));
        // Accounting atoms on the principal's :sub key, for this principal and action.
        const subKey = principalIds.get(principal.type)?.has(principal.id) ? subKeyOf(principal) : undefined;
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

        const visit = (
          state: readonly boolean[],
          assigned: ReadonlySet<string>,
          context: Record<string, readonly string[]>,
          inexact: string | undefined,
        ) => {
          spend(budget);
          if (cut(compiled, state, (c) => [...c.byKey.keys()].every((k) => assigned.has(k)))) return;
          let next: string | undefined;
          for (let i = 0; i < compiled.length && next === undefined; i++) {
            if (!state[i]) continue;
            for (const k of (compiled[i] as Compiled).byKey.keys()) {
              if (!assigned.has(k)) {
                next = k;
                break;
              }
            }
          }
          if (next === undefined && accountingKey !== undefined && !assigned.has(accountingKey)) next = accountingKey;
          if (next === undefined) {
            if (inexact !== undefined) unresolved.add(inexact);
            else leaf(principal, action, context);
            return;
          }
          const key = next;
          const free = keys.get(key)?.free;
          if (free !== undefined) {
            visitFree(key, free, state, assigned, context, inexact);
            return;
          }
          const witnesses = keyWitnesses(key);
          if (!witnesses) {
            failure ??= `a value of ${key} whose lower case is not stable`;
            return;
          }
          // Atoms: the live statements' conditions on the key, then what accounts for a request.
          const atoms: Array<{ kind: AtomKind; present: readonly boolean[]; absent: boolean; owner: number }> = [];
          compiled.forEach((c, i) => {
            if (!state[i]) return;
            for (const entry of c.byKey.get(key) ?? []) {
              atoms.push({ kind: atomKind(entry), ...column(entry, c.version, witnesses), owner: i });
            }
          });
          if (key === accountingKey) {
            if (intendedSubs.length > 0) {
              atoms.push({
                kind: 'exists',
                present: witnesses.map((w) => intendedSubs.includes(w)),
                absent: false,
                owner: -1,
              });
            }
            for (const p of patterns) {
              atoms.push({
                kind: 'exists',
                present: witnesses.map((w) => wildcardMatch(p, w)),
                absent: false,
                owner: -1,
              });
            }
          }
          const vectors = realizableVectors(atoms, witnesses.length, budget);
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
          const nextAssigned = new Set(assigned).add(key);
          for (const g of groups.values()) {
            const nextContext = { ...context };
            if (g.values) nextContext[spelling.get(key) ?? key] = g.values.map((r) => witnesses[r] as string);
            visit(g.state, nextAssigned, nextContext, inexact);
            if (failure) return;
          }
        };
        /**
         * A key whose conditions are not modeled: each distinct condition (operator and values) is a free boolean when
         * the key is present, an over-approximation, so a branch through it that ends newly allowed is unresolved
         * (undecided) while every other branch stays exact.
         */
        const visitFree = (
          key: string,
          reason: string,
          state: readonly boolean[],
          assigned: ReadonlySet<string>,
          context: Record<string, readonly string[]>,
          inexact: string | undefined,
        ) => {
          const owned: Array<{ entry: ConditionEntry; owner: number; version: string | undefined }> = [];
          compiled.forEach((c, i) => {
            if (state[i])
              for (const entry of c.byKey.get(key) ?? []) owned.push({ entry, owner: i, version: c.version });
          });
          // The same operator and values (and policy version, which decides variable substitution) are one boolean.
          const identity = (o: (typeof owned)[number]) =>
            atomKind(o.entry) === 'const'
              ? undefined
              : JSON.stringify([o.entry.operator, o.entry.values, o.version ?? null]);
          const ids = [...new Set(owned.map(identity).filter((x) => x !== undefined))];
          spend(budget, 2 ** Math.min(ids.length, 30));
          const nextAssigned = new Set(assigned).add(key);
          const seenEffects = new Set<string>();
          const branch = (truth: (o: (typeof owned)[number]) => boolean, present: boolean) => {
            const nextState = [...state];
            for (const o of owned) if (!truth(o)) nextState[o.owner] = false;
            const effect = `${present}|${nextState.map((x) => (x ? '1' : '0')).join('')}`;
            if (seenEffects.has(effect)) return;
            seenEffects.add(effect);
            visit(nextState, nextAssigned, context, inexact ?? (present ? reason : undefined));
          };
          branch((o) => evaluateCondition(o.entry, new Map(), o.version).result, false);
          for (let mask = 0; mask < 2 ** ids.length && !failure; mask++) {
            branch((o) => {
              const id = identity(o);
              return id === undefined
                ? evaluateCondition(o.entry, new Map([[key, ['']]]), o.version).result
                : ((mask >> ids.indexOf(id)) & 1) === 1;
            }, true);
          }
        };
        visit(live, new Set(), {}, undefined);
        if (failure) return undecided(failure, classes, work());
      }
    }
    if (unresolved.size > 0) {
      return undecided(`not modeled exactly: ${[...unresolved].slice(0, 3).join(', ')}`, classes, work());
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
    if (c.after) {
      if (c.deny && sure(c)) return true;
      if (!c.deny) afterAllow = true;
    } else if (c.deny) beforeDeny = true;
    else if (sure(c)) beforeAllowSure = true;
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
  for (const set of ids.values()) for (const id of set) for (const c of id) used.add(c);
  for (const key of keys) for (const c of key) used.add(c);
  const fresh = freshCharacter(used, false);
  const out: Array<TrustRequest['principal']> = [];
  for (const type of PRINCIPAL_TYPES) {
    const literals = [...(ids.get(type) ?? [])];
    const seen = new Set<string>();
    for (const id of literals) {
      const k = type === 'Service' ? id.toLowerCase() : id;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ type, id });
    }
    if (type === 'AWS') for (const id of accountWitnesses(literals, fresh)) out.push({ type, id });
    out.push({ type, id: fresh });
  }
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
