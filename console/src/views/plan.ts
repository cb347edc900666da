/** One plan: its findings, the error pods see, the evidence, the exact diff and the proof; approve or reject it. */
import type { PlanDetail } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { diffBlock, h, json, replace } from '../dom';
import { proofCounts } from '../proof-text';
import { consoleConfig as config, main } from '../shell';
import { decisionSection } from './plan-decision';

export async function renderPlan(runId: string, planId: string): Promise<void> {
  const d = await call<PlanDetail>(config(), 'GET', `/api/plans/${seg(runId)}/${seg(planId)}`);
  const p = d.plan;
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
      decisionSection(d, () => renderPlan(runId, planId)),
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

// ---- history --------------------------------------------------------------------------------------------------
