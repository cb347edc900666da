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
  TrustPolicy,
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
   * roles, since IAM never returns such a document).
   */
  readonly skipCharacterCheck?: boolean;
}

/*
 * Speed: the analyzer reads every role's document once, so this reader is on the path of every analysis and is
 * measured against JSON.parse itself (`npm run bench`). It parses with JSON.parse and then walks only the parsed
 * statements; object spreads and eagerly built quirk paths are avoided on that path (a spread of a small literal
 * cost as much as a third of JSON.parse), and paths are spelled only when a quirk is recorded.
 */

/**
 * Reads a trust policy as IAM returned it (raw JSON, URL-encoded JSON) or as an already parsed object.
 * Never throws: anything unreadable comes back as a ReadFailure that names the problem.
 */
export function parseTrustPolicy(input: unknown, options: ReadOptions = {}): ReadResult {
  const parsed = parseTrustText(input);
  return parsed.ok ? readParsedPolicy(parsed, options) : parsed;
}

/** A trust policy decoded and parsed, not yet read: the first half of parseTrustPolicy. */
export interface ParsedTrustText {
  readonly ok: true;
  /** The decoded JSON text. */
  readonly text: string;
  readonly document: Record<string, unknown>;
  /** Quirks of decoding (url-encoded). */
  readonly quirks: Quirk[];
  /** Key count, minified length and depth; `parsedKeysMatch` when no key is repeated. */
  readonly scan: ScanResult;
}

/** A trust policy's JSON text, decoded: the first step of parseTrustText. */
export interface DecodedTrustText {
  readonly ok: true;
  readonly text: string;
  /** Quirks of decoding (url-encoded). */
  readonly quirks: Quirk[];
}

/** The input's JSON text (URL-decoded when it is text, serialized when it is an object), or why there is none. */
export function decodeTrustText(input: unknown): DecodedTrustText | ReadFailure {
  const quirks: Quirk[] = [];
  const text = inputText(input, quirks);
  return typeof text === 'string' ? { ok: true, text, quirks } : text;
}

/** Decodes and parses the input and measures the text; a ReadFailure when it is no JSON object. */
export function parseTrustText(input: unknown): ParsedTrustText | ReadFailure {
  const decoded = decodeTrustText(input);
  return decoded.ok ? parseDecodedText(decoded) : decoded;
}

/** Parses decoded text and measures it; a ReadFailure when it is no JSON object. */
export function parseDecodedText(decoded: DecodedTrustText): ParsedTrustText | ReadFailure {
  const { text, quirks } = decoded;
  const parsed = parseObject(text, quirks);
  if (parsed.failure) return parsed.failure;
  const document = parsed.document;
  const scan = quickScan(text, document) ?? scanJson(text);
  return { ok: true, text, document, quirks, scan };
}

/** The second half of parseTrustPolicy: depth, repeated keys, characters, then the document's elements. */
export function readParsedPolicy(parsed: ParsedTrustText, options: ReadOptions = {}): ReadResult {
  const { text, document, quirks, scan } = parsed;
  if (scan.maxDepth > MAX_DEPTH) {
    return failure(
      'too-deep',
      `the trust policy nests ${scan.maxDepth} levels deep (limit ${MAX_DEPTH})`,
      quirks,
      text,
    );
  }
  if (!scan.parsedKeysMatch && scan.keyCount !== countKeys(document)) quirks.push(...findDuplicateKeys(text));
  if (!options.skipCharacterCheck) {
    const odd = invalidCharacterSampleInJson(text);
    if (odd !== undefined) quirks.push({ kind: 'invalid-characters', sample: odd });
  }

  const version = readDocumentElements(document, quirks);
  const statements = readStatements(document.Statement, quirks);
  const policy: TrustPolicy = version !== undefined ? { version, statements, document } : { statements, document };
  return { ok: true, policy, quirks, minifiedLength: scan.minifiedLength, decodedText: text };
}

/**
 * The statements of a parsed document as parseTrustPolicy reads them, for a document known to have no quirks (its
 * quirks are dropped): the analyzer builds them only when something asks (rules/irsa-statement/canonical-document.ts).
 */
export function readStatementsOf(document: Readonly<Record<string, unknown>>): Statement[] {
  return readStatements(document.Statement, []);
}

