/**
 * The approval console: pending plans grouped by account and cluster; one plan with its findings, the error pods
 * see, the evidence, the exact diff and the proof; approve or reject per plan or per selection, with a comment; the
 * history of applied changes with rollback; the mutelist. Lists come a page at a time (next, previous). Routes are in
 * the URL fragment: #/plans, #/plans/<run>/<plan>, #/history, #/muted.
 */
import type { ChangeView, PendingGroup, PlanDetail, PlanSummary, RollbackStatusView } from '../../lambdas/api/views';
import type { RejectionRecord, Suppression } from '../../lambdas/ports/state-store';
import { ApiError, call, seg } from './api';
import { answer, type ConsoleConfig, claimsOf, type SignInResult, signIn, signOut, token } from './auth';
import { diffBlock, h, json, replace, when } from './dom';
import { type Pager, pageQuery, pager } from './pager';
import { proofCounts } from './proof-text';

const main = document.getElementById('main') as HTMLElement;
const banner = document.getElementById('banner') as HTMLElement;
const who = document.querySelector('[data-testid="who"]') as HTMLElement;
const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;
let config: ConsoleConfig;

/** Items per page of each list. */
const PAGE_SIZE = 50;
const pages = { plans: pager(), history: pager(), muted: pager(), rejections: pager() };

/** Previous and next for a list (nothing when it fits one page); each re-draws the list with `render`. */
function pageNav(name: keyof typeof pages, render: () => Promise<void>): HTMLElement | null {
  const p: Pager = pages[name];
  if (!p.hasPrevious && !p.hasNext) return null;
  const move = (step: () => void) => () => {
    step();
    render().catch(fail);
  };
  const previous = h(
    'button',
    { type: 'button', disabled: !p.hasPrevious, 'data-testid': `${name}-previous` },
    '← Previous',
  );
  const next = h('button', { type: 'button', disabled: !p.hasNext, 'data-testid': `${name}-next` }, 'Next →');
  previous.addEventListener(
    'click',
    move(() => p.previous()),
  );
  next.addEventListener(
    'click',
    move(() => p.next()),
  );
  return h(
    'div',
    { class: 'actions pages' },
    previous,
    h('span', { class: 'muted', 'data-testid': `${name}-page` }, `Page ${p.page}`),
    next,
  );
}

function notify(kind: 'error' | 'info' | 'none', message = ''): void {
  banner.hidden = kind === 'none';
  banner.className = `banner ${kind}`;
  banner.textContent = message;
}

function fail(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    signOut();
    renderSignIn('Your session ended; sign in again.');
    return;
  }
  notify('error', err instanceof Error ? err.message : String(err));
}

// ---- sign-in --------------------------------------------------------------------------------------------------

function renderSignIn(message?: string): void {
  who.textContent = '';
  signOutButton.hidden = true;
  const user = h('input', {
    type: 'text',
    name: 'username',
    autocomplete: 'username',
    required: true,
    'data-testid': 'username',
  }) as HTMLInputElement;
  const pass = h('input', {
    type: 'password',
    name: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'password',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'login card' },
    h('h1', {}, 'Sign in to approve IRSA fixes'),
    message ? h('p', { class: 'muted' }, message) : null,
    h('label', {}, 'User name', h('br'), user),
    h('label', {}, 'Password', h('br'), pass),
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'sign-in' }, 'Sign in'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    signIn(config, user.value, pass.value).then(afterSignIn, (err) => notify('error', (err as Error).message));
  });
  replace(main, form);
}

function afterSignIn(result: SignInResult): void {
  if (result.kind === 'signed-in') {
    notify('none');
    route();
    return;
  }
  const field = h('input', {
    type: result.challenge === 'NEW_PASSWORD_REQUIRED' ? 'password' : 'text',
    required: true,
    'data-testid': 'challenge',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'login card' },
    h(
      'h1',
      {},
      result.challenge === 'NEW_PASSWORD_REQUIRED' ? 'Choose a new password' : 'Enter your authenticator code',
    ),
    field,
    h('button', { type: 'submit', class: 'primary' }, 'Continue'),
  ) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    answer(config, result, field.value).then(afterSignIn, (err) => notify('error', (err as Error).message));
  });
  replace(main, form);
}

