/**
 * What every view shares: the page's main area and banner, the console's configuration, errors shown to the person
 * (a 401 ends the session and asks to sign in again), and previous/next controls for paged lists. Views never touch
 * each other; they reach the router only through `route()` and the session-end hook.
 */
import { ApiError } from './api';
import { type ConsoleConfig, forget } from './auth';
import { h } from './dom';
import type { Pager } from './pager';

export const main = document.getElementById('main') as HTMLElement;
const banner = document.getElementById('banner') as HTMLElement;
const who = document.querySelector('[data-testid="who"]') as HTMLElement;
const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;

/** Items per page of each list. */
export const PAGE_SIZE = 50;

let config: ConsoleConfig | undefined;
let onRoute: () => void = () => {};
let onSessionEnd: (message: string) => void = () => {};

/** Set once at start (config.json), with the router and what to do when the session ends. */
export function initShell(options: {
  readonly config: ConsoleConfig;
  readonly route: () => void;
  readonly sessionEnded: (message: string) => void;
}): void {
  config = options.config;
  onRoute = options.route;
  onSessionEnd = options.sessionEnded;
}

export function consoleConfig(): ConsoleConfig {
  if (!config) throw new Error('the console has no configuration yet');
  return config;
}

/** Draws the view the URL names (or the sign-in page when there is no session). */
export function route(): void {
  onRoute();
}

/** The header when signed out: no name, no sign-out button. */
export function signedOutChrome(): void {
  who.textContent = '';
  signOutButton.hidden = true;
}

/** The header when signed in: who, and the sign-out button. */
export function signedInChrome(name: string): void {
  who.textContent = name;
  signOutButton.hidden = false;
}

export function notify(kind: 'error' | 'info' | 'none', message = ''): void {
  banner.hidden = kind === 'none';
  banner.className = `banner ${kind}`;
  banner.textContent = message;
}

export function fail(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    forget().finally(() => onSessionEnd('Your session ended; sign in again.'));
    return;
  }
  notify('error', err instanceof Error ? err.message : String(err));
}

/** Previous and next for a list (nothing when it fits one page); each re-draws the list with `render`. */
export function pageNav(p: Pager, name: string, render: () => Promise<void>): HTMLElement | null {
  if (!p.hasPrevious && !p.hasNext) return null;
  const move = (step: () => void) => () => {
    step();
    render().catch(fail);
  };
  const previous = h(
    'button',
    { type: 'button', disabled: !p.hasPrevious, 'data-testid': `${name}-previous` },
    '← Previous',
  );
  const next = h('button', { type: 'button', disabled: !p.hasNext, 'data-testid': `${name}-next` }, 'Next →');
  previous.addEventListener(
    'click',
    move(() => p.previous()),
  );
  next.addEventListener(
    'click',
    move(() => p.next()),
  );
  return h(
    'div',
    { class: 'actions pages' },
    previous,
    h('span', { class: 'muted', 'data-testid': `${name}-page` }, `Page ${p.page}`),
    next,
  );
}
