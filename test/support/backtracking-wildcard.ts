/** The wildcard matcher before issue 12 (backtracking, O(|pattern| x |text|)): kept as a test oracle only. */
/**
 * IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one.
 * Iterative with single-star backtracking: linear in practice, no regular expressions built from policy text.
 *
 * `literal`, when given, marks pattern positions whose `*` or `?` is plain text rather than a wildcard: the `${*}` and
 * `${?}` escapes, and text a policy variable resolved to (see conditions.ts). It indexes the pattern as given, so it
 * is only meaningful without `ignoreCase`.
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: the frozen pre-issue-12 matcher, a test oracle: it must not change.
export function backtrackingWildcardMatch(
  pattern: string,
  text: string,
  ignoreCase = false,
  literal?: ArrayLike<boolean>,
): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const pc = pi < p.length ? p.charCodeAt(pi) : -1;
    const special = literal === undefined || !literal[pi];
    // A wildcard `*` is tried before a literal comparison: a `*` in the text must not consume the pattern's star.
    if (pc === 42 && special) {
      star = pi++;
      mark = ti;
    } else if (pc !== -1 && ((pc === 63 && special) || pc === t.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p.charCodeAt(pi) === 42 && (literal === undefined || !literal[pi])) pi++;
  return pi === p.length;
}
