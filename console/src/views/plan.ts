/**
 * One plan: its findings (severity explained), the error pods see, the evidence, the exact change as a word diff, the
 * proof in sentences, the risk explained, the content hash (short, explained, copyable), the time left to decide,
 * links to the AWS console; approve or reject it. Opening this page is what lets its reader decide (the API records
 * it: lambdas/workflow/plan-openings.ts).
 */

import type { PlanDetail } from '../../../lambdas/api/views';
import { consoleLinks, providerArnsIn } from '../../../lambdas/domain/console-links';
import { call, seg } from '../api';
import { diffBlock, externalLink, h, json, replace } from '../dom';
import { proofCounts, proofRequests } from '../proof-text';
import { consoleConfig as config, fail, main, notify } from '../shell';
import { deadline } from '../time-text';
import { decisionSection } from './plan-decision';

/** What each finding severity means. */
export const SEVERITY_MEANING: Readonly<Record<string, string>> = {
  critical: 'pods fail now, or a role is open to workloads it should not trust',
  high: 'pods are likely to fail, or access is wider than intended',
  medium: 'fails or widens access under some conditions',
  low: 'hygiene: nothing fails today',
  info: 'for information: nothing is wrong yet',
};

/** What each plan risk means: how much the change itself could break or widen, not how bad the finding is. */
export const RISK_MEANING: Readonly<Record<string, string>> = {
  low: 'no access anyone has today changes, and nothing new is let in beyond the workload it is for',
  medium:
    'the change widens who may use the role (each newly allowed request is in the proof) or asks a person to check something',
  high: 'the change takes away access someone has today (their pods may fail) or removes a trust anchor',
};

export async function renderPlan(runId: string, planId: string): Promise<void> {
  const d = await call<PlanDetail>(config(), 'GET', `/api/plans/${seg(runId)}/${seg(planId)}`);
  const p = d.plan;
  replace(
    main,
    h('nav', { 'aria-label': 'Breadcrumb' }, h('a', { href: '#/plans' }, '← all pending plans')),
    h(
      'section',
      { class: 'card', 'data-testid': 'plan-view', 'aria-labelledby': 'plan-title' },
      h('h1', { id: 'plan-title' }, `${p.action} on ${p.resourceArn}`),
      h(
        'p',
        { class: 'muted' },
        `Account ${p.accountId}${p.cluster ? ` · cluster ${p.cluster} (${p.region ?? ''})` : ''} · plan ${p.id} · run ${d.runId} · status `,
        h('span', { class: 'pill', 'data-testid': 'plan-status' }, d.status),
      ),
      timeLeftLine(d),
      linksView(d),
      h('p', {}, p.rationale),
      riskView(d),
      !p.applicable ? h('p', { class: 'banner error' }, `Propose only: ${p.proposeOnlyReason ?? ''}`) : null,
      p.owner ? h('p', { class: 'banner error' }, `Managed by ${p.owner.tool}: ${p.owner.howToChange}`) : null,
      h('h2', {}, 'What is wrong'),
      ...d.findings.map(findingView),
      h('h2', {}, 'The exact change'),
      p.diff ? diffBlock(p.diff, 'diff') : h('p', { class: 'muted' }, 'No document diff for this action.'),
      h('h2', {}, 'Proof'),
      proofView(p.proof),
      hashView(d.contentHash),
      decisionSection(d, () => renderPlan(runId, planId)),
      d.change
        ? h('p', {}, `Applied as change ${d.change.change.changeId}. `, h('a', { href: '#/history' }, 'See history'))
        : null,
    ),
  );
}

function timeLeftLine(d: PlanDetail): HTMLElement | null {
  const a = d.approval;
  if (!a || a.decision) return null;
  return h(
    'p',
    { 'data-testid': 'time-left' },
    h('strong', {}, 'Time left to decide: '),
    deadline(a.expiresAt, Date.now()),
  );
}

/** The AWS console for the role, the OIDC provider(s) and the cluster, each naming the account it is in. */
function linksView(d: PlanDetail): HTMLElement | null {
  const p = d.plan;
  const links = consoleLinks({
    resourceArn: p.resourceArn,
    accountId: p.accountId,
    ...(p.cluster ? { cluster: p.cluster } : {}),
    ...(p.region ? { region: p.region } : {}),
    providerArns: [...providerArnsIn(p.before), ...providerArnsIn(p.after)],
  });
  if (links.length === 0) return null;
  return h(
    'ul',
    { class: 'links', 'data-testid': 'console-links', 'aria-label': 'In the AWS console' },
    ...links.map((l) =>
      h(
        'li',
        {},
        externalLink(l.href, `${l.label} in the AWS console`, `console-link-${l.kind}`),
        h('span', { class: 'muted' }, ` (account ${l.accountId})`),
      ),
    ),
  );
}

