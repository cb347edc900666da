import { WEB_IDENTITY_ACTION } from '../trust-policy/evaluate';
import type { TrustDocument } from './plan-model';

type Json = Record<string, unknown>;

/**
 * Minimal, order-preserving edits to a trust policy. It works on a deep copy of the parsed document: whatever an
 * edit does not touch keeps its keys, values and order, so unrelated statements and conditions come out identical.
 * Edits address statements by their index in the original document; appended and split statements are placed
 * after all in-place edits, so indices stay valid while editing.
 */
export class TrustPolicyPatch {
  private readonly doc: Json;
  private readonly statements: Json[];
  private readonly wasObject: boolean;
  private readonly splits = new Map<number, (current: Json) => Json[]>();
  private readonly appended: Json[] = [];
  /** Statement index → condition keys renamed so far (old → new), so later edits may name a key by its old name. */
  private readonly renamed = new Map<number, Map<string, string>>();
  readonly changes: string[] = [];
  /** Value lists addValue made (only it changes them in place), each with the set of its values. */
  private readonly extended = new WeakMap<unknown[], Set<unknown>>();

  constructor(document: TrustDocument) {
    this.doc = structuredClone(document) as Json;
    const raw = this.doc.Statement;
    this.wasObject = !Array.isArray(raw);
    this.statements = (Array.isArray(raw) ? raw : [raw]) as Json[];
  }

  statement(index: number): Json | undefined {
    const s = this.statements[index];
    return s !== null && typeof s === 'object' && !Array.isArray(s) ? s : undefined;
  }

  /** Makes the statement allow sts:AssumeRoleWithWebIdentity: replaces sts:AssumeRole, else adds the action. */
  allowWebIdentity(index: number): boolean {
    const s = this.statement(index);
    if (!s || s.NotAction !== undefined) return false;
    const action = s.Action;
    if (typeof action === 'string') {
      s.Action = action === 'sts:AssumeRole' ? WEB_IDENTITY_ACTION : [action, WEB_IDENTITY_ACTION];
    } else if (Array.isArray(action)) {
      const at = action.indexOf('sts:AssumeRole');
      if (at >= 0) action[at] = WEB_IDENTITY_ACTION;
      else action.push(WEB_IDENTITY_ACTION);
    } else s.Action = WEB_IDENTITY_ACTION;
    this.changes.push(`statement #${index}: Action now allows ${WEB_IDENTITY_ACTION}`);
    return true;
  }

  /** Sets the principal to the provider (replacing a Service, AWS or malformed Federated principal). */
  setFederated(index: number, providerArn: string): boolean {
    const s = this.statement(index);
    if (!s) return false;
    if (s.NotPrincipal !== undefined) {
      replaceKey(s, 'NotPrincipal', 'Principal', { Federated: providerArn });
    } else s.Principal = { Federated: providerArn };
    this.changes.push(`statement #${index}: Principal is now {"Federated": "${providerArn}"}`);
    return true;
  }

  /** Replaces one provider ARN in the Federated principal, in place. */
  replaceFederated(index: number, from: string, to: string): boolean {
    const principal = this.statement(index)?.Principal;
    if (principal === null || typeof principal !== 'object' || Array.isArray(principal)) return false;
    const p = principal as Json;
    if (p.Federated === from) p.Federated = to;
    else if (Array.isArray(p.Federated) && p.Federated.includes(from)) {
      p.Federated = p.Federated.map((v) => (v === from ? to : v));
    } else return false;
    this.changes.push(`statement #${index}: Federated ${from} -> ${to}`);
    return true;
  }

  /** Renames condition keys (any operator) whose prefix is `from` (compared case-insensitively) to `to`. */
  replaceKeyPrefix(index: number, from: string, to: string): number {
    let renamed = 0;
    for (const block of this.conditionBlocks(index)) {
      for (const key of Object.keys(block.keys)) {
        const colon = key.lastIndexOf(':');
        if (colon <= 0 || key.slice(0, colon).toLowerCase() !== from.toLowerCase()) continue;
        const target = `${to}:${key.slice(colon + 1)}`;
        if (target !== key && renameKey(block.keys, key, target)) {
          this.recordRename(index, key, target);
          renamed++;
        }
      }
    }
    if (renamed > 0) this.changes.push(`statement #${index}: condition keys ${from}:* -> ${to}:*`);
    return renamed;
  }

  /** Renames one condition key (under any operator). */
  renameConditionKey(index: number, from: string, to: string): boolean {
    const current = this.currentKey(index, from);
    for (const block of this.conditionBlocks(index)) {
      if (Object.hasOwn(block.keys, current) && renameKey(block.keys, current, to)) {
        this.recordRename(index, from, to);
        this.changes.push(`statement #${index}: condition key "${from}" -> "${to}"`);
        return true;
      }
    }
    return false;
  }

  private currentKey(index: number, key: string): string {
    return this.renamed.get(index)?.get(key) ?? key;
  }

  private recordRename(index: number, from: string, to: string): void {
    let map = this.renamed.get(index);
    if (!map) {
      map = new Map();
      this.renamed.set(index, map);
    }
    for (const [old, now] of map) if (now === from) map.set(old, to);
    map.set(from, to);
  }

  /** Replaces a condition key's values (keeping its position and operator). */
  setValues(index: number, name: string, values: readonly string[], why: string): boolean {
    const key = this.currentKey(index, name);
    for (const block of this.conditionBlocks(index)) {
      if (Object.hasOwn(block.keys, key)) {
        setOwn(block.keys, key, values.length === 1 ? values[0] : [...values]);
        this.changes.push(`statement #${index}: ${why}`);
        return true;
      }
    }
    return false;
  }

