/**
 * A view's filters in the URL fragment (#/findings?severity=high&account=…): a filtered view can be shared, and
 * Back returns to the previous filters. Pure (the hash is given): filter-form.ts sets it.
 */

/** The query part of the fragment (after `?`), or none. */
export function fragmentParams(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : hash.slice(at + 1));
}

/** The fragment for a view and its filters, empty values left out. */
export function fragmentFor(path: string, filters: Readonly<Record<string, string>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value.trim() !== '') params.set(name, value.trim());
  const query = params.toString();
  return `#/${path}${query ? `?${query}` : ''}`;
}

/** The API query of the filters (`&`-joined, each encoded), to follow a page query. */
export function apiFilters(params: URLSearchParams, allowed: readonly string[]): string {
  const out = new URLSearchParams();
  for (const name of allowed) {
    const value = params.get(name);
    if (value) out.set(name, value);
  }
  const text = out.toString();
  return text ? `&${text}` : '';
}
