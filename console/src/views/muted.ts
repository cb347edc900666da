/** The mutelist (add and remove mutes) and the remembered rejections. */
import { suppressionMatches } from '../../../lambdas/domain/suppressions';
import type { RejectionRecord, Suppression } from '../../../lambdas/ports/state-store';
import { call, seg } from '../api';
import { h, replace, when } from '../dom';
import { pageQuery, pager } from '../pager';
import { consoleConfig as config, fail, main, notify, PAGE_SIZE, pageNav } from '../shell';

const pages = { muted: pager(), rejections: pager() };

export async function renderMuted(): Promise<void> {
  const [{ suppressions, cursor }, rejected] = await Promise.all([
    call<{ suppressions: Suppression[]; cursor?: string }>(
      config(),
      'GET',
      `/api/suppressions${pageQuery(pages.muted, PAGE_SIZE)}`,
    ),
    call<{ rejections: RejectionRecord[]; cursor?: string }>(
      config(),
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
                h('th', {}, h('span', { class: 'sr-only' }, 'Actions')),
              ),
            ),
            h('tbody', {}, ...suppressions.map(mutedRow)),
          ),
        ),
    pageNav(pages.muted, 'muted', renderMuted),
    muteForm(),
    rejectionsCard(rejected.rejections),
    pageNav(pages.rejections, 'rejections', renderMuted),
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
  const matches = suppressionMatches(s);
  const remove = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      'aria-label': `Remove the mute of ${matches.join(', ')}`,
      'data-testid': `unmute-${s.id}`,
    },
    'Remove',
  );
  remove.addEventListener('click', () => {
    if (!window.confirm(`Remove this mute? Findings it matches are planned again from the next run.`)) return;
    call(config(), 'POST', `/api/suppressions/${seg(s.id)}/delete`)
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
    id: 'mute-reason',
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
    h('label', { for: 'mute-reason', class: 'block' }, 'Reason (required)'),
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
    call(config(), 'POST', '/api/suppressions', body)
      .then(() => {
        pages.muted.reset();
        return renderMuted();
      })
      .then(() => notify('info', 'Muted.'), fail);
  });
  return form;
}
