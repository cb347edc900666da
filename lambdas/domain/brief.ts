/**
 * Keeps what a finding or an explanation quotes from a policy short: a policy may list thousands of values, and a
 * message per workload that repeats them all would make output grow with workloads x values.
 */

/** How many values of a list a message or evidence quotes. */
export const QUOTED_VALUES = 5;
/** How many characters of one value a message quotes. */
export const QUOTED_CHARS = 200;

/** One value as JSON, cut to `chars` characters with its length when longer. */
export function quote(value: string, chars = QUOTED_CHARS): string {
  return value.length <= chars
    ? JSON.stringify(value)
    : `${JSON.stringify(value.slice(0, chars)).slice(0, -1)}..." (${value.length} characters)`;
}

/** A value or list as JSON for a message: at most `max` values, each cut, then how many more there are. */
export function quoteAll(values: string | readonly string[], max = QUOTED_VALUES): string {
  if (typeof values === 'string') return quote(values);
  if (values.length === 1) return quote(values[0] as string);
  const shown = values.slice(0, max).map((v) => quote(v));
  return `[${shown.join(',')}${values.length > max ? `, ... ${values.length - max} more` : ''}]`;
}

/** The first `max` items of a list for evidence, with the full count when some are left out. */
export function firstOf<T>(items: readonly T[], max = QUOTED_VALUES * 4): { items: T[]; total: number } {
  return { items: items.slice(0, max), total: items.length };
}

/** A condition trace for evidence: its values cut to the first QUOTED_VALUES, with their count when longer. */
export function briefCondition<T extends { readonly values: readonly string[] }>(
  condition: T | undefined,
): (Omit<T, 'values'> & { values: readonly string[]; valueCount?: number }) | null {
  if (!condition) return null;
  if (condition.values.length <= QUOTED_VALUES) return condition;
  return { ...condition, values: condition.values.slice(0, QUOTED_VALUES), valueCount: condition.values.length };
}
