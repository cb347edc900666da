import { getNodeValue, type Node as JsonNode, type ParseError, parseTree } from 'jsonc-parser';
import { canonicalOperator } from './conditions';
import type {
  ConditionEntry,
  ConditionOperator,
  Effect,
  PrincipalBlock,
  Quirk,
  ReadFailure,
  ReadFailureKind,
  ReadResult,
  Statement,
} from './model';

/** Far above IAM's own ceiling (131,072 characters for the field); larger input is refused, not parsed. */
export const MAX_POLICY_TEXT = 1_048_576;
/** Real trust policies nest four levels deep; anything past this is refused as malformed. */
export const MAX_DEPTH = 32;

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Condition']);
const PROHIBITED_IN_TRUST = new Set(['Resource', 'NotResource']);
const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);

export interface ReadOptions {
  /**
   * Skip the scan for characters IAM rejects (the analyzer runs invalidCharacterSample itself, and only on IRSA
   * roles, since IAM never returns such a document and the scan costs as much as a quarter of JSON.parse).
   */
  readonly skipCharacterCheck?: boolean;
}

/**
 * Reads a trust policy as IAM returned it (raw JSON, URL-encoded JSON) or as an already parsed object.
 * Never throws: anything unreadable comes back as a ReadFailure that names the problem.
 */
export function parseTrustPolicy(input: unknown, options: ReadOptions = {}): ReadResult {
  const quirks: Quirk[] = [];
  let text: string;
  if (typeof input === 'string') {
    const decoded = decodeText(input, quirks);
    if (typeof decoded !== 'string') return decoded;
    text = decoded;
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    try {
      text = JSON.stringify(input);
    } catch (err) {
      return failure('invalid-json', `the trust policy object cannot be serialized: ${describe(err)}`, quirks, '');
    }
    // JSON.stringify returns undefined (despite its type) when a toJSON method yields undefined or a function.
    if (typeof text !== 'string') {
      return failure('not-an-object', 'the trust policy object serializes to no JSON value', quirks, '');
    }
  } else {
    return failure('not-an-object', `expected policy text or a JSON object, got ${kindOf(input)}`, quirks, '');
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return failure('invalid-json', `the trust policy is not valid JSON: ${describe(err)}`, quirks, text);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return failure('not-an-object', `the trust policy must be a JSON object, got ${kindOf(parsed)}`, quirks, text);
  }

  const scan = scanJson(text);
  if (scan.maxDepth > MAX_DEPTH) {
    return failure(
      'too-deep',
      `the trust policy nests ${scan.maxDepth} levels deep (limit ${MAX_DEPTH})`,
      quirks,
      text,
    );
  }
  if (scan.keyCount !== countKeys(parsed)) quirks.push(...findDuplicateKeys(text));
  if (!options.skipCharacterCheck) {
    const odd = invalidCharacterSample(text);
    if (odd !== undefined) quirks.push({ kind: 'invalid-characters', sample: odd });
  }

  const document = parsed as Record<string, unknown>;
  for (const name in document) {
    if (!DOCUMENT_ELEMENTS.has(name)) quirks.push({ kind: 'unknown-element', path: '$', name });
  }
  const version = typeof document.Version === 'string' ? document.Version : undefined;
  if (document.Version === undefined) quirks.push({ kind: 'missing-version' });
  else if (version !== '2012-10-17') quirks.push({ kind: 'old-version', version: String(document.Version) });

  const rawStatements = document.Statement;
  let list: unknown[];
  if (Array.isArray(rawStatements)) list = rawStatements;
  else if (rawStatements !== null && typeof rawStatements === 'object') {
    list = [rawStatements];
    quirks.push({ kind: 'statement-is-object' });
  } else {
    quirks.push({ kind: 'invalid-value', path: '$.Statement', expected: 'an array or object', value: rawStatements });
    list = [];
  }

  const statements: Statement[] = [];
  list.forEach((raw, index) => {
    const path = Array.isArray(rawStatements) ? `$.Statement[${index}]` : '$.Statement';
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      quirks.push({ kind: 'invalid-value', path, expected: 'an object', value: raw });
      statements.push({ index, conditions: [], raw: {} });
      return;
    }
    statements.push(readStatement(raw as Record<string, unknown>, index, path, quirks));
  });

  return {
    ok: true,
    policy: { ...(version !== undefined ? { version } : {}), statements, document },
    quirks,
    minifiedLength: scan.minifiedLength,
    decodedText: text,
  };
}

function decodeText(input: string, quirks: Quirk[]): string | ReadFailure {
  if (input.length > MAX_POLICY_TEXT) {
    return failure(
      'too-large',
      `the trust policy text is ${input.length} characters; IAM stores at most 131,072 and this tool reads at most ${MAX_POLICY_TEXT}`,
      quirks,
      input,
    );
  }
  let text = input.trim();
  if (text.length === 0) return failure('empty', 'the trust policy is empty', quirks, '');
  let times = 0;
  // IAM returns policies URL-encoded (RFC 3986); the JS SDK does not decode them. Decode until it is JSON.
  while (!text.startsWith('{') && /%[0-9A-Fa-f]{2}/.test(text) && times < 3) {
    try {
      text = decodeURIComponent(text).trim();
    } catch (err) {
      return failure(
        'bad-url-encoding',
        `the trust policy is not valid URL-encoded text: ${describe(err)}`,
        quirks,
        text,
      );
    }
    times++;
  }
  if (times > 0) quirks.push({ kind: 'url-encoded', times });
  return text;
}

