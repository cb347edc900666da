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
    const out = await call<{ approval?: { decision?: string } } | undefined>(
      config(),
      'POST',
      `/api/plans/${seg(runId)}/${seg(planId)}/${decision}`,
      { contentHash: d.contentHash, ...(comment.value.trim() ? { comment: comment.value } : {}) },
    );
    await redraw();
    notify('info', decidedMessage(planId, decision, out?.approval?.decision !== undefined));
  };
  const approve = h('button', { type: 'button', class: 'primary', 'data-testid': 'approve' }, 'Approve this change');
  const reject = h('button', { type: 'button', class: 'danger', 'data-testid': 'reject' }, 'Reject');
  approve.addEventListener('click', () => void decide('approve')().catch(fail));
  reject.addEventListener('click', () => void decide('reject')().catch(fail));
  return h(
    'div',
    {},
    h('h3', {}, 'Decide'),
    ...progress(d),
    comment,
    h('div', { class: 'actions' }, approve, reject),
    h('p', { class: 'muted' }, `Expires ${when(d.approval?.expiresAt)}. Approving binds to the content above.`),
  );
}

/** What the person is told after deciding: applied now, waiting for a second approver, or rejected. */
function decidedMessage(planId: string, decision: 'approve' | 'reject', decided: boolean): string {
  if (decision === 'reject') return `Plan ${planId} rejected: nothing will be written.`;
  return decided
    ? `Plan ${planId} approved: the workflow applies it now.`
    : `Your approval of plan ${planId} is recorded: it needs a second approval from another approver.`;
}

/** A plan that needs a second, distinct approver: "1 of 2 approvals (by alice)", and what is still needed. */
function progress(d: PlanDetail): HTMLElement[] {
  const needed = d.approvalsNeeded ?? 1;
  if (needed < 2) return [];
  const approvals = d.approval?.approvals ?? [];
  const by = approvals.length > 0 ? ` (by ${approvals.map((a) => a.by).join(', ')})` : '';
  return [
    h(
      'p',
      { class: 'banner info', role: 'status', 'data-testid': 'approval-progress' },
      `${approvals.length} of ${needed} approvals${by}. ${
        approvals.length > 0
          ? 'A second approval must come from another approver.'
          : `This plan's risk or action needs ${needed} distinct approvers.`
      }`,
    ),
  ];
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
  const approvers = (a.approvals ?? []).map((x) => x.by);
  const by = a.decision === 'approved' && approvers.length > 1 ? approvers.join(' and ') : (a.decidedBy ?? '');
  return h(
    'p',
    { 'data-testid': 'decision' },
    `${a.decision} by ${by} at ${when(a.decidedAt)}${a.comment ? `: ${a.comment}` : ''}${a.delivery ? ` (${delivery})` : ''}`,
  );
}
