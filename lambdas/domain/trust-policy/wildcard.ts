/**
 * IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one.
 * No regular expressions built from policy text, and no backtracking: the pattern is cut at its wildcard stars into
 * segments; the first must match at the start of the text, the last at its end, and each one between at its
 * leftmost place after the one before (taking the leftmost place never loses a match, since a star absorbs whatever
 * lies between). A segment without `?` is found by `indexOf`; one with `?` by a bit-parallel scan (Shift-And), so
 * the whole match costs O(|pattern| + |text|) without `?`, and O(|text| x |segment| / 32) for a segment with `?`.
 * (The matcher this replaced backtracked over single stars: O(|pattern| x |text|), minutes for 100 KB values.)
 *
 * `literal`, when given, marks pattern positions whose `*` or `?` is plain text rather than a wildcard: the `${*}` and
 * `${?}` escapes, and text a policy variable resolved to (see conditions.ts). It indexes the pattern as given, so it
 * is only meaningful without `ignoreCase`.
 */
export function wildcardMatch(
  pattern: string,
  text: string,
  ignoreCase = false,
  literal?: ArrayLike<boolean>,
): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  if (literal === undefined) return matchCompiled(compiled(p), p, t);
  return matchCompiled(compile(p, literal), p, t, literal);
}

/** A pattern cut at its wildcard stars: the segments' [start, end) ranges, and whether any segment has a `?`. */
interface Compiled {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  /** The segments as text, for `indexOf`/`startsWith`/`endsWith` when the pattern has no wildcard `?`. */
  readonly texts: readonly string[] | undefined;
}

function compile(p: string, literal: ArrayLike<boolean> | undefined): Compiled {
  const starts: number[] = [0];
  const ends: number[] = [];
  for (let i = p.indexOf('*'); i >= 0; i = p.indexOf('*', i + 1)) {
    if (literal?.[i]) continue;
    ends.push(i);
    starts.push(i + 1);
  }
  ends.push(p.length);
  let any = false;
  for (let i = p.indexOf('?'); i >= 0 && !any; i = p.indexOf('?', i + 1)) any = !literal?.[i];
  return { starts, ends, texts: any ? undefined : starts.map((start, k) => p.slice(start, ends[k])) };
}

// The same few policy patterns are matched against every workload's subject: compile each once. Bounded: cleared
// when full, so memory stays small whatever the snapshot holds.
const cache = new Map<string, Compiled>();
const CACHE_SIZE = 4096;

function compiled(p: string): Compiled {
  let c = cache.get(p);
  if (!c) {
    if (cache.size >= CACHE_SIZE) cache.clear();
    c = compile(p, undefined);
    cache.set(p, c);
  }
  return c;
}

function matchCompiled(c: Compiled, p: string, t: string, literal?: ArrayLike<boolean>): boolean {
  if (c.texts) return matchTexts(c.texts, t);
  const { starts, ends } = c;
  const last = starts.length - 1;
  const headEnd = ends[0] as number;
  if (last === 0) return headEnd === t.length && matchesAt(p, 0, headEnd, t, 0, literal);
  const tailStart = starts[last] as number;
  const tailLength = p.length - tailStart;
  if (headEnd + tailLength > t.length) return false;
  if (!matchesAt(p, 0, headEnd, t, 0, literal)) return false;
  const limit = t.length - tailLength;
  if (!matchesAt(p, tailStart, p.length, t, limit, literal)) return false;
  let at = headEnd;
  for (let s = 1; s < last; s++) {
    const start = starts[s] as number;
    const end = ends[s] as number;
    if (start === end) continue;
    const found = findSegment(p, start, end, t, at, limit, literal);
    if (found < 0) return false;
    at = found + (end - start);
  }
  return true;
}

/** A pattern without `?`, as its literal segments between `*`s: native comparisons and searches. */
function matchTexts(texts: readonly string[], t: string): boolean {
  const last = texts.length - 1;
  const head = texts[0] as string;
  if (last === 0) return t === head;
  const tail = texts[last] as string;
  if (head.length + tail.length > t.length || !t.startsWith(head) || !t.endsWith(tail)) return false;
  const limit = t.length - tail.length;
  let at = head.length;
  for (let s = 1; s < last; s++) {
    const segment = texts[s] as string;
    if (segment === '') continue;
    const found = t.indexOf(segment, at);
    if (found < 0 || found + segment.length > limit) return false;
    at = found + segment.length;
  }
  return true;
}

const QUESTION = 63;

/** Whether pattern position i is a wildcard `?` (not one marked literal). */
function isAny(p: string, i: number, literal: ArrayLike<boolean> | undefined): boolean {
  return p.charCodeAt(i) === QUESTION && (literal === undefined || !literal[i]);
}

/** Whether p[start, end) matches t at `offset` (`?` positions match any one character). */
function matchesAt(
  p: string,
  start: number,
  end: number,
  t: string,
  offset: number,
  literal: ArrayLike<boolean> | undefined,
): boolean {
  for (let i = start, j = offset; i < end; i++, j++) {
    if (p.charCodeAt(i) !== t.charCodeAt(j) && !isAny(p, i, literal)) return false;
  }
  return true;
}

/** Leftmost index >= from where p[start, end) matches t and ends by `limit`; -1 when none. */
function findSegment(
  p: string,
  start: number,
  end: number,
  t: string,
  from: number,
  limit: number,
  literal: ArrayLike<boolean> | undefined,
): number {
  const m = end - start;
  if (from + m > limit) return -1;
  let any = false;
  for (let i = start; i < end && !any; i++) any = isAny(p, i, literal);
  if (!any) {
    const found = t.indexOf(p.slice(start, end), from);
    return found >= 0 && found + m <= limit ? found : -1;
  }
  return shiftAnd(p, start, m, t, from, limit, literal);
}