function readStatement(raw: Record<string, unknown>, index: number, path: string, quirks: Quirk[]): Statement {
  for (const name in raw) {
    if (PROHIBITED_IN_TRUST.has(name)) quirks.push({ kind: 'prohibited-element', path, name });
    else if (!STATEMENT_ELEMENTS.has(name)) quirks.push({ kind: 'unknown-element', path, name });
  }
  let effect: Effect | undefined;
  if (raw.Effect === 'Allow' || raw.Effect === 'Deny') effect = raw.Effect;
  else quirks.push({ kind: 'invalid-effect', path: `${path}.Effect`, value: raw.Effect });

  const principal = raw.Principal === undefined ? undefined : readPrincipal(raw.Principal, `${path}.Principal`, quirks);
  const notPrincipal =
    raw.NotPrincipal === undefined ? undefined : readPrincipal(raw.NotPrincipal, `${path}.NotPrincipal`, quirks);
  if (!principal && !notPrincipal) quirks.push({ kind: 'missing-principal', path });

  const actions = raw.Action === undefined ? undefined : readStrings(raw.Action, `${path}.Action`, quirks);
  const notActions = raw.NotAction === undefined ? undefined : readStrings(raw.NotAction, `${path}.NotAction`, quirks);
  if (!actions && !notActions) quirks.push({ kind: 'missing-action', path });

  const conditions = raw.Condition === undefined ? [] : readConditions(raw.Condition, `${path}.Condition`, quirks);
  const statement: Mutable<Statement> = { index, conditions, raw };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  if (effect) statement.effect = effect;
  if (principal) statement.principal = principal;
  if (notPrincipal) statement.notPrincipal = notPrincipal;
  if (actions) statement.actions = actions;
  if (notActions) statement.notActions = notActions;
  return statement;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readPrincipal(value: unknown, path: string, quirks: Quirk[]): PrincipalBlock | undefined {
  if (value === '*') return { wildcard: true, byType: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    quirks.push({ kind: 'invalid-value', path, expected: '"*" or an object of principal types', value });
    return undefined;
  }
  const byType: Record<string, readonly string[]> = {};
  const object = value as Record<string, unknown>;
  for (const type in object) {
    const values = readStrings(object[type], path, quirks, type) ?? [];
    // Assigning "__proto__" would replace byType's prototype (its items then show up as principal types).
    if (type === '__proto__') Object.defineProperty(byType, type, { value: values, enumerable: true, writable: true });
    else byType[type] = values;
  }
  return { wildcard: false, byType };
}

/** A string or array of strings; `child` is appended to the path only when a quirk needs it. */
function readStrings(value: unknown, path: string, quirks: Quirk[], child?: string): string[] | undefined {
  if (typeof value === 'string') {
    if (value !== value.trim()) quirks.push({ kind: 'whitespace', path: child ? `${path}.${child}` : path, value });
    return [value];
  }
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      out.push(item);
      if (item !== item.trim())
        quirks.push({ kind: 'whitespace', path: child ? `${path}.${child}` : path, value: item });
    } else {
      quirks.push({
        kind: 'invalid-value',
        path: child ? `${path}.${child}` : path,
        expected: 'a string or array of strings',
        value: item,
      });
    }
  }
  return out.length > 0 || Array.isArray(value) ? out : undefined;
}

function readConditions(value: unknown, path: string, quirks: Quirk[]): ConditionEntry[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    quirks.push({ kind: 'invalid-value', path, expected: 'an object of condition operators', value });
    return [];
  }
  const entries: ConditionEntry[] = [];
  const operators = value as Record<string, unknown>;
  for (const operatorText in operators) {
    const block = operators[operatorText];
    const known = knownOperator(operatorText);
    const operator = known?.operator;
    if (!known) quirks.push({ kind: 'unknown-operator', path: `${path}.${operatorText}`, operator: operatorText });
    else if (known.canonical !== operatorText) {
      quirks.push({
        kind: 'operator-case',
        path: `${path}.${operatorText}`,
        written: operatorText,
        canonical: known.canonical,
      });
    }
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      quirks.push({
        kind: 'invalid-value',
        path: `${path}.${operatorText}`,
        expected: 'an object of condition keys',
        value: block,
      });
      continue;
    }
    const keys = block as Record<string, unknown>;
    for (const key in keys) {
      const raw = keys[key];
      let values: string[];
      if (typeof raw === 'string') values = [raw];
      else {
        values = [];
        for (const item of Array.isArray(raw) ? raw : [raw]) {
          if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
            values.push(String(item));
          else {
            quirks.push({
              kind: 'invalid-value',
              path: `${path}.${operatorText}.${key}`,
              expected: 'a string, number or boolean',
              value: item,
            });
          }
        }
      }
      if (key !== key.trim()) quirks.push({ kind: 'whitespace', path: `${path}.${operatorText}`, value: key });
      for (const v of values) {
        if (WHITESPACE.test(v)) quirks.push({ kind: 'whitespace', path: `${path}.${operatorText}.${key}`, value: v });
      }
      const entry: Mutable<ConditionEntry> = { operatorText, key, keyLower: lower(key), values };
      if (operator) entry.operator = operator;
      entries.push(entry);
    }
  }
  return entries;
}

