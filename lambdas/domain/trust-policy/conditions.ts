import { quoteAll } from '../brief';
import type { ConditionEntry, ConditionOperator, SetQualifier } from './model';
import { type ValueSet, valueSetOf, wildcardMatch } from './wildcard';

/** Request context: lower-cased key → value(s). */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/**
 * `literal`, when given, marks the policy value's characters that came from a policy variable or a `${*}`, `${?}`,
 * `${$}` escape: the wildcard operators match those as plain text.
 */
type Matcher = (policyValue: string, requestValue: string, literal?: readonly boolean[]) => boolean;

/** A policy value after variable substitution: a plain string when it had no `${...}` to substitute. */
type PolicyValue = string | { readonly text: string; readonly literal: readonly boolean[] };

interface OperatorSpec {
  readonly name: string;
  readonly negated: boolean;
  readonly match: Matcher;
  /** Policy variables (${...}) are substituted in these operators' values. */
  readonly variables: boolean;
}

const stringEquals: Matcher = (p, r) => p === r;
const stringEqualsIgnoreCase: Matcher = (p, r) => p.toLowerCase() === r.toLowerCase();
const stringLike: Matcher = (p, r, literal) => wildcardMatch(p, r, false, literal);
const numeric = (cmp: (a: number, b: number) => boolean): Matcher => {
  return (p, r) => {
    const a = Number(r);
    const b = Number(p);
    return p.trim() !== '' && r.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && cmp(a, b);
  };
};
const date = (cmp: (a: number, b: number) => boolean): Matcher => {
  return (p, r) => {
    const a = toEpoch(r);
    const b = toEpoch(p);
    return a !== undefined && b !== undefined && cmp(a, b);
  };
};
const arnLike: Matcher = (p, r, literal) => {
  const pp = arnBounds(p);
  const rr = splitArn(r);
  if (!pp || !rr) return wildcardMatch(p, r, false, literal);
  // Component by component: a wildcard never matches across a colon of the first five fields.
  return pp.every(([start, end], i) =>
    wildcardMatch(p.slice(start, end), rr[i] ?? '', false, literal?.slice(start, end)),
  );
};
const bool: Matcher = (p, r) => p.toLowerCase() === r.toLowerCase();
const ipAddress: Matcher = (p, r) => ipInCidr(r, p);

const SPECS: readonly OperatorSpec[] = [
  { name: 'StringEquals', negated: false, match: stringEquals, variables: true },
  { name: 'StringNotEquals', negated: true, match: stringEquals, variables: true },
  { name: 'StringEqualsIgnoreCase', negated: false, match: stringEqualsIgnoreCase, variables: true },
  { name: 'StringNotEqualsIgnoreCase', negated: true, match: stringEqualsIgnoreCase, variables: true },
  { name: 'StringLike', negated: false, match: stringLike, variables: true },
  { name: 'StringNotLike', negated: true, match: stringLike, variables: true },
  { name: 'NumericEquals', negated: false, match: numeric((a, b) => a === b), variables: false },
  { name: 'NumericNotEquals', negated: true, match: numeric((a, b) => a === b), variables: false },
  { name: 'NumericLessThan', negated: false, match: numeric((a, b) => a < b), variables: false },
  { name: 'NumericLessThanEquals', negated: false, match: numeric((a, b) => a <= b), variables: false },
  { name: 'NumericGreaterThan', negated: false, match: numeric((a, b) => a > b), variables: false },
  { name: 'NumericGreaterThanEquals', negated: false, match: numeric((a, b) => a >= b), variables: false },
  { name: 'DateEquals', negated: false, match: date((a, b) => a === b), variables: false },
  { name: 'DateNotEquals', negated: true, match: date((a, b) => a === b), variables: false },
  { name: 'DateLessThan', negated: false, match: date((a, b) => a < b), variables: false },
  { name: 'DateLessThanEquals', negated: false, match: date((a, b) => a <= b), variables: false },
  { name: 'DateGreaterThan', negated: false, match: date((a, b) => a > b), variables: false },
  { name: 'DateGreaterThanEquals', negated: false, match: date((a, b) => a >= b), variables: false },
  { name: 'Bool', negated: false, match: bool, variables: true },
  { name: 'BinaryEquals', negated: false, match: stringEquals, variables: false },
  { name: 'IpAddress', negated: false, match: ipAddress, variables: false },
  { name: 'NotIpAddress', negated: true, match: ipAddress, variables: false },
  { name: 'ArnEquals', negated: false, match: arnLike, variables: true },
  { name: 'ArnLike', negated: false, match: arnLike, variables: true },
  { name: 'ArnNotEquals', negated: true, match: arnLike, variables: true },
  { name: 'ArnNotLike', negated: true, match: arnLike, variables: true },
];
const SPEC_BY_LOWER = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));
const SPEC_BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/** The operator's spec; a canonical base (the common case) is found without lower-casing it. */
function specOf(base: string): OperatorSpec | undefined {
  return SPEC_BY_NAME.get(base) ?? SPEC_BY_LOWER.get(base.toLowerCase());
}

