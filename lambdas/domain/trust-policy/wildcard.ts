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
  const isStar = (i: number) => p.charCodeAt(i) === STAR && (literal === undefined || !literal[i]);
  const isAny = (i: number) => p.charCodeAt(i) === QUESTION && (literal === undefined || !literal[i]);

  // Segment boundaries: [start, end) ranges of the pattern between wildcard stars.
  const starts: number[] = [0];
  const ends: number[] = [];
  for (let i = 0; i < p.length; i++) {
    if (isStar(i)) {
      ends.push(i);
      starts.push(i + 1);
    }
  }
  ends.push(p.length);
  const last = starts.length - 1;
  const first = { start: starts[0] as number, end: ends[0] as number };
  if (last === 0) return first.end - first.start === t.length && matchesAt(p, first.start, first.end, t, 0, isAny);

  const tail = { start: starts[last] as number, end: ends[last] as number };
  const headLength = first.end - first.start;
  const tailLength = tail.end - tail.start;
  if (headLength + tailLength > t.length) return false;
  if (!matchesAt(p, first.start, first.end, t, 0, isAny)) return false;
  const limit = t.length - tailLength;
  if (!matchesAt(p, tail.start, tail.end, t, limit, isAny)) return false;

  let at = headLength;
  for (let s = 1; s < last; s++) {
    const start = starts[s] as number;
    const end = ends[s] as number;
    if (start === end) continue;
    const found = findSegment(p, start, end, t, at, limit, isAny);
    if (found < 0) return false;
    at = found + (end - start);
  }
  return true;
}

const STAR = 42;
const QUESTION = 63;

/** Whether p[start, end) matches t at `offset` (`?` positions match any one character). */
function matchesAt(
  p: string,
  start: number,
  end: number,
  t: string,
  offset: number,
  isAny: (i: number) => boolean,
): boolean {
  for (let i = start, j = offset; i < end; i++, j++) {
    if (p.charCodeAt(i) !== t.charCodeAt(j) && !isAny(i)) return false;
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
  isAny: (i: number) => boolean,
): number {
  const m = end - start;
  if (from + m > limit) return -1;
  let any = false;
  for (let i = start; i < end && !any; i++) any = isAny(i);
  if (!any) {
    const found = t.indexOf(p.slice(start, end), from);
    return found >= 0 && found + m <= limit ? found : -1;
  }
  // Shift-And: bit j of the state is set when p[start, start + j] matches the text ending at the current character.
  const words = (m + 31) >>> 5;
  const wildcardMask = new Uint32Array(words);
  const masks = new Map<number, Uint32Array>();
  for (let j = 0; j < m; j++) {
    if (isAny(start + j)) wildcardMask[j >>> 5] = (wildcardMask[j >>> 5] as number) | (1 << (j & 31));
  }
  for (let j = 0; j < m; j++) {
    if (isAny(start + j)) continue;
    const c = p.charCodeAt(start + j);
    let mask = masks.get(c);
    if (!mask) {
      mask = Uint32Array.from(wildcardMask);
      masks.set(c, mask);
    }
    mask[j >>> 5] = (mask[j >>> 5] as number) | (1 << (j & 31));
  }
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

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}
