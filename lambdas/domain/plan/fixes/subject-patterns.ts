import { hasWildcard, wildcardMatch } from '../../trust-policy/wildcard';

/**
 * Whether an IAM wildcard pattern over `:sub` lets any service account in: it matches service accounts whose
 * namespace and name are made of a character the pattern does not contain, of lengths 1 and 33, which only a `*`
 * over both can do (e.g. "*", "system:*", "system:serviceaccount:*:*"; not "system:serviceaccount:apps:*").
 */
export function letsAnyServiceAccountIn(pattern: string): boolean {
  if (!hasWildcard(pattern)) return false;
  const unused = [...'qzxjkvwbyfgmphdculnrtoeias0123456789'].find((ch) => !pattern.includes(ch));
  // A pattern holding every letter and digit is no plausible subject: assume the worst.
  if (unused === undefined) return true;
  const parts = [unused, unused.repeat(33)];
  return parts.every((ns) => parts.every((name) => wildcardMatch(pattern, `system:serviceaccount:${ns}:${name}`)));
}

/** The distinct values, each at its first occurrence (linear: plans can name thousands of findings). */
export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
