import { getNodeValue, type Node as JsonNode, type ParseError, parseTree } from 'jsonc-parser';
import { canonicalOperator } from './conditions';
import type {
  ConditionEntry,
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

/**
 * Reads a trust policy as IAM returned it (raw JSON, URL-encoded JSON) or as an already parsed object.
 * Never throws: anything unreadable comes back as a ReadFailure that names the problem.
 */
export function readTrustPolicy(input: unknown): ReadResult {
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
  if (scan.nonLatin1 !== undefined) quirks.push({ kind: 'invalid-characters', sample: scan.nonLatin1 });

  const document = parsed as Record<string, unknown>;
  for (const name of Object.keys(document)) {
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
  for (const name of Object.keys(raw)) {
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
  const sid = typeof raw.Sid === 'string' ? raw.Sid : undefined;
  return {
    index,
    ...(sid !== undefined ? { sid } : {}),
    ...(effect ? { effect } : {}),
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    ...(actions ? { actions } : {}),
    ...(notActions ? { notActions } : {}),
    conditions,
    raw,
  };
}

function readPrincipal(value: unknown, path: string, quirks: Quirk[]): PrincipalBlock | undefined {
  if (value === '*') return { wildcard: true, byType: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    quirks.push({ kind: 'invalid-value', path, expected: '"*" or an object of principal types', value });
    return undefined;
  }
  const byType: Record<string, readonly string[]> = {};
  for (const [type, values] of Object.entries(value as Record<string, unknown>)) {
    byType[type] = readStrings(values, `${path}.${type}`, quirks) ?? [];
  }
  return { wildcard: false, byType };
}

function readStrings(value: unknown, path: string, quirks: Quirk[]): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      out.push(item);
      if (item !== item.trim()) quirks.push({ kind: 'whitespace', path, value: item });
    } else quirks.push({ kind: 'invalid-value', path, expected: 'a string or array of strings', value: item });
  }
  return out.length > 0 || Array.isArray(value) ? out : undefined;
}

function readConditions(value: unknown, path: string, quirks: Quirk[]): ConditionEntry[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    quirks.push({ kind: 'invalid-value', path, expected: 'an object of condition operators', value });
    return [];
  }
  const entries: ConditionEntry[] = [];
  for (const [operatorText, block] of Object.entries(value as Record<string, unknown>)) {
    const opPath = `${path}.${operatorText}`;
    const operator = canonicalOperator(operatorText);
    if (!operator) quirks.push({ kind: 'unknown-operator', path: opPath, operator: operatorText });
    else {
      const canonical = `${operator.qualifier ? `${operator.qualifier}:` : ''}${operator.base}${operator.ifExists ? 'IfExists' : ''}`;
      if (canonical !== operatorText)
        quirks.push({ kind: 'operator-case', path: opPath, written: operatorText, canonical });
    }
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      quirks.push({ kind: 'invalid-value', path: opPath, expected: 'an object of condition keys', value: block });
      continue;
    }
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? raw : [raw];
      const values: string[] = [];
      for (const item of list) {
        if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
          values.push(String(item));
        else
          quirks.push({
            kind: 'invalid-value',
            path: `${opPath}.${key}`,
            expected: 'a string, number or boolean',
            value: item,
          });
      }
      if (key !== key.trim()) quirks.push({ kind: 'whitespace', path: `${opPath}`, value: key });
      for (const v of values) if (/\s/.test(v)) quirks.push({ kind: 'whitespace', path: `${opPath}.${key}`, value: v });
      entries.push({ operatorText, ...(operator ? { operator } : {}), key, keyLower: key.toLowerCase(), values });
    }
  }
  return entries;
}

interface ScanResult {
  readonly keyCount: number;
  readonly minifiedLength: number;
  readonly maxDepth: number;
  readonly nonLatin1?: string;
}

/**
 * One pass over valid JSON text: counts object keys, measures the minified length and the nesting depth, and
 * spots characters IAM does not accept. Comparing the key count with the parsed object's tells whether any object
 * repeats a key (JSON.parse keeps only the last) without a slower duplicate-aware parse on every document.
 */
function scanJson(text: string): ScanResult {
  let keyCount = 0;
  let minifiedLength = 0;
  let depth = 0;
  let maxDepth = 0;
  let nonLatin1: string | undefined;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === 34) break;
        else {
          if (d > 0xff && nonLatin1 === undefined) nonLatin1 = text.slice(Math.max(0, i - 10), i + 10);
          i++;
        }
      }
      i++;
      minifiedLength += i - start;
      let j = i;
      while (j < n) {
        const w = text.charCodeAt(j);
        if (w === 32 || w === 9 || w === 10 || w === 13) j++;
        else break;
      }
      if (j < n && text.charCodeAt(j) === 58) keyCount++;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
    } else if (c === 125 || c === 93) depth--;
    minifiedLength++;
    i++;
  }
  return nonLatin1 === undefined
    ? { keyCount, minifiedLength, maxDepth }
    : { keyCount, minifiedLength, maxDepth, nonLatin1 };
}

function countKeys(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) for (const v of item) stack.push(v);
    else if (item !== null && typeof item === 'object') {
      for (const v of Object.values(item)) {
        count++;
        stack.push(v);
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
        seen.set(key, [...(seen.get(key) ?? []), valueNode]);
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

function failure(kind: ReadFailureKind, message: string, quirks: Quirk[], text: string): ReadFailure {
  return { ok: false, kind, message, quirks, excerpt: text.length > 300 ? `${text.slice(0, 300)}…` : text };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