/** The JSON text of the input: decoded when it is text, serialized when it is an object. */
function inputText(input: unknown, quirks: Quirk[]): string | ReadFailure {
  if (typeof input === 'string') return decodeText(input, quirks);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return failure('not-an-object', `expected policy text or a JSON object, got ${kindOf(input)}`, quirks, '');
  }
  let text: string;
  try {
    text = JSON.stringify(input);
  } catch (err) {
    return failure('invalid-json', `the trust policy object cannot be serialized: ${describe(err)}`, quirks, '');
  }
  // JSON.stringify returns undefined (despite its type) when a toJSON method yields undefined or a function.
  if (typeof text !== 'string') {
    return failure('not-an-object', 'the trust policy object serializes to no JSON value', quirks, '');
  }
  return text;
}

type Parsed =
  | { readonly document: Record<string, unknown>; readonly failure?: undefined }
  | { readonly failure: ReadFailure };

function parseObject(text: string, quirks: Quirk[]): Parsed {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { failure: failure('invalid-json', `the trust policy is not valid JSON: ${describe(err)}`, quirks, text) };
  }
  if (!isRecord(parsed)) {
    return {
      failure: failure('not-an-object', `the trust policy must be a JSON object, got ${kindOf(parsed)}`, quirks, text),
    };
  }
  return { document: parsed };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
  // Text that opens with { and closes with } has no surrounding whitespace: trim would return it unchanged.
  let text = input.charCodeAt(0) === 123 && input.charCodeAt(input.length - 1) === 125 ? input : input.trim();
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

/** Quirks of the document's own elements; returns its Version when that is a string. */
function readDocumentElements(document: Record<string, unknown>, quirks: Quirk[]): string | undefined {
  for (const name in document) {
    if (!DOCUMENT_ELEMENTS.has(name)) quirks.push({ kind: 'unknown-element', path: '$', name });
  }
  const version = typeof document.Version === 'string' ? document.Version : undefined;
  if (document.Version === undefined) quirks.push({ kind: 'missing-version' });
  else if (version !== '2012-10-17') quirks.push({ kind: 'old-version', version: String(document.Version) });
  return version;
}

function readStatements(rawStatements: unknown, quirks: Quirk[]): Statement[] {
  const inArray = Array.isArray(rawStatements);
  let list: readonly unknown[];
  if (inArray) list = rawStatements;
  else if (rawStatements !== null && typeof rawStatements === 'object') {
    list = [rawStatements];
    quirks.push({ kind: 'statement-is-object' });
  } else {
    quirks.push({ kind: 'invalid-value', path: '$.Statement', expected: 'an array or object', value: rawStatements });
    list = [];
  }
  const statements: Statement[] = [];
  for (let index = 0; index < list.length; index++) {
    const raw = list[index];
    const path = inArray ? statementPath(index) : '$.Statement';
    if (isRecord(raw)) statements.push(readStatement(raw, index, path, quirks));
    else {
      quirks.push({ kind: 'invalid-value', path, expected: 'an object', value: raw });
      statements.push({ index, conditions: [], raw: {} });
    }
  }
  return statements;
}

/** `$.Statement[i]`; the first few are spelled once. */
const STATEMENT_PATHS = Array.from({ length: 16 }, (_, i) => `$.Statement[${i}]`);
function statementPath(index: number): string {
  return STATEMENT_PATHS[index] ?? `$.Statement[${index}]`;
}

function readStatement(raw: Record<string, unknown>, index: number, path: string, quirks: Quirk[]): Statement {
  for (const name in raw) {
    if (PROHIBITED_IN_TRUST.has(name)) quirks.push({ kind: 'prohibited-element', path, name });
    else if (!STATEMENT_ELEMENTS.has(name)) quirks.push({ kind: 'unknown-element', path, name });
  }
  let effect: Effect | undefined;
  if (raw.Effect === 'Allow' || raw.Effect === 'Deny') effect = raw.Effect;
  else quirks.push({ kind: 'invalid-effect', path: `${path}.Effect`, value: raw.Effect });

  const principal = readPrincipal(raw.Principal, path, 'Principal', quirks);
  const notPrincipal = readPrincipal(raw.NotPrincipal, path, 'NotPrincipal', quirks);
  if (!principal && !notPrincipal) quirks.push({ kind: 'missing-principal', path });

  const actions = readElementStrings(raw.Action, quirks, path, 'Action');
  const notActions = readElementStrings(raw.NotAction, quirks, path, 'NotAction');
  if (!actions && !notActions) quirks.push({ kind: 'missing-action', path });

  const conditions = raw.Condition === undefined ? [] : readConditions(raw.Condition, path, quirks);
  const statement: Mutable<Statement> = { index, conditions, raw };
  if (typeof raw.Sid === 'string') statement.sid = raw.Sid;
  if (effect) statement.effect = effect;
  return withParts(statement, principal, notPrincipal, actions, notActions);
}

