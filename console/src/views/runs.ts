/** Runs, newest first: status, trigger and mode, counts, duration, and links to the run and its execution. */
import type { RunsPage, RunView } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { h, listingCard, replace, when } from '../dom';
import { resultCount } from '../filter-form';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, main, PAGE_SIZE, pageNav } from '../shell';

const pages = pager();

export async function renderRuns(): Promise<void> {
  const { runs, cursor } = await call<RunsPage>(config(), 'GET', `/api/runs${pageQuery(pages, PAGE_SIZE)}`);
  pages.shown(cursor);
  replace(
    main,
    h('h1', {}, 'Runs'),
    resultCount(runs.length, 'runs', pages.page, cursor !== undefined),
    runs.length === 0
      ? h('p', { class: 'muted empty', 'data-testid': 'no-runs' }, 'No run yet: the first sweep lists itself here.')
      : listingCard('runs-view', ['Run', 'Status', 'Findings', 'Plans', 'Accounts', 'Duration'], runs.map(runRow)),
    pageNav(pages, 'runs', renderRuns),
  );
}

/** "1h 2m 3s". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const parts = [
    [Math.floor(seconds / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === 2).map(([n, unit]) => `${n}${unit}`);
  return shown.join(' ');
}

/** Findings by severity, most severe first, the zeros left out. */
export function severityCounts(counts: RunView['counts']): string {
  const by = counts?.bySeverity ?? {};
  const parts = ['critical', 'high', 'medium', 'low', 'info']
    .filter((s) => (by[s] ?? 0) > 0)
    .map((s) => `${by[s]} ${s}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Plans proposed, started and propose-only. */
export function planCounts(counts: RunView['counts']): string {
  if (!counts) return '';
  return `${counts.plans ?? 0} proposed, ${counts.started ?? 0} started, ${counts.proposeOnly ?? 0} propose-only`;
}

/** Accounts analyzed completely, partially, unreachable (and failed). */
export function accountCounts(counts: RunView['counts']): string {
  if (!counts) return '';
  const partial = counts.partial?.length ?? 0;
  const unreachable = counts.unreachable?.length ?? 0;
  const failed = counts.failed?.length ?? 0;
  const complete = Math.max(0, (counts.analyzed ?? 0) - partial - unreachable);
  return `${complete} complete, ${partial} partial, ${unreachable} unreachable${failed ? `, ${failed} failed` : ''}`;
}

function runRow(v: RunView): HTMLElement {
  const r = v.run;
  return h(
    'tr',
    { 'data-testid': 'run-row', 'data-run': r.runId },
    h(
      'td',
      { class: 'wrap' },
      h('a', { href: `#/runs/${seg(r.runId)}`, 'data-testid': 'run-link' }, r.runId),
      h('div', { class: 'muted' }, `${when(r.startedAt)} · ${r.mode}, ${r.trigger}${r.dryRun ? ', dry run' : ''}`),
      v.executionUrl
        ? h('a', { href: v.executionUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Step Functions execution')
        : null,
    ),
    h('td', {}, r.status),
    h('td', {}, v.counts ? `${v.counts.findings ?? 0}: ${severityCounts(v.counts)}` : ''),
    h('td', {}, planCounts(v.counts)),
    h('td', {}, accountCounts(v.counts)),
    h(
      'td',
      {},
      v.durationSeconds !== undefined ? duration(v.durationSeconds) : r.status === 'running' ? 'running' : '',
    ),
  );
}
