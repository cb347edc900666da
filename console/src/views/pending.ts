/**
 * The pending plans: grouped by account and cluster, each with its findings' severity, the account's name, the time
 * left; searched, filtered and sorted; selectable, decided one by one or as a selection whose diffs are shown inline
 * first. The API serves the pending requests a page at a time, oldest first, from an index: search, filters and sort
 * apply to the page loaded (the count says so), and the page controls load the next.
 */
import { groupPending } from '../../../lambdas/api/pending-groups';
import type { PendingGroup, PlanDetail, PlanSummary } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { diffBlock, h, replace, when } from '../dom';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, fail, main, notify, PAGE_SIZE, pageNav } from '../shell';
import { timeLeft } from '../time-text';

const pages = { plans: pager() };
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
const RISKS = ['high', 'medium', 'low'];

type SortKey = 'expiry' | 'severity' | 'account';
interface Filters {
  readonly text: string;
  readonly severity: string;
  readonly account: string;
  readonly action: string;
  readonly risk: string;
  readonly sort: SortKey;
}

/** A selected plan: its summary, its detail once fetched (what the person is shown, and the hash they decide on). */
interface Selected {
  readonly summary: PlanSummary;
  detail?: PlanDetail;
  readonly comment: HTMLTextAreaElement;
}

export async function renderPending(): Promise<void> {
  const { groups, cursor, outOfScope } = await call<{ groups: PendingGroup[]; cursor?: string; outOfScope?: number }>(
    config(),
    'GET',
    `/api/plans${pageQuery(pages.plans, PAGE_SIZE)}`,
  );
  pages.plans.shown(cursor);
  const plans = groups.flatMap((g) => g.plans);
  const selected = new Map<string, Selected>();
  const list = h('div', { 'data-testid': 'plan-list' });
  const count = h('p', { class: 'muted', 'data-testid': 'plan-count', 'aria-live': 'polite' });
  const bulk = h('section', { class: 'card', 'data-testid': 'bulk', 'aria-labelledby': 'bulk-title' });
  const controls = filterControls(plans, (f) => draw(f));
  const redrawBulk = () => bulkSection(bulk, selected);
  const draw = (f: Filters) => {
    const shown = plans.filter((p) => matches(p, f));
    count.textContent =
      `${shown.length} of ${plans.length} plan(s) on page ${pages.plans.page} shown` +
      `${pages.plans.hasNext ? '; more pages follow (filters apply to this page)' : ''}.` +
      `${outOfScope ? ` ${outOfScope} plan(s) of accounts outside your approver scope are not listed.` : ''}`;
    replace(
      list,
      ...groupPending(shown, (a, b) => byKey(f.sort)(a, b) || a.expiresAt.localeCompare(b.expiresAt)).map((g) =>
        pendingGroupCard(g, selected, redrawBulk),
      ),
      shown.length === 0 && plans.length > 0 ? h('p', { class: 'muted' }, 'No plan on this page matches.') : null,
    );
  };
  replace(
    main,
    h('h1', {}, 'Plans waiting for approval'),
    plans.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-plans' }, 'Nothing is waiting for approval.')
      : controls.form,
    plans.length > 0 ? count : null,
    list,
    pageNav(pages.plans, 'plans', renderPending),
    plans.length > 0 ? bulk : null,
  );
  draw(controls.read());
  redrawBulk();
}

function matches(p: PlanSummary, f: Filters): boolean {
  const text = f.text.trim().toLowerCase();
  const haystack = [p.title, p.resourceArn, p.action, p.accountId, p.accountName ?? '', p.cluster ?? '', ...p.ruleIds]
    .join(' ')
    .toLowerCase();
  return (
    (text === '' || haystack.includes(text)) &&
    (f.severity === '' || p.severity === f.severity) &&
    (f.account === '' || p.accountId === f.account) &&
    (f.action === '' || p.action === f.action) &&
    (f.risk === '' || p.risk === f.risk)
  );
}

const rank = (list: readonly string[], v: string | undefined) => (v ? list.indexOf(v) : list.length);
const accountLabel = (p: Pick<PlanSummary, 'accountId' | 'accountName'>) =>
  p.accountName ? `${p.accountName} (${p.accountId})` : p.accountId;

function byKey(sort: SortKey): (a: PlanSummary, b: PlanSummary) => number {
  if (sort === 'severity') return (a, b) => rank(SEVERITIES, a.severity) - rank(SEVERITIES, b.severity);
  if (sort === 'account') return (a, b) => accountLabel(a).localeCompare(accountLabel(b));
  return (a, b) => a.expiresAt.localeCompare(b.expiresAt);
}

