/** What the page reads from a token and from its own URL, without the DOM (unit-tested). */

/** Whether this page load is the provider sending the browser back (a state, with a code or an error). */
export function isSignInCallback(search: string): boolean {
  const params = new URLSearchParams(search);
  return params.has('state') && (params.has('code') || params.has('error'));
}

/** Seconds the ID token has left (negative once expired); undefined without one. */
export function idTokenSecondsLeft(idToken: string | undefined, nowMs: number): number | undefined {
  if (!idToken) return undefined;
  const exp = claimsOf(idToken)?.exp;
  return typeof exp === 'number' ? exp - nowMs / 1000 : undefined;
}

/** The token's claims, for display only (the API is what verifies the token). */
export function claimsOf(t: string): Record<string, unknown> | undefined {
  try {
    const part = t.split('.')[1] ?? '';
    const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(escape(text))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The configured redirect URI, or this page's own origin when the page is served from another of its registered
 * URLs (a custom domain beside the distribution): the sign-in must come back where it started (its state is in this
 * origin's sessionStorage).
 */
export function redirectUriFor(configured: string, origin: string): string {
  try {
    return new URL(configured).origin === origin ? configured : `${origin}/`;
  } catch {
    return `${origin}/`;
  }
}