/** The plan's risk, what it means, and why it is that; and how it differs from the findings' severity. */
function riskView(d: PlanDetail): HTMLElement {
  const p = d.plan;
  const worst = d.findings.map((f) => f.severity).sort(bySeverity)[0];
  return h(
    'div',
    { 'data-testid': 'risk' },
    h(
      'p',
      {},
      h('span', { class: `pill ${p.risk.level}` }, `risk ${p.risk.level}`),
      ` What the change itself could break or widen: ${RISK_MEANING[p.risk.level] ?? ''}.`,
    ),
    p.risk.notes.length ? h('ul', {}, ...p.risk.notes.map((n) => h('li', {}, n))) : null,
    worst
      ? h(
          'p',
          { class: 'muted' },
          `Risk is not severity: the finding${d.findings.length > 1 ? 's are' : ' is'} ${worst} (how bad the problem is: ${SEVERITY_MEANING[worst] ?? ''}); the risk is about the fix.`,
        )
      : null,
  );
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];
function bySeverity(a: string, b: string): number {
  return SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b);
}

/** The content hash: short, what it is, the whole value to copy. */
function hashView(hash: string): HTMLElement {
  const copy = h('button', { type: 'button', 'data-testid': 'copy-hash' }, 'Copy the full hash');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(hash).then(() => notify('info', 'Content hash copied.'), fail);
  });
  return h(
    'div',
    { class: 'hash' },
    h('h2', {}, 'Content hash'),
    h(
      'p',
      {},
      h('code', { 'data-testid': 'content-hash', title: hash }, hash.slice(0, 12)),
      ' — a fingerprint (SHA-256) of everything on this page: the plan, its diff and its findings. A decision binds to it: if the plan changes after you opened it, your decision is refused and you are asked to read it again.',
    ),
    h(
      'details',
      {},
      h('summary', {}, 'Full hash'),
      h('code', { class: 'mono wrap', 'data-testid': 'content-hash-full' }, hash),
      ' ',
      copy,
    ),
  );
}

function findingView(f: PlanDetail['findings'][number]): HTMLElement {
  return h(
    'div',
    { 'data-testid': 'finding' },
    h(
      'p',
      {},
      h('span', { class: `pill ${f.severity}`, title: SEVERITY_MEANING[f.severity] ?? '' }, f.severity),
      ` ${f.ruleId}: ${f.title}`,
    ),
    h('p', { class: 'muted' }, `Severity ${f.severity}: ${SEVERITY_MEANING[f.severity] ?? ''}.`),
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

/** Whether the proof holds, its summary, and each request the change alters, once, in a sentence. */
function proofView(proof: PlanDetail['plan']['proof']): HTMLElement {
  if (!proof) {
    return h(
      'p',
      { class: 'muted', 'data-testid': 'proof' },
      'This change does not alter who may assume a role (provider change); it is checked again after it is applied.',
    );
  }
  return h(
    'div',
    { 'data-testid': 'proof' },
    h('p', {}, h('span', { class: `pill ${proof.holds ? 'ok' : 'high'}` }, proof.holds ? 'holds' : 'does not hold')),
    h('ul', { class: 'proof' }, ...proof.summary.map((s) => h('li', {}, s))),
    h('h3', {}, 'The requests that change'),
    h(
      'ul',
      { class: 'requests' },
      ...proofRequests(proof).map((r) =>
        h(
          'li',
          { 'data-testid': 'proof-row', class: r.accounted ? '' : 'unaccounted' },
          h('p', {}, r.sentence),
          h('p', { class: r.accounted ? 'muted' : 'bad' }, r.accounted ? `Why: ${r.why}.` : `${r.why}.`),
          h('details', {}, h('summary', {}, 'The request as evaluated'), h('code', { class: 'mono wrap' }, r.raw)),
        ),
      ),
    ),
    h('p', { class: 'muted', 'data-testid': 'proof-nothing-else' }, proofCounts(proof)),
  );
}
