/**
 * The history, newest first: each applied change with the document it replaced and the one it wrote as a word diff,
 * its verify result (its plan's status), its plan linked; rollback through a preview (a dialog showing the
 * rollback's diff and the findings it reopens), confirmed explicitly. Below, the rejections still remembered and the
 * approval requests that timed out.
 */
import type { ChangeView, PlanDetail, RollbackStatusView } from '../../../lambdas/api/views';
import type { RejectionRecord, TimeoutRecord } from '../../../lambdas/ports/state-store';
import { documentDiff } from '../../../lambdas/shared/word-diff';
import { ApiError, call, seg } from '../api';
import { diffBlock, h, replace, when } from '../dom';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, fail, main, notify, PAGE_SIZE, pageNav } from '../shell';

const pages = { history: pager(), rejections: pager(), timeouts: pager() };

/** What a plan's status says of its change after the write. */
const VERIFY_WORDS: Readonly<Record<string, string>> = {
  verified: 'verified: the workload can assume the role as intended',
  'verify-failed': 'verify failed: the change was written but the check after it did not pass',
  unverified: 'unverified: written, not checked (no cluster access to check from)',
  'rolled-back': 'rolled back',
  applied: 'applied, verify pending',
  'already-applied': 'already in place when applied',
};

export async function renderHistory(): Promise<void> {
  const [{ changes, cursor }, rejected, timedOut] = await Promise.all([
    call<{ changes: ChangeView[]; cursor?: string }>(
      config(),
      'GET',
      `/api/changes${pageQuery(pages.history, PAGE_SIZE)}`,
    ),
    call<{ rejections: RejectionRecord[]; cursor?: string }>(
      config(),
      'GET',
      `/api/rejections${pageQuery(pages.rejections, PAGE_SIZE)}`,
    ),
    call<{ timeouts: TimeoutRecord[]; cursor?: string }>(
      config(),
      'GET',
      `/api/timeouts${pageQuery(pages.timeouts, PAGE_SIZE)}`,
    ),
  ]);
  pages.history.shown(cursor);
  pages.rejections.shown(rejected.cursor);
  pages.timeouts.shown(timedOut.cursor);
  replace(
    main,
    h('h1', {}, 'History'),
    h('h2', {}, 'Applied changes'),
    pageNav(pages.history, 'history', renderHistory),
    changes.length === 0
      ? h('p', { class: 'muted' }, 'No change has been applied yet.')
      : h('div', { 'data-testid': 'history-view' }, ...changes.map(changeCard)),
    rejectionsCard(rejected.rejections),
    pageNav(pages.rejections, 'history-rejections', renderHistory),
    timeoutsCard(timedOut.timeouts),
    pageNav(pages.timeouts, 'history-timeouts', renderHistory),
  );
}

function verifyText(status: string | undefined): string {
  if (!status) return 'unknown (the plan has aged out)';
  return VERIFY_WORDS[status] ?? status;
}

/** One applied change: what it replaced and wrote (a diff), who approved it, its verify result, and rollback. */
function changeCard(view: ChangeView): HTMLElement {
  const { change: c, rolledBackBy: r, rollbackRequest: q } = view;
  const inProgress = !r && q && (q.status === 'pending' || q.status === 'running');
  const diff = documentDiff(c.replaced, c.wrote, 'replaced', 'written');
  const button = h(
    'button',
    { type: 'button', class: 'danger', 'data-testid': `rollback-${c.changeId}` },
    'Roll back…',
  ) as HTMLButtonElement;
  button.addEventListener('click', () => void rollbackPreview(view, button).catch(fail));
  return h(
    'article',
    { class: 'card', 'data-testid': `change-${c.changeId}`, 'aria-labelledby': `change-title-${c.changeId}` },
    h(
      'h3',
      { id: `change-title-${c.changeId}` },
      h('code', {}, c.action),
      ' on ',
      h('span', { class: 'mono wrap' }, c.resourceArn),
    ),
    h(
      'p',
      { class: 'muted' },
      `Applied ${when(c.appliedAt)} · approved by ${c.approvedBy}${c.comment ? ` ("${c.comment}")` : ''} · `,
      h(
        'a',
        { href: `#/plans/${seg(c.runId)}/${seg(c.planId)}`, 'data-testid': `change-plan-${c.changeId}` },
        `plan ${c.planId}`,
      ),
      ' · ',
      h('a', { href: `#/runs/${seg(c.runId)}`, 'data-testid': `change-run-${c.changeId}` }, `run ${c.runId}`),
      ` · change ${c.changeId}`,
    ),
    h(
      'p',
      { 'data-testid': `change-verify-${c.changeId}` },
      h('strong', {}, 'Verify result: '),
      h('span', { class: `pill ${view.planStatus ?? ''}` }, view.planStatus ?? 'unknown'),
      ` ${verifyText(view.planStatus)}`,
    ),
    diff
      ? diffBlock(diff, `change-diff-${c.changeId}`)
      : h('p', { class: 'muted' }, 'The change wrote what was there.'),
    h('p', { 'data-testid': `change-status-${c.changeId}` }, rollbackState(view)),
    r || inProgress ? null : h('div', { class: 'actions' }, button),
  );
}