/** Parses an operator name (case-insensitively) into its base, set qualifier and IfExists suffix. */
export function canonicalOperator(text: string): ConditionOperator | undefined {
  let rest = text;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === 'foranyvalue') qualifier = 'ForAnyValue';
    else if (q === 'forallvalues') qualifier = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  const lower = rest.toLowerCase();
  if (lower === 'null') return qualifier ? undefined : { base: 'Null', ifExists: false };
  let ifExists = false;
  let baseLower = lower;
  if (lower.endsWith('ifexists')) {
    ifExists = true;
    baseLower = lower.slice(0, -'ifexists'.length);
  }
  const spec = SPEC_BY_LOWER.get(baseLower);
  if (!spec) return undefined;
  return { base: spec.name, ifExists, ...(qualifier ? { qualifier } : {}) };
}

export function isNegatedOperator(base: string): boolean {
  return specOf(base)?.negated ?? false;
}

export interface ConditionOutcome {
  readonly result: boolean;
  /** Why, in words a person can act on. */
  readonly reason: string;
  readonly requestValues?: readonly string[];
}

/**
 * Evaluates one condition key under one operator, with IAM's semantics:
 * - a key absent from the request makes a positive operator false and a negated operator true;
 * - ...IfExists is true when the key is absent; Null tests presence only;
 * - several policy values are ORed (NORed for negated operators);
 * - ForAnyValue / ForAllValues compare each request value (for an absent key ForAllValues is true and ForAnyValue is
 *   false, with or without IfExists).
 * An unknown operator never matches (IAM would have refused the policy).
 */
export function evaluateCondition(entry: ConditionEntry, context: RequestContext, version?: string): ConditionOutcome {
  const op = entry.operator;
  if (!op) return { result: false, reason: `unknown condition operator ${entry.operatorText}` };
  const requestValues = context.get(entry.keyLower);
  const present = requestValues !== undefined && requestValues.length > 0;

  if (op.base === 'Null') return nullOutcome(entry, present);
  const spec = specOf(op.base);
  if (!spec) return { result: false, reason: `unknown condition operator ${entry.operatorText}` };
  if (!present) return absentOutcome(entry, op, spec);

  const satisfies = satisfiesOperator(entry, spec, context, version);
  let result: boolean;
  if (op.qualifier === 'ForAllValues') result = requestValues.every(satisfies);
  else if (op.qualifier === 'ForAnyValue') result = requestValues.some(satisfies);
  else result = spec.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);

  // Quoted, not copied whole: a condition may list thousands of values, and a reason is built per request.
  const shown = quoteAll(requestValues);
  const wanted = quoteAll(entry.values);
  return {
    result,
    reason: result
      ? `${entry.key} = ${shown} satisfies ${entry.operatorText} ${wanted}`
      : `${entry.key} = ${shown} does not satisfy ${entry.operatorText} ${wanted}`,
    requestValues,
  };
}

/** Null tests presence only: "true" wants the key absent, "false" wants it present. */
function nullOutcome(entry: ConditionEntry, present: boolean): ConditionOutcome {
  const wantsAbsent = entry.values.map((v) => v.toLowerCase());
  const result = wantsAbsent.some((v) => (v === 'true' ? !present : v === 'false' ? present : false));
  return { result, reason: `${entry.key} is ${present ? 'present' : 'absent'}` };
}

/** The outcome when the request does not carry the key. */
function absentOutcome(entry: ConditionEntry, op: ConditionOperator, spec: OperatorSpec): ConditionOutcome {
  // The set qualifier decides before IfExists: ForAnyValue "returns false" for a missing key or a null data set
  // (IAM user guide, single- vs multivalued context keys), and IAM denies ForAnyValue:StringEqualsIfExists on an
  // absent key in practice; IfExists applies per value inside the set loop, where there is no value to test.
  if (op.qualifier === 'ForAnyValue') {
    return { result: false, reason: `${entry.key} is absent from the request (ForAnyValue needs a value)` };
  }
  if (op.qualifier === 'ForAllValues') return { result: true, reason: `${entry.key} is absent (ForAllValues holds)` };
  if (op.ifExists) return { result: true, reason: `${entry.key} is absent and the operator is ...IfExists` };
  return spec.negated
    ? { result: true, reason: `${entry.key} is absent, so the negated ${op.base} holds` }
    : { result: false, reason: `${entry.key} is absent from the request` };
}