/** Search, the filters (values from the page loaded) and the sort; each change redraws the list. */
function filterControls(plans: readonly PlanSummary[], onChange: (f: Filters) => void) {
  const distinct = (values: (string | undefined)[]) =>
    [...new Set(values.filter((v): v is string => !!v))].sort((a, b) => a.localeCompare(b));
  const select = (name: string, label: string, options: readonly (readonly [string, string])[]) => {
    const el = h(
      'select',
      { id: `filter-${name}`, 'data-testid': `filter-${name}` },
      ...options.map(([value, text]) => h('option', { value }, text)),
    ) as HTMLSelectElement;
    return { el, field: h('label', { for: `filter-${name}` }, label, ' ', el) };
  };
  const any = ['', 'any'] as const;
  const text = h('input', {
    id: 'filter-text',
    type: 'search',
    placeholder: 'role, rule, account, cluster…',
    'data-testid': 'filter-text',
  }) as HTMLInputElement;
  const severity = select('severity', 'Severity', [any, ...SEVERITIES.map((s) => [s, s] as const)]);
  const account = select('account', 'Account', [
    any,
    ...distinct(plans.map((p) => p.accountId)).map((id) => {
      const name = plans.find((p) => p.accountId === id)?.accountName;
      return [id, name ? `${name} (${id})` : id] as const;
    }),
  ]);
  const action = select('action', 'Action', [any, ...distinct(plans.map((p) => p.action)).map((a) => [a, a] as const)]);
  const risk = select('risk', 'Risk', [any, ...RISKS.map((r) => [r, r] as const)]);
  const sort = select('sort', 'Sort by', [
    ['expiry', 'time left (soonest first)'],
    ['severity', 'severity (worst first)'],
    ['account', 'account'],
  ]);
  const read = (): Filters => ({
    text: text.value,
    severity: severity.el.value,
    account: account.el.value,
    action: action.el.value,
    risk: risk.el.value,
    sort: sort.el.value as SortKey,
  });
  const form = h(
    'form',
    { class: 'card filters', role: 'search', 'aria-label': 'Search and filter the plans on this page' },
    h('label', { for: 'filter-text' }, 'Search ', text),
    severity.field,
    account.field,
    action.field,
    risk.field,
    sort.field,
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  // Redrawn only when a value changed: a text field's 'change' on blur (a click on a plan's link) must not replace
  // the link under the pointer.
  let last = JSON.stringify(read());
  const changed = () => {
    const now = read();
    if (JSON.stringify(now) === last) return;
    last = JSON.stringify(now);
    onChange(now);
  };
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
  return { form, read };
}

/** One account and cluster's pending plans: a table with a selection box per plan. */
function pendingGroupCard(g: PendingGroup, selected: Map<string, Selected>, redrawBulk: () => void): HTMLElement {
  const first = g.plans[0];
  return h(
    'section',
    { class: 'card', 'data-testid': 'plan-group' },
    h('h2', {}, `Account ${first ? accountLabel(first) : g.accountId} · ${g.cluster}`),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')),
          h('th', { scope: 'col' }, 'Finding'),
          h('th', { scope: 'col' }, 'Severity'),
          h('th', { scope: 'col' }, 'Change'),
          h('th', { scope: 'col' }, 'Risk'),
          h('th', { scope: 'col' }, 'Time left'),
        ),
      ),
      h('tbody', {}, ...g.plans.map((p) => pendingRow(p, selected, redrawBulk))),
    ),
  );
}