// ---- pending plans --------------------------------------------------------------------------------------------

async function renderPending(): Promise<void> {
  const { groups, cursor } = await call<{ groups: PendingGroup[]; cursor?: string }>(
    config,
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
    pageNav('plans', renderPending),
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
      await call(config, 'POST', `/api/plans/${seg(p.runId)}/${seg(p.planId)}/${decision}`, {
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

async function renderPlan(runId: string, planId: string): Promise<void> {
  const d = await call<PlanDetail>(config, 'GET', `/api/plans/${seg(runId)}/${seg(planId)}`);
  const p = d.plan;
  const open = d.approval && !d.approval.decision && Date.parse(d.approval.expiresAt) >= Date.now();
  const comment = h('textarea', {
    placeholder: 'Comment (recorded in the audit log)',
    'data-testid': 'comment',
  }) as HTMLTextAreaElement;
  const decide = (decision: 'approve' | 'reject') => async () => {
    await call(config, 'POST', `/api/plans/${seg(runId)}/${seg(planId)}/${decision}`, {
      contentHash: d.contentHash,
      ...(comment.value.trim() ? { comment: comment.value } : {}),
    });
    await renderPlan(runId, planId);
    notify(
      'info',
      `Plan ${planId} ${decision === 'approve' ? 'approved: the workflow applies it now' : 'rejected: nothing will be written'}.`,
    );
  };
  const approve = h('button', { type: 'button', class: 'primary', 'data-testid': 'approve' }, 'Approve this change');
  const reject = h('button', { type: 'button', class: 'danger', 'data-testid': 'reject' }, 'Reject');
  approve.addEventListener('click', () => void decide('approve')().catch(fail));
  reject.addEventListener('click', () => void decide('reject')().catch(fail));

  replace(
    main,
    h('p', {}, h('a', { href: '#/plans' }, '← all pending plans')),
    h(
      'section',
      { class: 'card', 'data-testid': 'plan-view' },
      h('h1', {}, `${p.action} on ${p.resourceArn}`),
      h(
        'p',
        { class: 'muted' },
        `Account ${p.accountId}${p.cluster ? ` · cluster ${p.cluster} (${p.region ?? ''})` : ''} · plan ${p.id} · run ${d.runId} · status `,
        h('span', { class: 'pill', 'data-testid': 'plan-status' }, d.status),
        ` · risk ${p.risk.level}`,
      ),
      h('p', {}, p.rationale),
      p.risk.notes.length ? h('ul', {}, ...p.risk.notes.map((n) => h('li', {}, n))) : null,
      !p.applicable ? h('p', { class: 'banner error' }, `Propose only: ${p.proposeOnlyReason ?? ''}`) : null,
      p.owner ? h('p', { class: 'banner error' }, `Managed by ${p.owner.tool}: ${p.owner.howToChange}`) : null,
      h('h3', {}, 'What is wrong'),
      ...d.findings.map(findingView),
      h('h3', {}, 'The exact change'),
      p.diff ? diffBlock(p.diff, 'diff') : h('p', { class: 'muted' }, 'No document diff for this action.'),
      h('h3', {}, 'Proof'),
      proofView(p.proof),
      h('p', { class: 'muted mono', 'data-testid': 'content-hash' }, `content ${d.contentHash}`),
      open
        ? h(
            'div',
            {},
            h('h3', {}, 'Decide'),
            comment,
            h('div', { class: 'actions' }, approve, reject),
            h('p', { class: 'muted' }, `Expires ${when(d.approval?.expiresAt)}. Approving binds to the content above.`),
          )
        : decisionOutcome(d),
      d.change
        ? h('p', {}, `Applied as change ${d.change.change.changeId}. `, h('a', { href: '#/history' }, 'See history'))
        : null,
    ),
  );
}

function findingView(f: PlanDetail['findings'][number]): HTMLElement {
  return h(
    'div',
    { 'data-testid': 'finding' },
    h('p', {}, h('span', { class: `pill ${f.severity}` }, f.severity), ` ${f.ruleId}: ${f.title}`),
    h('p', {}, f.message),
    f.podError
      ? h(
          'div',
          {},
          h('div', { class: 'muted' }, 'The error pods see:'),
          h('pre', { 'data-testid': 'pod-error' }, f.podError),
        )
      : null,
    h('details', {}, h('summary', {}, 'Evidence'), json(f.evidence)),
  );
}

/** Whether the proof holds, its summary, and a row per intended and newly allowed request. */
function proofView(proof: PlanDetail['plan']['proof']): HTMLElement {
  if (!proof) {
    return h(
      'p',
      { class: 'muted', 'data-testid': 'proof' },
      'This change does not alter who may assume a role (provider change); it is checked again after it is applied.',
    );
  }
  const rows = [
    ...proof.intended.map((o) => ({ o, why: 'the workload this plan is for' })),
    ...proof.probes.newlyAllowed.map((o) => ({ o, why: o.declaredBy ?? '' })),
    ...proof.probes.undeclaredNewlyAllowed.map((o) => ({
      o,
      why:
        o.source === 'exact'
          ? 'NOT accounted for (witness of a newly allowed class)'
          : 'NOT accounted for (probe request)',
    })),
  ];
  return h(
    'div',
    { 'data-testid': 'proof' },
    h('p', {}, h('span', { class: `pill ${proof.holds ? 'ok' : 'high'}` }, proof.holds ? 'holds' : 'does not hold')),
    h('ul', { class: 'proof' }, ...proof.summary.map((s) => h('li', {}, s))),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h('tr', {}, h('th', {}, 'Request'), h('th', {}, 'Before'), h('th', {}, 'After'), h('th', {}, 'Why')),
      ),
      h(
        'tbody',
        {},
        ...rows.map(({ o, why }) =>
          h(
            'tr',
            { 'data-testid': 'proof-row' },
            h(
              'td',
              { class: 'mono' },
              `${o.action} by ${o.principal}${o.sub ? ` sub=${o.sub}` : ''}${o.aud ? ` aud=${o.aud}` : ''}`,
            ),
            h('td', {}, o.before),
            h('td', {}, o.after),
            h('td', {}, why),
          ),
        ),
      ),
    ),
    h('p', { class: 'muted', 'data-testid': 'proof-nothing-else' }, proofCounts(proof)),
  );
}

/** A plan not open for a decision: who decided it and whether the workflow has it, or why it cannot be decided. */
function decisionOutcome(d: PlanDetail): HTMLElement {
  const a = d.approval;
  if (!a?.decision) {
    return h('p', { class: 'muted' }, a ? 'The approval request expired.' : 'This plan is not waiting for approval.');
  }
  const delivery =
    a.delivery === 'pending'
      ? 'being handed to the workflow'
      : a.delivery === 'delivered'
        ? 'handed to the workflow'
        : 'the request had expired';
  return h(
    'p',
    { 'data-testid': 'decision' },
    `${a.decision} by ${a.decidedBy ?? ''} at ${when(a.decidedAt)}${a.comment ? `: ${a.comment}` : ''}${a.delivery ? ` (${delivery})` : ''}`,
  );
}

// ---- history --------------------------------------------------------------------------------------------------

async function renderHistory(): Promise<void> {
  const { changes, cursor } = await call<{ changes: ChangeView[]; cursor?: string }>(
    config,
    'GET',
    `/api/changes${pageQuery(pages.history, PAGE_SIZE)}`,
  );
  pages.history.shown(cursor);
  const rows = changes.map(changeRow);
  replace(
    main,
    h('h1', {}, 'Applied changes'),
    pageNav('history', renderHistory),
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
  let view = await call<RollbackStatusView>(config, 'POST', path, commentText.trim() ? { comment: commentText } : {});
  notify('info', `Rollback of ${changeId} requested: in progress…`);
  for (let i = 0; i < 240 && view.request && ['pending', 'running'].includes(view.request.status); i++) {
    await new Promise((r) => setTimeout(r, 500));
    view = await call<RollbackStatusView>(config, 'GET', path);
  }
  await renderHistory();
  const status = view.request?.status;
  if (status === 'done') notify('info', `Rolled back ${changeId}: the replaced document is restored.`);
  else if (status === 'refused' || status === 'failed')
    notify('error', `Rollback of ${changeId} ${status}: ${view.request?.error?.message ?? ''}`);
  else notify('info', `Rollback of ${changeId} is still in progress; this page shows when it is done.`);
}

// ---- the mutelist ---------------------------------------------------------------------------------------------

async function renderMuted(): Promise<void> {
  const [{ suppressions, cursor }, rejected] = await Promise.all([
    call<{ suppressions: Suppression[]; cursor?: string }>(
      config,
      'GET',
      `/api/suppressions${pageQuery(pages.muted, PAGE_SIZE)}`,
    ),
    call<{ rejections: RejectionRecord[]; cursor?: string }>(
      config,
      'GET',
      `/api/rejections${pageQuery(pages.rejections, PAGE_SIZE)}`,
    ),
  ]);
  pages.muted.shown(cursor);
  pages.rejections.shown(rejected.cursor);
  replace(
    main,
    h('h1', {}, 'Muted findings'),
    h(
      'p',
      { class: 'muted' },
      'Findings matching a mute are recorded as suppressed by the next analysis, not planned. Every mute has a reason and ends.',
    ),
    suppressions.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-mutes' }, 'No finding is muted.')
      : h(
          'section',
          { class: 'card', 'data-testid': 'muted-view' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Matches'),
                h('th', {}, 'Reason'),
                h('th', {}, 'Added by'),
                h('th', {}, 'Until'),
                h('th', {}, ''),
              ),
            ),
            h('tbody', {}, ...suppressions.map(mutedRow)),
          ),
        ),
    pageNav('muted', renderMuted),
    muteForm(),
    rejectionsCard(rejected.rejections),
    pageNav('rejections', renderMuted),
  );
}

/** Plans a person rejected: not proposed again until the rejection ends or the plan's content changes. */
function rejectionsCard(rejections: readonly RejectionRecord[]): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'rejections-view' },
    h('h2', {}, 'Remembered rejections'),
    h('p', { class: 'muted' }, 'A rejected plan is not proposed again until then, unless its content changes.'),
    rejections.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-rejections' }, 'No rejection is remembered.')
      : h(
          'table',
          {},
          h('thead', {}, h('tr', {}, h('th', {}, 'Change'), h('th', {}, 'Rejected by'), h('th', {}, 'Until'))),
          h(
            'tbody',
            {},
            ...rejections.map((r) =>
              h(
                'tr',
                { 'data-testid': `rejection-${r.planId}` },
                h('td', {}, h('code', {}, r.action), h('div', { class: 'muted mono' }, r.resourceArn)),
                h(
                  'td',
                  {},
                  r.rejectedBy,
                  h('div', { class: 'muted' }, when(r.rejectedAt)),
                  r.comment ? h('div', { class: 'muted' }, r.comment) : null,
                ),
                h('td', { class: 'muted' }, when(r.expiresAt)),
              ),
            ),
          ),
        ),
  );
}