/** Per request value: does it satisfy the operator (positive: matches some value; negated: matches none)? */
function satisfiesOperator(
  entry: ConditionEntry,
  spec: OperatorSpec,
  context: RequestContext,
  version: string | undefined,
): (requestValue: string) => boolean {
  const policyValues = spec.variables ? substituteAll(entry.values, context, version) : entry.values;
  // Plain values (nothing substituted) of the string operators are looked up in a set built once per condition, not
  // scanned per request: a condition may list thousands of subjects, and every workload's request is checked.
  const index = policyValues === entry.values ? valueIndex(spec, entry.values) : undefined;
  // A value whose variable has no value is null: it equals nothing, so a positive operator finds no match in it and a
  // negated operator is satisfied by it (IAM user guide, "Policy variables with no value").
  const matchesAny = index
    ? (requestValue: string) => index.has(requestValue)
    : (requestValue: string) =>
        policyValues.some((pv) =>
          typeof pv === 'string'
            ? spec.match(pv, requestValue)
            : pv !== undefined && spec.match(pv.text, requestValue, pv.literal),
        );
  return (requestValue: string) => (spec.negated ? !matchesAny(requestValue) : matchesAny(requestValue));
}

/**
 * Substitutes policy variables (policy version 2012-10-17 only; before that `${...}` is literal text). A variable
 * missing from the request yields no value (undefined). What a variable or a `${*}`/`${?}`/`${$}` escape produces is
 * marked literal: the escapes exist to write a `*` or `?` that is not a wildcard (IAM user guide, "Special
 * characters"), and text the request supplied is data, not pattern the policy author wrote.
 */
function substituteAll(
  values: readonly string[],
  context: RequestContext,
  version?: string,
): readonly (PolicyValue | undefined)[] {
  if (version !== '2012-10-17' || !hasVariable(values)) return values;
  return values.map((v) => (v.includes('${') ? substitute(v, context) : v));
}

const variableFree = new WeakMap<readonly string[], boolean>();
function hasVariable(values: readonly string[]): boolean {
  let free = variableFree.get(values);
  if (free === undefined) {
    free = !values.some((v) => v.includes('${'));
    variableFree.set(values, free);
  }
  return !free;
}

/** For StringEquals and StringLike: the values as a ValueSet, built once per condition. */
function valueIndex(spec: OperatorSpec, values: readonly string[]): ValueSet | undefined {
  const like = spec.match === stringLike;
  if (!like && spec.match !== stringEquals) return undefined;
  // Built from the second request on: a condition asked once (a document being planned) is cheaper to scan.
  if (values.length < 8) return undefined;
  if (!askedBefore.has(values)) {
    askedBefore.add(values);
    return undefined;
  }
  return valueSetOf(values, like);
}
const askedBefore = new WeakSet<readonly string[]>();

// `[^{}]` rather than `[^}]`: the latter rescans to the end for every unclosed `${`, quadratic on `${${${...`.
const VARIABLE = /\$\{([^{}]*)\}/g;

function substitute(value: string, context: RequestContext): PolicyValue | undefined {
  let text = '';
  const literal: boolean[] = [];
  let last = 0;
  for (const match of value.matchAll(VARIABLE)) {
    const resolved = resolveVariable(match[1] ?? '', context);
    if (resolved === undefined) return undefined;
    const authored = value.slice(last, match.index);
    text += authored + resolved;
    for (let i = 0; i < authored.length; i++) literal.push(false);
    for (let i = 0; i < resolved.length; i++) literal.push(true);
    last = match.index + match[0].length;
  }
  const tail = value.slice(last);
  text += tail;
  for (let i = 0; i < tail.length; i++) literal.push(false);
  return { text, literal };
}

function resolveVariable(inner: string, context: RequestContext): string | undefined {
  if (inner === '*' || inner === '?' || inner === '$') return inner;
  const [name, fallback] = inner.split(',').map((s) => s.trim());
  const found = context.get((name ?? '').toLowerCase());
  if (found && found.length === 1 && found[0] !== undefined) return found[0];
  if (fallback !== undefined && /^'.*'$/.test(fallback)) return fallback.slice(1, -1);
  return undefined;
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** [start, end) of an ARN's first five colon-separated fields and of the rest, or undefined for fewer than six. */
function arnBounds(arn: string): Array<[number, number]> | undefined {
  const bounds: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon === -1) return undefined;
    bounds.push([start, colon]);
    start = colon + 1;
  }
  bounds.push([start, arn.length]);
  return bounds;
}

function toEpoch(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base ?? '');
  if (a === undefined || b === undefined) return ip === cidr;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}
