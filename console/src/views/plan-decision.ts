/**
 * The decision part of the plan page: while the plan waits, a comment and approve and reject (bound to the content
 * hash the person was shown); afterwards, who decided and whether the workflow has the decision.
 */
import type { PlanDetail } from '../../../lambdas/api/views';
import { call, seg } from '../api';
import { h, when } from '../dom';
import { consoleConfig as config, fail, notify } from '../shell';

/** The decide controls of an open plan, or its outcome; `redraw` shows the plan again after a decision. */
export function decisionSection(d: PlanDetail, redraw: () => Promise<void>): HTMLElement {
  const open = d.approval && !d.approval.decision && Date.parse(d.approval.expiresAt) >= Date.now();
  if (!open) return decisionOutcome(d);
  const { runId, planId } = d;
  const comment = h('textarea', {
    placeholder: 'Comment (recorded in the audit log)',
    'data-testid': 'comment',
  }) as HTMLTextAreaElement;
  const decide = (decision: 'approve' | 'reject') => async () => {
    await call(config(), 'POST', `/api/plans/${seg(runId)}/${seg(planId)}/${decision}`, {
      contentHash: d.contentHash,
      ...(comment.value.trim() ? { comment: comment.value } : {}),
    });
    await redraw();
    notify(
      'info',
      `Plan ${planId} ${decision === 'approve' ? 'approved: the workflow applies it now' : 'rejected: nothing will be written'}.`,
    );
  };
  const approve = h('button', { type: 'button', class: 'primary', 'data-testid': 'approve' }, 'Approve this change');
  const reject = h('button', { type: 'button', class: 'danger', 'data-testid': 'reject' }, 'Reject');
  approve.addEventListener('click', () => void decide('approve')().catch(fail));
  reject.addEventListener('click', () => void decide('reject')().catch(fail));
  return h(
    'div',
    {},
    h('h3', {}, 'Decide'),
    comment,
    h('div', { class: 'actions' }, approve, reject),
    h('p', { class: 'muted' }, `Expires ${when(d.approval?.expiresAt)}. Approving binds to the content above.`),
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