/** Sets the statement's principal and action elements that are present (in this order, as they were always set). */
function withParts(
  statement: Mutable<Statement>,
  principal: PrincipalBlock | undefined,
  notPrincipal: PrincipalBlock | undefined,
  actions: string[] | undefined,
  notActions: string[] | undefined,
): Statement {
  if (principal) statement.principal = principal;
  if (notPrincipal) statement.notPrincipal = notPrincipal;
  if (actions) statement.actions = actions;
  if (notActions) statement.notActions = notActions;
  return statement;
}

/** Action or NotAction: absent stays undefined. */
function readElementStrings(value: unknown, quirks: Quirk[], path: string, element: string): string[] | undefined {
  return value === undefined ? undefined : readStrings(value, quirks, path, element);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function readPrincipal(
  value: unknown,
  path: string,
  element: 'Principal' | 'NotPrincipal',
  quirks: Quirk[],
): PrincipalBlock | undefined {
  if (value === undefined) return undefined;
  if (value === '*') return { wildcard: true, byType: {} };
  if (!isRecord(value)) {
    quirks.push({
      kind: 'invalid-value',
      path: `${path}.${element}`,
      expected: '"*" or an object of principal types',
      value,
    });
    return undefined;
  }
  const byType: Record<string, readonly string[]> = {};
  for (const type in value) {
    const values = readStrings(value[type], quirks, path, element, type) ?? [];
    // Assigning "__proto__" would replace byType's prototype (its items then show up as principal types).
    if (type === '__proto__') Object.defineProperty(byType, type, { value: values, enumerable: true, writable: true });
    else byType[type] = values;
  }
  return { wildcard: false, byType };
}

/** The path of a quirk: the parts joined with dots, spelled only when a quirk is recorded. */
function joinPath(path: string, child?: string, grandchild?: string): string {
  if (child === undefined) return path;
  return grandchild === undefined ? `${path}.${child}` : `${path}.${child}.${grandchild}`;
}

/** A string or array of strings; the path parts are joined only when a quirk needs them. */
function readStrings(
  value: unknown,
  quirks: Quirk[],
  path: string,
  child?: string,
  grandchild?: string,
): string[] | undefined {
  if (typeof value === 'string') {
    if (value !== value.trim()) quirks.push({ kind: 'whitespace', path: joinPath(path, child, grandchild), value });
    return [value];
  }
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item !== 'string') {
      quirks.push({
        kind: 'invalid-value',
        path: joinPath(path, child, grandchild),
        expected: 'a string or array of strings',
        value: item,
      });
      continue;
    }
    out.push(item);
    if (item !== item.trim()) quirks.push({ kind: 'whitespace', path: joinPath(path, child, grandchild), value: item });
  }
  return out.length > 0 || Array.isArray(value) ? out : undefined;
}

function readConditions(value: unknown, statementPath: string, quirks: Quirk[]): ConditionEntry[] {
  const path = `${statementPath}.Condition`;
  if (!isRecord(value)) {
    quirks.push({ kind: 'invalid-value', path, expected: 'an object of condition operators', value });
    return [];
  }
  const entries: ConditionEntry[] = [];
  for (const operatorText in value) {
    const known = knownOperator(operatorText);
    if (!known) quirks.push({ kind: 'unknown-operator', path: `${path}.${operatorText}`, operator: operatorText });
    else if (known.canonical !== operatorText) {
      quirks.push({
        kind: 'operator-case',
        path: `${path}.${operatorText}`,
        written: operatorText,
        canonical: known.canonical,
      });
    }
    readConditionBlock(value[operatorText], operatorText, known?.operator, path, quirks, entries);
  }
  return entries;
}

