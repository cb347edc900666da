/** The pending plans: grouped by account and cluster, selectable, decided one by one or as a selection. */
import type { PendingGroup, PlanSummary } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { h, replace, when } from '../dom';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, fail, main, notify, PAGE_SIZE, pageNav } from '../shell';

const pages = { plans: pager() };

export async function renderPending(): Promise<void> {
  const { groups, cursor } = await call<{ groups: PendingGroup[]; cursor?: string }>(
    config(),
    'GET',
    `/api/plans${pageQuery(pages.plans, PAGE_SIZE)}`,
  );
  pages.plans.shown(cursor);
  const selected = new Map<string, PlanSummary>();
  const comment = h('textarea', {
    placeholder: 'Comment (recorded in the audit log)',
    'data-testid': 'selection-comment',
  }) as HTMLTextAreaElement;
  const count = h('span', { class: 'muted', 'data-testid': 'selection-count' }, '0 selected');
  const approveAll = h(
    'button',
    { type: 'button', class: 'primary', disabled: true, 'data-testid': 'approve-selected' },
    'Approve selected',
  ) as HTMLButtonElement;
  const rejectAll = h(
    'button',
    { type: 'button', class: 'danger', disabled: true, 'data-testid': 'reject-selected' },
    'Reject selected',
  ) as HTMLButtonElement;
  const refresh = () => {
    count.textContent = `${selected.size} selected`;
    approveAll.disabled = rejectAll.disabled = selected.size === 0;
  };
  approveAll.addEventListener('click', () => void decideSelection(selected, 'approve', comment).catch(fail));
  rejectAll.addEventListener('click', () => void decideSelection(selected, 'reject', comment).catch(fail));

  const cards = groups.map((g) => pendingGroupCard(g, selected, refresh));
  replace(
    main,
    h('h1', {}, 'Plans waiting for approval'),
    groups.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-plans' }, 'Nothing is waiting for approval.')
      : null,
    ...cards,
    pageNav(pages.plans, 'plans', renderPending),
    groups.length > 0
      ? h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Decide the selection'),
          comment,
          h('div', { class: 'actions' }, approveAll, rejectAll, count),
        )
      : null,
  );
}

/** Decides each selected plan in turn (a failure does not stop the others), shows the list again and says how it went. */
async function decideSelection(
  selected: ReadonlyMap<string, PlanSummary>,
  decision: 'approve' | 'reject',
  comment: HTMLTextAreaElement,
): Promise<void> {
  const done: string[] = [];
  const failed: string[] = [];
  for (const p of selected.values()) {
    try {
      await call(config(), 'POST', `/api/plans/${seg(p.runId)}/${seg(p.planId)}/${decision}`, {
        contentHash: p.contentHash,
        ...(comment.value.trim() ? { comment: comment.value } : {}),
      });
      done.push(p.planId);
    } catch (err) {
      failed.push(`${p.planId}: ${(err as Error).message}`);
    }
  }
  await renderPending();
  notify(
    failed.length ? 'error' : 'info',
    `${decision === 'approve' ? 'Approved' : 'Rejected'} ${done.length} plan(s).${failed.length ? ` Not decided: ${failed.join('; ')}` : ''}`,
  );
}

/** One account and cluster's pending plans: a table with a selection box per plan. */
function pendingGroupCard(g: PendingGroup, selected: Map<string, PlanSummary>, refresh: () => void): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'plan-group' },
    h('h2', {}, `Account ${g.accountId} · ${g.cluster}`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, ''),
          h('th', {}, 'Finding'),
          h('th', {}, 'Change'),
          h('th', {}, 'Risk'),
          h('th', {}, 'Expires'),
        ),
      ),
      h('tbody', {}, ...g.plans.map((p) => pendingRow(p, selected, refresh))),
    ),
  );
}

function pendingRow(p: PlanSummary, selected: Map<string, PlanSummary>, refresh: () => void): HTMLElement {
  const box = h('input', {
    type: 'checkbox',
    'aria-label': `select plan ${p.planId}`,
    'data-testid': `select-${p.planId}`,
  }) as HTMLInputElement;
  box.addEventListener('change', () => {
    if (box.checked) selected.set(p.planId, p);
    else selected.delete(p.planId);
    refresh();
  });
  return h(
    'tr',
    { 'data-testid': `plan-row-${p.planId}` },
    h('td', {}, box),
    h(
      'td',
      {},
      h('a', { href: `#/plans/${seg(p.runId)}/${seg(p.planId)}`, 'data-testid': `open-${p.planId}` }, p.title),
      h('div', { class: 'muted' }, p.ruleIds.join(', ')),
    ),
    h('td', {}, h('code', {}, p.action), h('div', { class: 'muted mono' }, p.resourceArn)),
    h('td', {}, h('span', { class: `pill ${p.risk}` }, p.risk)),
    h('td', { class: 'muted' }, when(p.expiresAt)),
  );
}

// ---- one plan -------------------------------------------------------------------------------------------------
