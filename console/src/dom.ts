/**
 * The only way the console puts anything on the page: elements built with createElement, text set with
 * textContent. No innerHTML, no attribute named on*, so nothing in a policy, a finding or a comment can run; and
 * control characters in text show as escapes (lambdas/shared/text.ts).
 */

import { markDiffLines } from '../../lambdas/shared/word-diff';
import { shownText } from './shown-text';
import { absoluteTime } from './time-text';

export type Child = Node | string | number | false | null | undefined;
export type Attrs = Record<string, string | boolean | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (/^on/i.test(name)) throw new Error(`refusing to set event-handler attribute ${name}`);
    el.setAttribute(name, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

export function append(el: HTMLElement, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    // Text is shown with control characters and bidi overrides as visible escapes (lines and tabs kept: the error
    // pods see is "…\n\tstatus code: 403"): a name cannot reorder what the approver reads (U+202E) or hide in
    // terminal escapes when copied.
    el.appendChild(
      typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(shownText(String(child)))
        : child,
    );
  }
}

export function replace(el: HTMLElement, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/**
 * A unified diff, one line per block, wrapping (no horizontal scroll); in a changed line the words it removes are in
 * <del> and the words it adds in <ins> (struck through and underlined, not only coloured, and announced by the
 * stylesheet's generated text); the +/- marker of each line stays. Every line is text.
 */
export function diffBlock(diff: string, testId: string): HTMLElement {
  const lines = diff.split('\n');
  const pre = h('pre', { class: 'diff', 'data-testid': testId });
  markDiffLines(lines).forEach(({ kind, parts }, i) => {
    const line = lines[i] ?? '';
    if (kind === 'file' || kind === 'hunk' || line === '') {
      pre.appendChild(h('span', { class: kind }, line === '' ? ' ' : line));
      return;
    }
    const words = parts.map((p) => (p.changed ? changedWords(kind, p.text) : p.text));
    pre.appendChild(h('span', { class: kind }, line.charAt(0), ...words));
  });
  return pre;
}

/** Changed words: <del> or <ins>; the stylesheet names them for screen readers (generated text, not in the copy). */
function changedWords(kind: 'del' | 'add' | 'ctx', text: string): HTMLElement {
  return kind === 'del'
    ? h('del', { 'data-testid': 'word-removed' }, text)
    : h('ins', { 'data-testid': 'word-added' }, text);
}

export function json(value: unknown, testId?: string): HTMLElement {
  return h('pre', testId ? { 'data-testid': testId } : {}, JSON.stringify(value, null, 2));
}

/** An absolute time with its zone named (time-text.ts). */
export function when(iso: string | undefined): string {
  return absoluteTime(iso);
}

/** Moves focus to the view's first heading (made focusable), so keyboard and screen reader users start there. */
export function focusHeading(root: HTMLElement): void {
  const heading = root.querySelector('h1');
  if (!(heading instanceof HTMLElement)) {
    root.focus();
    return;
  }
  heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** A link to another site: a new tab, no opener, no referrer, and says it opens in a new tab. */
export function externalLink(href: string, text: string, testId?: string): HTMLElement {
  return h(
    'a',
    { href, target: '_blank', rel: 'noopener noreferrer', ...(testId ? { 'data-testid': testId } : {}) },
    text,
    h('span', { class: 'sr-only' }, ' (opens in a new tab)'),
  );
}

/**
 * A list as a table in a card: a header row naming the columns (`scope="col"`, so a screen reader announces them
 * with each cell) and one row per item. Long words in cells wrap (the `listing` class).
 */
export function listingCard(
  testId: string | undefined,
  columns: readonly string[],
  rows: readonly HTMLElement[],
): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': testId },
    h(
      'table',
      { class: 'listing' },
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows),
    ),
  );
}