interface ScanResult {
  readonly keyCount: number;
  readonly minifiedLength: number;
  readonly maxDepth: number;
}

/**
 * One pass over valid JSON text: counts object keys, measures the minified length and the nesting depth.
 * Comparing the key count with the parsed object's tells whether any object repeats a key (JSON.parse keeps only
 * the last) without a slower duplicate-aware parse on every document. Strings are skipped with indexOf, so only
 * the short stretches between strings are visited character by character.
 */
function scanJson(text: string): ScanResult {
  let keyCount = 0;
  let whitespace = 0;
  let depth = 0;
  let maxDepth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Find the closing quote: the next quote not preceded by an odd number of backslashes.
      let end = text.indexOf('"', i + 1);
      while (end !== -1) {
        let slashes = 0;
        for (let k = end - 1; text.charCodeAt(k) === 92; k--) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end === -1) break;
      i = end + 1;
      while (i < n) {
        const w = text.charCodeAt(i);
        if (w === 32 || w === 9 || w === 10 || w === 13) {
          whitespace++;
          i++;
        } else break;
      }
      if (text.charCodeAt(i) === 58) keyCount++;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) whitespace++;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    } else if (c === 125 || c === 93) depth--;
    i++;
  }
  return { keyCount, minifiedLength: n - whitespace, maxDepth };
}

/** Text around the first character IAM does not accept in a policy document, or undefined when there is none. */
export function invalidCharacterSample(text: string): string | undefined {
  const odd = NOT_LATIN1.exec(text);
  return odd ? text.slice(Math.max(0, odd.index - 10), odd.index + 10) : undefined;
}

/** IAM accepts only U+0009, U+000A, U+000D and U+0020 to U+00FF in policy documents. */
const NOT_LATIN1 = /[^\t\n\r\u0020-\u00ff]/;

function countKeys(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      for (const v of item) if (v !== null && typeof v === 'object') stack.push(v);
    } else {
      for (const k in item) {
        count++;
        const v = (item as Record<string, unknown>)[k];
        if (v !== null && typeof v === 'object') stack.push(v);
      }
    }
  }
  return count;
}

/** The slow path: a parser that keeps every property, to name each repeated key, where it is, and all its values. */
function findDuplicateKeys(text: string): Quirk[] {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (!root) return [];
  const quirks: Quirk[] = [];
  const stack: Array<{ node: JsonNode; path: string }> = [{ node: root, path: '$' }];
  while (stack.length > 0) {
    const top = stack.pop();
    if (!top) break;
    const { node, path } = top;
    if (node.type === 'object') {
      const seen = new Map<string, JsonNode[]>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = String(keyNode.value);
        const nodes = seen.get(key);
        if (nodes) nodes.push(valueNode);
        else seen.set(key, [valueNode]);
        stack.push({ node: valueNode, path: `${path}.${key}` });
      }
      for (const [key, nodes] of seen) {
        if (nodes.length > 1)
          quirks.push({ kind: 'duplicate-key', path, key, values: nodes.map((v) => getNodeValue(v)) });
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => {
        stack.push({ node: child, path: `${path}[${i}]` });
      });
    }
  }
  return quirks.reverse();
}

const WHITESPACE = /\s/;
const operatorCache = new Map<string, { operator: ConditionOperator; canonical: string } | null>();
const lowerCache = new Map<string, string>();

/** Operators are a handful of strings repeated in every policy: parse each spelling once. */
function knownOperator(text: string): { operator: ConditionOperator; canonical: string } | undefined {
  const cached = operatorCache.get(text);
  if (cached !== undefined) return cached ?? undefined;
  const operator = canonicalOperator(text);
  const result = operator
    ? {
        operator,
        canonical: `${operator.qualifier ? `${operator.qualifier}:` : ''}${operator.base}${operator.ifExists ? 'IfExists' : ''}`,
      }
    : null;
  if (operatorCache.size > 10_000) operatorCache.clear();
  operatorCache.set(text, result);
  return result ?? undefined;
}

function lower(key: string): string {
  let cached = lowerCache.get(key);
  if (cached === undefined) {
    if (lowerCache.size > 50_000) lowerCache.clear();
    cached = key.toLowerCase();
    lowerCache.set(key, cached);
  }
  return cached;
}

function failure(kind: ReadFailureKind, message: string, quirks: Quirk[], text: string): ReadFailure {
  return { ok: false, kind, message, quirks, excerpt: text.length > 300 ? `${text.slice(0, 300)}…` : text };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (undefined)';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
