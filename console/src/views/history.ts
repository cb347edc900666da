/** The history of applied changes, newest first, with rollback. */
import type { ChangeView, RollbackStatusView } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { h, json, replace, when } from '../dom';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, fail, main, notify, PAGE_SIZE, pageNav } from '../shell';

const pages = { history: pager() };

export async function renderHistory(): Promise<void> {
  const { changes, cursor } = await call<{ changes: ChangeView[]; cursor?: string }>(
    config(),
    'GET',
    `/api/changes${pageQuery(pages.history, PAGE_SIZE)}`,
  );
  pages.history.shown(cursor);
  const rows = changes.map(changeRow);
  replace(
    main,
    h('h1', {}, 'Applied changes'),
    pageNav(pages.history, 'history', renderHistory),
    changes.length === 0
      ? h('p', { class: 'muted' }, 'No change has been applied yet.')
      : h(
          'section',
          { class: 'card', 'data-testid': 'history-view' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'When'),
                h('th', {}, 'Change'),
                h('th', {}, 'Approved by'),
                h('th', {}, 'Status'),
                h('th', {}, ''),
              ),
            ),
            h('tbody', {}, ...rows),
          ),
        ),
  );
}

/** One applied change: when, what it replaced and wrote, who approved it, its status, and a rollback control. */
function changeRow({ change: c, rolledBackBy: r, rollbackRequest: q }: ChangeView): HTMLElement {
  const inProgress = !r && q && (q.status === 'pending' || q.status === 'running');
  const comment = h('input', {
    type: 'text',
    placeholder: 'why',
    'data-testid': `rollback-comment-${c.changeId}`,
  }) as HTMLInputElement;
  const button = h('button', { type: 'button', class: 'danger', 'data-testid': `rollback-${c.changeId}` }, 'Roll back');
  button.addEventListener('click', () => {
    if (!window.confirm(`Restore the document change ${c.changeId} replaced on ${c.resourceArn}?`)) return;
    button.setAttribute('disabled', 'true');
    requestRollback(c.changeId, comment.value).catch(fail);
  });
  return h(
    'tr',
    { 'data-testid': `change-${c.changeId}` },
    h('td', { class: 'muted' }, when(c.appliedAt)),
    h(
      'td',
      {},
      h('code', {}, c.action),
      h('div', { class: 'mono muted' }, c.resourceArn),
      h('details', {}, h('summary', {}, 'Replaced document'), json(c.replaced)),
      h('details', {}, h('summary', {}, 'Written document'), json(c.wrote)),
    ),
    h('td', {}, c.approvedBy, c.comment ? h('div', { class: 'muted' }, c.comment) : null),
    h(
      'td',
      { 'data-testid': `change-status-${c.changeId}` },
      r
        ? `rolled back by ${r.approvedBy} at ${when(r.appliedAt)}${r.comment ? `: ${r.comment}` : ''}`
        : inProgress
          ? `rollback ${q.status} (asked by ${q.requestedBy})`
          : `in place${q?.error ? ` (last rollback ${q.status}: ${q.error.message})` : ''}`,
    ),
    h('td', {}, r || inProgress ? null : h('div', {}, comment, ' ', button)),
  );
}

/**
 * Asks for a rollback. The API records the request; the rollback step performs it. Follow it until it is done,
 * refused or failed, then show the history again and say how it ended.
 */
async function requestRollback(changeId: string, commentText: string): Promise<void> {
  const path = `/api/changes/${seg(changeId)}/rollback`;
  let view = await call<RollbackStatusView>(config(), 'POST', path, commentText.trim() ? { comment: commentText } : {});
  notify('info', `Rollback of ${changeId} requested: in progress…`);
  for (let i = 0; i < 240 && view.request && ['pending', 'running'].includes(view.request.status); i++) {
    await new Promise((r) => setTimeout(r, 500));
    view = await call<RollbackStatusView>(config(), 'GET', path);
  }
  await renderHistory();
  const status = view.request?.status;
  if (status === 'done') notify('info', `Rolled back ${changeId}: the replaced document is restored.`);
  else if (status === 'refused' || status === 'failed')
    notify('error', `Rollback of ${changeId} ${status}: ${view.request?.error?.message ?? ''}`);
  else notify('info', `Rollback of ${changeId} is still in progress; this page shows when it is done.`);
}

// ---- the mutelist ---------------------------------------------------------------------------------------------