/** Whether the change is in place, being rolled back, or rolled back (by whom). */
function rollbackState({ rolledBackBy: r, rollbackRequest: q }: ChangeView): string {
  if (r) return `Rolled back by ${r.approvedBy} at ${when(r.appliedAt)}${r.comment ? `: ${r.comment}` : ''}`;
  if (q && (q.status === 'pending' || q.status === 'running'))
    return `Rollback ${q.status} (asked by ${q.requestedBy})`;
  return `In place${q?.error ? ` (last rollback ${q.status}: ${q.error.message})` : ''}`;
}

/**
 * The rollback preview: a modal dialog with the rollback's diff (what it writes back), the findings of the change's
 * plan it reopens, a comment, and an explicit confirmation. Nothing is asked of the API before "Roll back" in it.
 */
async function rollbackPreview(view: ChangeView, opener: HTMLButtonElement): Promise<void> {
  const c = view.change;
  const findings = await planFindings(c.runId, c.planId);
  const diff = documentDiff(c.wrote, c.replaced, 'now (written by the change)', 'after the rollback');
  const comment = h('textarea', {
    id: 'rollback-comment',
    placeholder: 'Why (recorded in the audit log)',
    'data-testid': 'rollback-comment',
  }) as HTMLTextAreaElement;
  const confirm = h('button', { type: 'button', class: 'danger', 'data-testid': 'rollback-confirm' }, 'Roll back');
  const cancel = h('button', { type: 'button', 'data-testid': 'rollback-cancel' }, 'Cancel');
  const dialog = h(
    'dialog',
    { class: 'preview', 'data-testid': 'rollback-preview', 'aria-labelledby': 'rollback-title' },
    h('h2', { id: 'rollback-title' }, `Roll back change ${c.changeId}?`),
    h('p', {}, `This restores the document the change replaced on ${c.resourceArn}:`),
    diff ? diffBlock(diff, 'rollback-diff') : h('p', { class: 'muted' }, 'The documents are the same.'),
    h('h3', {}, 'Findings this reopens'),
    findings === undefined
      ? h('p', { class: 'muted', 'data-testid': 'rollback-findings' }, 'Unknown: the plan has aged out.')
      : h(
          'ul',
          { 'data-testid': 'rollback-findings' },
          ...findings.map((f) =>
            h('li', {}, h('span', { class: `pill ${f.severity}` }, f.severity), ` ${f.ruleId}: ${f.title}`),
          ),
        ),
    h('p', {}, 'The fault these findings describe comes back: the next run finds it again.'),
    h('label', { for: 'rollback-comment' }, 'Comment'),
    comment,
    h('div', { class: 'actions' }, confirm, cancel),
  ) as HTMLDialogElement;
  document.body.appendChild(dialog);
  const close = () => {
    dialog.close();
    dialog.remove();
    opener.focus();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', () => {
    dialog.remove();
    opener.focus();
  });
  confirm.addEventListener('click', () => {
    const text = comment.value;
    dialog.close();
    dialog.remove();
    opener.setAttribute('disabled', 'true');
    requestRollback(c.changeId, text).catch(fail);
  });
  dialog.showModal();
  comment.focus();
}

/** The findings of a change's plan (the plan's detail), or undefined when the plan has aged out. */
async function planFindings(runId: string, planId: string): Promise<PlanDetail['findings'] | undefined> {
  try {
    return (await call<PlanDetail>(config(), 'GET', `/api/plans/${seg(runId)}/${seg(planId)}`)).findings;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
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

/** Plans people rejected (still remembered: not proposed again until then, unless their content changes). */
function rejectionsCard(rejections: readonly RejectionRecord[]): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'history-rejections', 'aria-labelledby': 'rejections-title' },
    h('h2', { id: 'rejections-title' }, 'Rejections'),
    rejections.length === 0
      ? h('p', { class: 'muted' }, 'No rejection is remembered.')
      : h(
          'ul',
          {},
          ...rejections.map((r) =>
            h(
              'li',
              { 'data-testid': `history-rejection-${r.planId}` },
              h('code', {}, r.action),
              ' on ',
              h('span', { class: 'mono wrap' }, r.resourceArn),
              ` rejected by ${r.rejectedBy} at ${when(r.rejectedAt)}${r.comment ? `: "${r.comment}"` : ''} · `,
              h('a', { href: `#/plans/${seg(r.runId)}/${seg(r.planId)}` }, `plan ${r.planId}`),
            ),
          ),
        ),
  );
}

/** Approval requests nobody decided before they expired: nothing was written. */
function timeoutsCard(timeouts: readonly TimeoutRecord[]): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'history-timeouts', 'aria-labelledby': 'timeouts-title' },
    h('h2', { id: 'timeouts-title' }, 'Timed out'),
    timeouts.length === 0
      ? h('p', { class: 'muted' }, 'No approval request has timed out.')
      : h(
          'ul',
          {},
          ...timeouts.map((t) =>
            h(
              'li',
              { 'data-testid': `history-timeout-${t.planId}` },
              h('code', {}, t.action),
              ' on ',
              h('span', { class: 'mono wrap' }, t.resourceArn),
              ` not decided before ${when(t.timedOutAt)}; nothing was written · `,
              h('a', { href: `#/plans/${seg(t.runId)}/${seg(t.planId)}` }, `plan ${t.planId}`),
            ),
          ),
        ),
  );
}
