/**
 * The console's views, declared once: the URL fragment each answers (#/<path>/<params…>) and how it draws. The
 * router (main.ts) matches the first segment; a view with `params` needs that many more segments. The header's
 * navigation links are in index.html. To add a view: write console/src/views/<name>.ts exporting its render
 * function, declare it here, and link it from index.html.
 */
import { renderHistory } from './views/history';
import { renderFindings } from './views/latest-findings';
import { renderMuted } from './views/muted';
import { renderPending } from './views/pending';
import { renderPlan } from './views/plan';
import { renderProposals } from './views/proposals';
import { renderRun } from './views/run';
import { renderRuns } from './views/runs';

export interface ViewRoute {
  /** The first segment of the fragment. */
  readonly path: string;
  /** How many segments after the path the view takes (its parameters, URL-decoded). */
  readonly params: number;
  readonly render: (...params: string[]) => Promise<void>;
}

/** Matched in order; the first whose path and parameter count fit wins. */
export const VIEW_ROUTES: readonly ViewRoute[] = [
  { path: 'plans', params: 2, render: (runId = '', planId = '') => renderPlan(runId, planId) },
  { path: 'plans', params: 0, render: () => renderPending() },
  { path: 'history', params: 0, render: () => renderHistory() },
  { path: 'muted', params: 0, render: () => renderMuted() },
  { path: 'findings', params: 0, render: () => renderFindings() },
  { path: 'runs', params: 1, render: (runId = '') => renderRun(runId) },
  { path: 'runs', params: 0, render: () => renderRuns() },
  { path: 'proposals', params: 0, render: () => renderProposals() },
];

/** The view a fragment names: the pending plans when it names none. */
export function viewFor(hash: string): { readonly route: ViewRoute; readonly params: string[] } {
  const parts = (hash.replace(/^#\/?/, '').split('?')[0] ?? '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const [path, ...params] = parts;
  const found = VIEW_ROUTES.find((r) => r.path === path && r.params === params.length);
  return found ? { route: found, params } : { route: VIEW_ROUTES[1] as ViewRoute, params: [] };
}
