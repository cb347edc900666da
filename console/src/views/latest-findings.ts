/**
 * Findings: every account's latest findings, AWS side and Kubernetes side, most severe first, filtered by severity,
 * rule, account, cluster, namespace and text (the filters live in the URL fragment), a page at a time. Suppressed
 * findings are hidden unless asked for, and marked. Each finding links to its open plan.
 */
import type { FindingsPage, FindingView } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { h, listingCard, replace, when } from '../dom';
import { filterForm, resultCount, samePagesFor } from '../filter-form';
import { apiFilters, fragmentParams } from '../fragment-query';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, main, PAGE_SIZE, pageNav } from '../shell';

const FILTERS = ['severity', 'rule', 'account', 'cluster', 'namespace', 'q', 'suppressed'] as const;
const pages = pager();
const last: { key?: string } = {};

const SEVERITY_CHOICES = [
  ['', 'Any'],
  ['critical', 'Critical'],
  ['high', 'High and above'],
  ['medium', 'Medium and above'],
  ['low', 'Low and above'],
  ['info', 'All (info and above)'],
] as const;
const SUPPRESSED_CHOICES = [
  ['', 'Hidden'],
  ['show', 'Shown, marked'],
  ['only', 'Only suppressed'],
] as const;

export async function renderFindings(): Promise<void> {
  const params = fragmentParams(location.hash);
  const filters = apiFilters(params, FILTERS);
  samePagesFor(filters, last, () => pages.reset());
  const { findings, cursor } = await call<FindingsPage>(
    config(),
    'GET',
    `/api/findings${pageQuery(pages, PAGE_SIZE)}${filters}`,
  );
  pages.shown(cursor);
  replace(
    main,
    h('h1', {}, 'Findings'),
    h(
      'p',
      { class: 'muted' },
      'Each account’s findings from the latest run that analyzed it, most severe first: IAM and OIDC on the AWS side, service accounts and pods on the Kubernetes side.',
    ),
    filterForm(
      'findings',
      [
        { name: 'severity', label: 'Severity', choices: SEVERITY_CHOICES },
        { name: 'rule', label: 'Rule', placeholder: 'IRSA-015', maxLength: 12 },
        { name: 'account', label: 'Account', placeholder: '12 digits', maxLength: 12 },
        { name: 'cluster', label: 'Cluster', maxLength: 100 },
        { name: 'namespace', label: 'Namespace', maxLength: 63 },
        { name: 'q', label: 'Search title, resource, message', maxLength: 200 },
        { name: 'suppressed', label: 'Suppressed', choices: SUPPRESSED_CHOICES },
      ],
      params,
    ),
    resultCount(findings.length, 'findings', pages.page, cursor !== undefined),
    findings.length === 0
      ? h(
          'p',
          { class: 'muted empty', 'data-testid': 'no-findings' },
          filters ? 'No finding matches these filters.' : 'No open finding: every account’s latest run found none.',
        )
      : listingCard('findings-view', ['Severity', 'Finding', 'Account', 'Where', 'Plan'], findings.map(findingRow)),
    pageNav(pages, 'findings', renderFindings),
  );
}

function findingRow(v: FindingView): HTMLElement {
  const f = v.finding;
  const object = f.kubernetesObject;
  return h(
    'tr',
    { 'data-testid': 'finding-row', 'data-finding': f.id },
    h('td', {}, h('span', { class: `sev sev-${f.severity}` }, f.severity)),
    h(
      'td',
      { class: 'wrap' },
      h('strong', {}, f.title),
      ' ',
      h('span', { class: 'muted' }, f.ruleId),
      h('div', { class: 'muted' }, f.message),
      h('div', { class: 'mono wrap' }, f.resourceArn),
      f.suppressed
        ? h(
            'div',
            { class: 'suppressed', 'data-testid': 'suppressed' },
            `Suppressed (${f.suppressed.reason}) until ${when(f.suppressed.until)}`,
          )
        : null,
    ),
    h('td', {}, v.accountName ? h('div', {}, v.accountName) : null, h('div', { class: 'mono' }, f.accountId)),
    h(
      'td',
      { class: 'wrap' },
      f.cluster
        ? h('div', {}, `Cluster ${f.cluster}${f.region ? ` (${f.region})` : ''}`)
        : h('div', {}, 'Account-wide'),
      object
        ? h('div', { class: 'muted' }, `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`)
        : null,
    ),
    h(
      'td',
      {},
      v.plan
        ? h(
            'a',
            { href: `#/plans/${seg(v.plan.runId)}/${seg(v.plan.planId)}`, 'data-testid': 'finding-plan' },
            `Plan (${v.plan.status})`,
          )
        : h('span', { class: 'muted' }, 'No open plan'),
    ),
  );
}