/**
 * Shift-And search for the `?`-bearing segment p[start, start + m): bit j of the state is set when
 * p[start, start + j] matches the text ending at the current character.
 */
function shiftAnd(
  p: string,
  start: number,
  m: number,
  t: string,
  from: number,
  limit: number,
  literal: ArrayLike<boolean> | undefined,
): number {
  const words = (m + 31) >>> 5;
  const { wildcardMask, masks } = segmentMasks(p, start, m, words, literal);
  const state = new Uint32Array(words);
  const lastWord = (m - 1) >>> 5;
  const lastBit = 1 << ((m - 1) & 31);
  for (let k = from; k < limit; k++) {
    const mask = masks.get(t.charCodeAt(k)) ?? wildcardMask;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const s = state[w] as number;
      state[w] = ((s << 1) | carry) & (mask[w] as number);
      carry = s >>> 31;
    }
    if ((state[lastWord] as number) & lastBit) return k - m + 1;
  }
  return -1;
}

/** Per character of the segment, the positions it may stand at (its own and every `?`); others get the `?` mask. */
function segmentMasks(
  p: string,
  start: number,
  m: number,
  words: number,
  literal: ArrayLike<boolean> | undefined,
): { wildcardMask: Uint32Array; masks: Map<number, Uint32Array> } {
  const wildcardMask = new Uint32Array(words);
  const masks = new Map<number, Uint32Array>();
  for (let j = 0; j < m; j++) {
    if (isAny(p, start + j, literal)) wildcardMask[j >>> 5] = (wildcardMask[j >>> 5] as number) | (1 << (j & 31));
  }
  for (let j = 0; j < m; j++) {
    if (isAny(p, start + j, literal)) continue;
    const c = p.charCodeAt(start + j);
    let mask = masks.get(c);
    if (!mask) {
      mask = Uint32Array.from(wildcardMask);
      masks.set(c, mask);
    }
    mask[j >>> 5] = (mask[j >>> 5] as number) | (1 << (j & 31));
  }
  return { wildcardMask, masks };
}

/**
 * Many values of one condition, matched against many requests (every workload's subject): literal values in a set,
 * wildcard patterns grouped by their literal tail (the text after the last `*`, or the whole pattern without one), so
 * a request is only matched against the patterns whose tail it ends with. Same answers as
 * `values.some((v) => like ? wildcardMatch(v, text) : v === text)`.
 */
export class ValueSet {
  private readonly exact = new Set<string>();
  private readonly byTail = new Map<string, LiteralPattern[]>();
  private readonly tailLengths: number[] = [];
  /** Patterns with a `?`: matched one by one by wildcardMatch. */
  private readonly loose: string[] = [];
  // The last answer: a workload's subject is asked of the same condition by the evaluation and then by its rule.
  private lastText: string | undefined;
  private lastAnswer = false;

  constructor(values: readonly string[], like: boolean) {
    const lengths = new Set<number>();
    for (const v of values) {
      if (!like || !hasWildcard(v)) {
        this.exact.add(v);
        continue;
      }
      if (v.includes('?')) {
        this.loose.push(v);
        continue;
      }
      const tail = v.slice(v.lastIndexOf('*') + 1);
      const entry = literalPattern(v);
      const list = this.byTail.get(tail);
      if (list) list.push(entry);
      else this.byTail.set(tail, [entry]);
      lengths.add(tail.length);
    }
    this.tailLengths = [...lengths];
  }

  has(text: string): boolean {
    if (text === this.lastText) return this.lastAnswer;
    const answer = this.find(text);
    this.lastText = text;
    this.lastAnswer = answer;
    return answer;
  }

  private find(text: string): boolean {
    if (this.exact.has(text)) return true;
    for (const length of this.tailLengths) {
      if (length > text.length) continue;
      const candidates = this.byTail.get(text.slice(text.length - length));
      if (candidates) for (const c of candidates) if (matchLiteral(c, text)) return true;
    }
    return this.loose.some((p) => wildcardMatch(p, text));
  }
}

/** A pattern with `*` wildcards only (no `?`), cut into its literal head, middle segments and tail. */
interface LiteralPattern {
  readonly head: string;
  readonly middles: readonly string[];
  readonly tail: string;
  /** The shortest text it can match. */
  readonly minLength: number;
}

function literalPattern(p: string): LiteralPattern {
  const parts = p.split('*');
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  const middles = parts.slice(1, -1).filter((m) => m !== '');
  return { head, middles, tail, minLength: parts.reduce((n, x) => n + x.length, 0) };
}

/** The same answer as wildcardMatch for a pattern with at least one `*` and no `?`: native searches only. */
function matchLiteral(c: LiteralPattern, t: string): boolean {
  if (t.length < c.minLength || !t.startsWith(c.head) || !t.endsWith(c.tail)) return false;
  const limit = t.length - c.tail.length;
  let at = c.head.length;
  for (const segment of c.middles) {
    const found = t.indexOf(segment, at);
    if (found < 0 || found + segment.length > limit) return false;
    at = found + segment.length;
  }
  return true;
}

const valueSets = new WeakMap<readonly string[], { like?: ValueSet; equals?: ValueSet }>();

/** The ValueSet of a values array, built once per array (cached weakly: it goes when the policy does). */
export function valueSetOf(values: readonly string[], like: boolean): ValueSet {
  const entry = valueSets.get(values) ?? {};
  let set = like ? entry.like : entry.equals;
  if (!set) {
    set = new ValueSet(values, like);
    valueSets.set(values, like ? { ...entry, like: set } : { ...entry, equals: set });
  }
  return set;
}

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}