  /** Adds a value to a condition key under `operator` (values of one key are ORed). */
  addValue(index: number, operator: string, name: string, value: string): boolean {
    const key = this.currentKey(index, name);
    const block = this.conditionBlocks(index).find((b) => b.operator === operator && Object.hasOwn(b.keys, key));
    if (!block) return false;
    const current = block.keys[key];
    // A list this method made is extended in place, with its values indexed: adding n values is linear, not n².
    let values = Array.isArray(current) && this.extended.has(current) ? current : undefined;
    if (!values) {
      values = Array.isArray(current) ? [...current] : [current];
      this.extended.set(values, new Set(values));
    }
    const seen = this.extended.get(values) as Set<unknown>;
    if (seen.has(value)) return false;
    values.push(value);
    seen.add(value);
    setOwn(block.keys, key, values);
    this.changes.push(`statement #${index}: ${operator} ${key} also allows "${value}"`);
    return true;
  }

  /** Adds a condition (creating the Condition element or the operator block when missing, at the end). */
  addCondition(index: number, operator: string, key: string, value: string | readonly string[]): boolean {
    const s = this.statement(index);
    if (!s) return false;
    if (s.Condition === undefined) s.Condition = {};
    const condition = s.Condition as Json;
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return false;
    if (!Object.hasOwn(condition, operator)) setOwn(condition, operator, {});
    const block = condition[operator] as Json;
    if (block === null || typeof block !== 'object' || Array.isArray(block) || Object.hasOwn(block, key)) return false;
    setOwn(block, key, typeof value === 'string' ? value : [...value]);
    this.changes.push(`statement #${index}: added ${operator} ${key} = ${JSON.stringify(value)}`);
    return true;
  }

  /** Moves a key from one operator to another (merging values when the target already has the key). */
  moveKey(index: number, name: string, from: string, to: string): boolean {
    const key = this.currentKey(index, name);
    const s = this.statement(index);
    const condition = s?.Condition as Json | undefined;
    if (!s || !condition || typeof condition !== 'object' || !Object.hasOwn(condition, from)) return false;
    const source = condition[from] as Json | undefined;
    if (!source || typeof source !== 'object' || !Object.hasOwn(source, key)) return false;
    if (Object.hasOwn(condition, to)) {
      const existing = condition[to];
      if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) return false;
    }
    const value = source[key];
    delete source[key];
    if (Object.keys(source).length === 0) delete condition[from];
    if (!Object.hasOwn(condition, to)) setOwn(condition, to, {});
    const target = condition[to] as Json;
    const merged = [...toList(Object.hasOwn(target, key) ? target[key] : undefined), ...toList(value)].filter(
      (v, i, all) => all.indexOf(v) === i,
    );
    setOwn(target, key, merged.length === 1 ? merged[0] : merged);
    this.changes.push(`statement #${index}: ${key} moved from ${from} to ${to}`);
    return true;
  }

  /**
   * Replaces statement `index` by several statements (one per cluster of a merged statement). The parts are built
   * from the statement as the other edits leave it, when the result is taken.
   */
  split(index: number, parts: (current: Json) => Json[], why: string): boolean {
    if (!this.statement(index) || this.splits.has(index)) return false;
    this.splits.set(index, parts);
    this.changes.push(`statement #${index}: ${why}`);
    return true;
  }

  append(statement: Json, why: string): void {
    this.appended.push(statement);
    this.changes.push(why);
  }

  /** The complete new document. */
  result(): TrustDocument {
    const out: Json[] = [];
    this.statements.forEach((s, i) => {
      const parts = this.splits.get(i);
      if (parts) out.push(...parts(s));
      else out.push(s);
    });
    out.push(...this.appended);
    const single = this.wasObject && out.length === 1;
    return { ...this.doc, Statement: single ? out[0] : out };
  }

  private conditionBlocks(index: number): Array<{ operator: string; keys: Json }> {
    const condition = this.statement(index)?.Condition;
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return [];
    const blocks: Array<{ operator: string; keys: Json }> = [];
    for (const [operator, keys] of Object.entries(condition as Json)) {
      if (keys !== null && typeof keys === 'object' && !Array.isArray(keys))
        blocks.push({ operator, keys: keys as Json });
    }
    return blocks;
  }
}

function toList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Sets an own, enumerable data property: unlike `object[key] = value`, a key named "__proto__" stays a key (JSON.parse
 * makes it one) instead of replacing the object's prototype and vanishing from the document.
 */
export function setOwn(object: Json, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Renames a key in place, keeping its position; refuses when the key is absent or the new key already exists. */
function renameKey(object: Json, from: string, to: string, value?: unknown): boolean {
  if (from === to) return false;
  if (Object.hasOwn(object, to)) return false;
  if (!Object.hasOwn(object, from)) return false;
  const entries = Object.entries(object).map(
    ([k, v]) => (k === from ? [to, value === undefined ? v : value] : [k, v]) as [string, unknown],
  );
  for (const k of Object.keys(object)) delete object[k];
  for (const [k, v] of entries) setOwn(object, k, v);
  return true;
}

function replaceKey(object: Json, from: string, to: string, value: unknown): void {
  renameKey(object, from, to, value);
}

/** Minified JSON: what is sent to IAM and measured against the quota. */
export function minify(document: TrustDocument): string {
  return JSON.stringify(document);
}