function pendingRow(p: PlanSummary, selected: Map<string, Selected>, redrawBulk: () => void): HTMLElement {
  const box = h('input', {
    type: 'checkbox',
    id: `select-${p.planId}`,
    'aria-label': `Select plan: ${p.title} (${p.action} on ${p.resourceArn})`,
    'data-testid': `select-${p.planId}`,
    checked: selected.has(p.planId),
  }) as HTMLInputElement;
  box.addEventListener('change', () => {
    if (box.checked) {
      const entry: Selected = { summary: p, comment: commentBox(p.planId) };
      selected.set(p.planId, entry);
      // Fetching the detail is opening the plan (the API records it): its diff is shown before any decision.
      call<PlanDetail>(config(), 'GET', `/api/plans/${seg(p.runId)}/${seg(p.planId)}`)
        .then((d) => {
          entry.detail = d;
          redrawBulk();
        })
        .catch(fail);
    } else selected.delete(p.planId);
    redrawBulk();
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
    h(
      'td',
      {},
      p.severity ? h('span', { class: `pill ${p.severity}` }, p.severity) : h('span', { class: 'muted' }, 'unknown'),
    ),
    h('td', {}, h('code', {}, p.action), h('div', { class: 'muted mono wrap' }, p.resourceArn)),
    h(
      'td',
      {},
      h('span', { class: `pill ${p.risk}` }, p.risk),
      p.approvalsNeeded && p.approvalsNeeded > 1
        ? h(
            'div',
            { class: 'muted', 'data-testid': `approvals-${p.planId}` },
            `${p.approvedBy?.length ?? 0} of ${p.approvalsNeeded} approvals${p.approvedBy?.length ? ` (by ${p.approvedBy.join(', ')})` : ''}`,
          )
        : null,
    ),
    h('td', {}, timeLeft(p.expiresAt, Date.now()), h('div', { class: 'muted' }, when(p.expiresAt))),
  );
}

function commentBox(planId: string): HTMLTextAreaElement {
  return h('textarea', {
    id: `bulk-comment-${planId}`,
    placeholder: 'Comment on this plan (recorded in the audit log)',
    'data-testid': `bulk-comment-${planId}`,
  }) as HTMLTextAreaElement;
}

/** The selection: each selected plan's diff (fetched), its own comment, one comment to give all, and the decisions. */
function bulkSection(section: HTMLElement, selected: Map<string, Selected>): void {
  const entries = [...selected.values()];
  const loading = entries.filter((e) => !e.detail).length;
  const shared = h('textarea', {
    id: 'bulk-comment-all',
    placeholder: 'One comment for every selected plan',
    'data-testid': 'selection-comment',
  }) as HTMLTextAreaElement;
  const applyAll = h(
    'button',
    { type: 'button', 'data-testid': 'comment-all' },
    'Use this comment for every selected plan',
  );
  applyAll.addEventListener('click', () => {
    for (const e of entries) e.comment.value = shared.value;
    notify('info', `The comment is set on ${entries.length} plan(s); each can still be edited.`);
  });
  const ready = entries.length > 0 && loading === 0;
  const approveAll = h(
    'button',
    { type: 'button', class: 'primary', disabled: !ready, 'data-testid': 'approve-selected' },
    'Approve selected',
  );
  const rejectAll = h(
    'button',
    { type: 'button', class: 'danger', disabled: !ready, 'data-testid': 'reject-selected' },
    'Reject selected',
  );
  approveAll.addEventListener('click', () => void decideSelection(selected, 'approve').catch(fail));
  rejectAll.addEventListener('click', () => void decideSelection(selected, 'reject').catch(fail));
  replace(
    section,
    h('h2', { id: 'bulk-title' }, 'Decide the selection'),
    h(
      'p',
      { class: 'muted', 'data-testid': 'selection-count', 'aria-live': 'polite' },
      `${entries.length} selected${loading ? ` (${loading} loading)` : ''}. Read each diff below before deciding.`,
    ),
    ...entries.map((e) =>
      h(
        'article',
        { class: 'bulk-plan', 'data-testid': `bulk-plan-${e.summary.planId}` },
        h('h3', {}, `${e.summary.action} on ${e.summary.resourceArn}`),
        e.detail
          ? e.detail.plan.diff
            ? diffBlock(e.detail.plan.diff, `bulk-diff-${e.summary.planId}`)
            : h('p', { class: 'muted' }, 'No document diff for this action.')
          : h('p', { class: 'muted' }, 'Loading the diff…'),
        h('label', { for: e.comment.id }, 'Comment on this plan'),
        e.comment,
      ),
    ),
    entries.length > 1 ? h('label', { for: 'bulk-comment-all' }, 'One comment for all') : null,
    entries.length > 1 ? shared : null,
    entries.length > 1 ? h('div', { class: 'actions' }, applyAll) : null,
    h('div', { class: 'actions' }, approveAll, rejectAll),
  );
}

/** Decides each selected plan in turn, bound to the hash of the detail shown, with its own comment. */
async function decideSelection(selected: ReadonlyMap<string, Selected>, decision: 'approve' | 'reject'): Promise<void> {
  const done: string[] = [];
  const failed: string[] = [];
  for (const { summary: p, detail, comment } of selected.values()) {
    try {
      await call(config(), 'POST', `/api/plans/${seg(p.runId)}/${seg(p.planId)}/${decision}`, {
        contentHash: detail?.contentHash ?? p.contentHash,
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