function mutedRow(s: Suppression): HTMLElement {
  const matches = [
    s.ruleId ? `rule ${s.ruleId}` : '',
    s.accountId ? `account ${s.accountId}` : '',
    s.resource ? `resource ${s.resource}` : '',
    s.cluster ? `cluster ${s.cluster}` : '',
    s.namespace ? `namespace ${s.namespace}` : '',
  ].filter((m) => m !== '');
  const remove = h('button', { type: 'button', class: 'danger', 'data-testid': `unmute-${s.id}` }, 'Remove');
  remove.addEventListener('click', () => {
    if (!window.confirm(`Remove this mute? Findings it matches are planned again from the next run.`)) return;
    call(config, 'POST', `/api/suppressions/${seg(s.id)}/delete`)
      .then(() => renderMuted())
      .then(() => notify('info', 'Mute removed.'), fail);
  });
  return h(
    'tr',
    { 'data-testid': `mute-${s.id}` },
    h('td', { class: 'mono' }, ...matches.map((m) => h('div', {}, m))),
    h('td', {}, s.reason),
    h('td', {}, s.createdBy, h('div', { class: 'muted' }, when(s.createdAt))),
    h('td', { class: 'muted' }, when(s.expiresAt)),
    h('td', {}, remove),
  );
}

/** Add a mute: what it matches (at least one of rule, account, resource), why, and for how many days. */
function muteForm(): HTMLElement {
  const field = (name: string, placeholder: string) =>
    h('input', { type: 'text', name, placeholder, 'data-testid': `mute-${name}` }) as HTMLInputElement;
  const rule = field('rule', 'IRSA-015');
  const account = field('account', '111122223333');
  const resource = field('resource', 'arn:aws:iam::111122223333:role/batch-*');
  const cluster = field('cluster', 'prod');
  const namespace = field('namespace', 'payments');
  const reason = h('textarea', {
    required: true,
    placeholder: 'Why (recorded)',
    'data-testid': 'mute-reason',
  }) as HTMLTextAreaElement;
  const days = h('input', {
    type: 'number',
    min: '1',
    max: '366',
    value: '30',
    'data-testid': 'mute-days',
  }) as HTMLInputElement;
  const form = h(
    'form',
    { class: 'card', 'data-testid': 'mute-form' },
    h('h2', {}, 'Mute findings'),
    h('p', { class: 'muted' }, 'Every field given must match; the resource may end in *.'),
    h('label', {}, 'Rule ', rule),
    h('label', {}, ' Account ', account),
    h('label', {}, ' Resource ', resource),
    h('label', {}, ' Cluster ', cluster),
    h('label', {}, ' Namespace ', namespace),
    reason,
    h('label', {}, 'For ', days, ' days'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', 'data-testid': 'mute-add' }, 'Mute'),
    ),
  ) as HTMLFormElement;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = (input: HTMLInputElement) => input.value.trim();
    const body = {
      ...(text(rule) ? { ruleId: text(rule) } : {}),
      ...(text(account) ? { accountId: text(account) } : {}),
      ...(text(resource) ? { resource: text(resource) } : {}),
      ...(text(cluster) ? { cluster: text(cluster) } : {}),
      ...(text(namespace) ? { namespace: text(namespace) } : {}),
      reason: reason.value.trim(),
      expiresAt: new Date(Date.now() + Number(days.value) * 86_400_000).toISOString(),
    };
    call(config, 'POST', '/api/suppressions', body)
      .then(() => {
        pages.muted.reset();
        return renderMuted();
      })
      .then(() => notify('info', 'Muted.'), fail);
  });
  return form;
}

// ---- routing --------------------------------------------------------------------------------------------------

function route(): void {
  const t = token();
  if (!t) {
    renderSignIn();
    return;
  }
  const claims = claimsOf(t) ?? {};
  who.textContent = String(claims['cognito:username'] ?? claims.email ?? '');
  signOutButton.hidden = false;
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view =
    parts[0] === 'history'
      ? renderHistory()
      : parts[0] === 'muted'
        ? renderMuted()
        : parts[0] === 'plans' && parts[1] && parts[2]
          ? renderPlan(parts[1], parts[2])
          : renderPending();
  view.catch(fail);
}

async function start(): Promise<void> {
  config = (await (await fetch('config.json', { cache: 'no-store' })).json()) as ConsoleConfig;
  signOutButton.addEventListener('click', () => {
    signOut();
    renderSignIn('Signed out.');
  });
  window.addEventListener('hashchange', () => {
    notify('none');
    route();
  });
  route();
}

start().catch((err) => notify('error', `the console could not start: ${(err as Error).message}`));
