/**
 * Propose-only plans: changes the workflow does not make itself (a role owned by eksctl, Terraform or
 * CloudFormation, a change on the cluster side), newest first, with their guidance as text to copy; filtered by
 * account and rule (in the URL fragment), a page at a time.
 */
import type { ProposalsPage, ProposalView } from '../../../lambdas/api/views';
import { call } from '../api';
import { diffBlock, h, replace, when } from '../dom';
import { filterForm, resultCount, samePagesFor } from '../filter-form';
import { apiFilters, fragmentParams } from '../fragment-query';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, main, notify, PAGE_SIZE, pageNav } from '../shell';

const FILTERS = ['account', 'rule'] as const;
const pages = pager();
const last: { key?: string } = {};

export async function renderProposals(): Promise<void> {
  const params = fragmentParams(location.hash);
  const filters = apiFilters(params, FILTERS);
  samePagesFor(filters, last, () => pages.reset());
  const { proposals, cursor } = await call<ProposalsPage>(
    config(),
    'GET',
    `/api/proposals${pageQuery(pages, PAGE_SIZE)}${filters}`,
  );
  pages.shown(cursor);
  replace(
    main,
    h('h1', {}, 'Propose-only plans'),
    h(
      'p',
      { class: 'muted' },
      'Changes a person makes: in the tool that owns the role (eksctl, Terraform, CloudFormation), or on the cluster. Copy the guidance into a ticket or a pull request.',
    ),
    filterForm(
      'proposals',
      [
        { name: 'account', label: 'Account', placeholder: '12 digits', maxLength: 12 },
        { name: 'rule', label: 'Rule', placeholder: 'IRSA-015', maxLength: 12 },
      ],
      params,
    ),
    resultCount(proposals.length, 'propose-only plans', pages.page, cursor !== undefined),
    proposals.length === 0
      ? h(
          'p',
          { class: 'muted empty', 'data-testid': 'no-proposals' },
          filters
            ? 'No propose-only plan matches these filters.'
            : 'No propose-only plan: every fix can be applied here.',
        )
      : h('div', { 'data-testid': 'proposals-view' }, ...proposals.map(proposalCard)),
    pageNav(pages, 'proposals', renderProposals),
  );
}

function proposalCard(p: ProposalView): HTMLElement {
  const guidanceId = `guidance-${p.planId}`;
  const guidance = h('pre', { class: 'guidance', id: guidanceId, 'data-testid': 'guidance' }, p.guidance);
  const copy = h(
    'button',
    { type: 'button', class: 'plain', 'aria-describedby': guidanceId, 'data-testid': 'copy-guidance' },
    'Copy guidance',
  );
  copy.addEventListener('click', () => {
    navigator.clipboard
      .writeText(p.guidance)
      .then(() => notify('info', 'Guidance copied.'))
      .catch(() => notify('error', 'The browser did not allow copying: select the text and copy it.'));
  });
  return h(
    'section',
    { class: 'card', 'data-testid': 'proposal', 'data-plan': p.planId },
    h('h2', { class: 'wrap' }, `${p.action}: ${p.rationale || p.resourceArn}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Account'),
      h('dd', {}, p.accountName ? `${p.accountName} (${p.accountId})` : p.accountId),
      h('dt', {}, 'Resource'),
      h('dd', { class: 'mono wrap' }, p.resourceArn),
      p.cluster ? h('dt', {}, 'Cluster') : null,
      p.cluster ? h('dd', {}, `${p.cluster}${p.region ? ` (${p.region})` : ''}`) : null,
      h('dt', {}, 'Rules'),
      h('dd', {}, p.ruleIds.join(', ')),
      h('dt', {}, 'Why a person'),
      h('dd', { class: 'wrap' }, p.reason),
      p.owner ? h('dt', {}, 'Owned by') : null,
      p.owner ? h('dd', { class: 'wrap' }, `${p.owner.tool}${p.owner.stack ? ` (stack ${p.owner.stack})` : ''}`) : null,
      p.owner ? h('dt', {}, 'How to change it') : null,
      p.owner ? h('dd', { class: 'wrap', 'data-testid': 'how-to-change' }, p.owner.howToChange) : null,
      h('dt', {}, 'Recorded'),
      h('dd', {}, `${when(p.recordedAt)}, run ${p.runId}`),
    ),
    h('h3', {}, 'Guidance'),
    guidance,
    h('div', { class: 'actions' }, copy),
    p.diff ? h('h3', {}, 'Change') : null,
    p.diff ? diffBlock(p.diff, 'proposal-diff') : null,
  );
}
