/** One run: what it was, its counts and execution, and its accounts' summaries a page at a time. */

import type { RunDetail, RunPlansPage, RunPlanView } from '../../../lambdas/api/views';
import type { AccountRunSummary } from '../../../lambdas/ports/state-store';
import { call, seg } from '../api';
import { h, listingCard, replace, when } from '../dom';
import { resultCount } from '../filter-form';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, main, PAGE_SIZE, pageNav } from '../shell';
import { accountCounts, duration, planCounts, severityCounts } from './runs';

const pages = pager();
const planPages = pager();
let shownRun: string | undefined;

export async function renderRun(runId: string): Promise<void> {
  if (shownRun !== runId) {
    pages.reset();
    planPages.reset();
  }
  shownRun = runId;
  const [detail, runPlans] = await Promise.all([
    call<RunDetail>(config(), 'GET', `/api/runs/${seg(runId)}${pageQuery(pages, PAGE_SIZE)}`),
    call<RunPlansPage>(config(), 'GET', `/api/runs/${seg(runId)}/plans${pageQuery(planPages, PAGE_SIZE)}`),
  ]);
  pages.shown(detail.cursor);
  planPages.shown(runPlans.cursor);
  const r = detail.run;
  const fact = (term: string, value: string | Node | null) => [
    h('dt', {}, term),
    h('dd', { class: 'wrap' }, value ?? ''),
  ];
  replace(
    main,
    h('p', {}, h('a', { href: '#/runs' }, '← Runs')),
    h('h1', { class: 'wrap' }, `Run ${r.runId}`),
    h(
      'section',
      { class: 'card', 'data-testid': 'run-view' },
      h(
        'dl',
        { class: 'facts' },
        ...fact('Status', r.status),
        ...fact('Started', when(r.startedAt)),
        ...fact('Duration', detail.durationSeconds !== undefined ? duration(detail.durationSeconds) : 'still running'),
        ...fact('Mode and trigger', `${r.mode}, ${r.trigger}${r.dryRun ? ' (dry run)' : ''}`),
        ...(r.cluster
          ? fact('Cluster', `${r.cluster.name} (${r.cluster.region}, account ${r.cluster.accountId})`)
          : []),
        ...fact('Regions', r.regions.join(', ')),
        ...(detail.counts
          ? [
              ...fact('Findings', `${detail.counts.findings ?? 0}: ${severityCounts(detail.counts)}`),
              ...fact('Plans', planCounts(detail.counts)),
              ...fact('Accounts', accountCounts(detail.counts)),
            ]
          : []),
        ...fact(
          'Execution',
          detail.executionUrl
            ? h('a', { href: detail.executionUrl, target: '_blank', rel: 'noopener noreferrer' }, r.executionId)
            : r.executionId,
        ),
      ),
    ),
    h(
      'p',
      { class: 'actions' },
      h('a', { href: '#/plans' }, 'Plans waiting for approval'),
      ' · ',
      h('a', { href: '#/proposals' }, 'Propose-only plans'),
      ' · ',
      h('a', { href: '#/findings' }, 'Latest findings'),
    ),
    h('h2', {}, 'Accounts'),
    resultCount(detail.accounts.length, 'accounts', pages.page, detail.cursor !== undefined),
    detail.accounts.length === 0
      ? h(
          'p',
          { class: 'muted empty', 'data-testid': 'no-accounts' },
          'No account summary recorded for this run (yet).',
        )
      : listingCard(
          undefined,
          ['Account', 'Read', 'Findings', 'New / resolved', 'Plans', 'Links'],
          detail.accounts.map(accountRow),
        ),
    pageNav(pages, 'accounts', () => renderRun(runId)),
    h('h2', {}, 'Plans'),
    resultCount(runPlans.plans.length, 'plans', planPages.page, runPlans.cursor !== undefined),
    runPlans.plans.length === 0
      ? h('p', { class: 'muted empty', 'data-testid': 'no-run-plans' }, 'This run proposed no plan.')
      : listingCard(undefined, ['Plan', 'Account', 'Resource', 'Status'], runPlans.plans.map(planRow)),
    pageNav(planPages, 'run-plans', () => renderRun(runId)),
  );
}

function planRow(p: RunPlanView): HTMLElement {
  return h(
    'tr',
    { 'data-testid': 'run-plan-row', 'data-plan': p.planId },
    h(
      'td',
      { class: 'wrap' },
      h('a', { href: `#/plans/${seg(p.runId)}/${seg(p.planId)}` }, p.action),
      h('div', { class: 'muted' }, `${p.ruleIds.join(', ')} · risk ${p.risk}${p.applicable ? '' : ' · propose-only'}`),
    ),
    h('td', {}, h('div', { class: 'mono' }, p.accountId), p.cluster ? h('div', {}, `cluster ${p.cluster}`) : null),
    h('td', { class: 'mono wrap' }, p.resourceArn),
    h('td', { class: 'wrap' }, p.status, p.detail ? h('div', { class: 'muted' }, p.detail) : null),
  );
}

function accountRow(s: AccountRunSummary): HTMLElement {
  return h(
    'tr',
    { 'data-testid': 'account-row', 'data-account': s.accountId },
    h('td', {}, s.name ? h('div', {}, s.name) : null, h('div', { class: 'mono' }, s.accountId)),
    h('td', {}, s.collection),
    h(
      'td',
      {},
      `${s.findings}: ${severityCounts({ bySeverity: s.bySeverity })}${s.suppressed ? ` (${s.suppressed} suppressed)` : ''}`,
    ),
    h('td', {}, `${s.newFindings} / ${s.resolvedFindings}`),
    h('td', {}, `${s.plans} proposed, ${s.started} started, ${s.proposeOnly} propose-only`),
    h(
      'td',
      {},
      h('a', { href: `#/findings?account=${seg(s.accountId)}` }, 'Latest findings'),
      ' · ',
      h('a', { href: `#/proposals?account=${seg(s.accountId)}` }, 'Propose-only plans'),
    ),
  );
}