/** The keys under one operator, each an entry of `entries`. */
function readConditionBlock(
  block: unknown,
  operatorText: string,
  operator: ConditionOperator | undefined,
  path: string,
  quirks: Quirk[],
  entries: ConditionEntry[],
): void {
  if (!isRecord(block)) {
    quirks.push({
      kind: 'invalid-value',
      path: `${path}.${operatorText}`,
      expected: 'an object of condition keys',
      value: block,
    });
    return;
  }
  for (const key in block) {
    const values = conditionValues(block[key], path, operatorText, key, quirks);
    if (key !== key.trim()) quirks.push({ kind: 'whitespace', path: `${path}.${operatorText}`, value: key });
    for (const v of values) {
      if (WHITESPACE.test(v)) quirks.push({ kind: 'whitespace', path: `${path}.${operatorText}.${key}`, value: v });
    }
    const entry: Mutable<ConditionEntry> = { operatorText, key, keyLower: lower(key), values };
    if (operator) entry.operator = operator;
    entries.push(entry);
  }
}

/** A condition key's values as strings (numbers and booleans stringified as IAM does). */
function conditionValues(raw: unknown, path: string, operatorText: string, key: string, quirks: Quirk[]): string[] {
  if (typeof raw === 'string') return [raw];
  const values: string[] = [];
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') values.push(String(item));
    else {
      quirks.push({
        kind: 'invalid-value',
        path: `${path}.${operatorText}.${key}`,
        expected: 'a string, number or boolean',
        value: item,
      });
    }
  }
  return values;
}

export interface ScanResult {
  readonly keyCount: number;
  readonly minifiedLength: number;
  readonly maxDepth: number;
  /** Known already: the parsed value holds keyCount keys (no key repeated). */
  readonly parsedKeysMatch?: boolean;
}

/**
 * scanJson's answer for the common document without visiting the text character by character: text with no JSON
 * whitespace (minified, as IAM stores policies and the collector passes them on). There the minified length is the
 * length, and each key's closing quote is followed at once by a colon, so counting `":` counts every key (and
 * perhaps more: a string value may begin with a colon, or hold an escaped quote before one). When the parsed value
 * holds exactly that many keys, the count is exact and no key is repeated, so the text's nesting is the parsed
 * value's and the depth is measured on it (the walk stops past MAX_DEPTH). Otherwise undefined: scanJson reads
 * the text. test/unit/domain/trust-policy/parse-trust-policy.test.ts checks it agrees with scanJson.
 */
export function quickScan(text: string, document: Record<string, unknown>): ScanResult | undefined {
  if (text.includes(' ') || text.includes('\n') || text.includes('\r') || text.includes('\t')) return undefined;
  const shape = { keys: 0, maxDepth: 0, length: 0 };
  if (!measure(document, 1, shape)) return undefined;
  // The parsed value written minified is exactly as long as the text: no key can have been dropped (a repeated key
  // would make the text longer, and escapes and numbers only ever make the two differ; then the count decides).
  if (shape.length === text.length) {
    return { keyCount: shape.keys, minifiedLength: text.length, maxDepth: shape.maxDepth, parsedKeysMatch: true };
  }
  let keyCount = 0;
  for (let at = text.indexOf('":'); at !== -1; at = text.indexOf('":', at + 2)) keyCount++;
  if (shape.keys !== keyCount) return undefined;
  return { keyCount, minifiedLength: text.length, maxDepth: shape.maxDepth, parsedKeysMatch: true };
}

interface Shape {
  keys: number;
  maxDepth: number;
  /** The length of the value written as minified JSON, NaN when a number (or other scalar) is in it. */
  length: number;
}

/** Adds the keys and minified length of an object or array at `depth` and below to `shape`; false past MAX_DEPTH. */
function measure(value: object, depth: number, shape: Shape): boolean {
  if (depth > MAX_DEPTH) return false;
  if (depth > shape.maxDepth) shape.maxDepth = depth;
  if (Array.isArray(value)) {
    shape.length += value.length === 0 ? 2 : value.length + 1;
    for (const item of value) if (!measureItem(item, depth, shape)) return false;
    return true;
  }
  const object = value as Record<string, unknown>;
  let n = 0;
  for (const k in object) {
    shape.keys++;
    n++;
    shape.length += k.length + 3;
    if (!measureItem(object[k], depth, shape)) return false;
  }
  shape.length += n === 0 ? 2 : n + 1;
  return true;
}

/** measure of a member of a value at `depth`: a scalar's length, or the object or array one level down. */
function measureItem(item: unknown, depth: number, shape: Shape): boolean {
  if (isObject(item)) return measure(item, depth + 1, shape);
  shape.length += scalarLength(item);
  return true;
}

/**
 * The minified JSON length of a parsed scalar, as the plain spelling it would have with no escapes; NaN for a
 * number, whose spelling in the text may differ (1e5, 100000), so that the text key count decides.
 */
function scalarLength(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === true || value === null) return 4;
  if (value === false) return 5;
  return Number.NaN;
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

/**
 * One pass over valid JSON text: counts object keys, measures the minified length and the nesting depth.
 * Comparing the key count with the parsed object's tells whether any object repeats a key (JSON.parse keeps only
 * the last) without a slower duplicate-aware parse on every document. Strings are skipped with indexOf, so only
 * the short stretches between strings are visited character by character.
 */
export function scanJson(text: string): ScanResult {
  let keyCount = 0;
  let whitespace = 0;
  let depth = 0;
  let maxDepth = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = closingQuote(text, i);
      if (end === -1) break;
      i = skipWhitespace(text, end + 1);
      whitespace += i - end - 1;
      if (text.charCodeAt(i) === 58) keyCount++;
      continue;
    }
    if (isJsonWhitespace(c)) whitespace++;
    depth += depthStep(c);
    if (depth > maxDepth) maxDepth = depth;
    i++;
  }
  return { keyCount, minifiedLength: n - whitespace, maxDepth };
}

/** The index of the quote closing the string opened at `open`: the next quote not escaped by a backslash. */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1) {
    let slashes = 0;
    for (let k = end - 1; text.charCodeAt(k) === 92; k--) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** +1 for an opening bracket or brace, -1 for a closing one, else 0. */
function depthStep(c: number): number {
  if (c === 123 || c === 91) return 1;
  return c === 125 || c === 93 ? -1 : 0;
}

function isJsonWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Text around the first character IAM does not accept in a policy document, or undefined when there is none. */
export function invalidCharacterSample(text: string): string | undefined {
  return sampleAt(text, NOT_ACCEPTED.exec(text));
}

/**
 * invalidCharacterSample of text that JSON.parse accepted (a read document's decodedText). Valid JSON holds no raw
 * control character but tab, line feed and carriage return (the only ones allowed, as whitespace between tokens;
 * inside strings they must be escaped), and IAM accepts those three: only characters above U+00FF can be refused.
 * That search is several times faster than the full one (for text with no such character, V8 answers it without
 * visiting every character), and this check runs on every IRSA role's document.
 */
export function invalidCharacterSampleInJson(text: string): string | undefined {
  return sampleAt(text, ABOVE_LATIN1.exec(text));
}

function sampleAt(text: string, odd: RegExpExecArray | null): string | undefined {
  return odd ? text.slice(Math.max(0, odd.index - 10), odd.index + 10) : undefined;
}
const ABOVE_LATIN1 = /[\u0100-\uffff]/;

/**
 * IAM accepts only U+0009, U+000A, U+000D and U+0020 to U+00FF in policy documents; these are the others. Written as
 * the set of characters refused rather than the complement of the set accepted: the same set, found about a third
 * faster.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters IAM refuses are what it looks for
const NOT_ACCEPTED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0100-\uffff]/;

/** How many keys the parsed value's objects hold, all levels (the depth is bounded by MAX_DEPTH before this runs). */
function countKeys(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  const object = value as Record<string, unknown>;
  for (const k in object) count += 1 + countKeys(object[k]);
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
    if (node.type === 'object') duplicatesInObject(node, path, stack, quirks);
    else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => {
        stack.push({ node: child, path: `${path}[${i}]` });
      });
    }
  }
  return quirks.reverse();
}

/** Records the repeated keys of one object node and queues its values. */
function duplicatesInObject(
  node: JsonNode,
  path: string,
  stack: Array<{ node: JsonNode; path: string }>,
  quirks: Quirk[],
): void {
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
    if (nodes.length > 1) quirks.push({ kind: 'duplicate-key', path, key, values: nodes.map((v) => getNodeValue(v)) });
  }
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
