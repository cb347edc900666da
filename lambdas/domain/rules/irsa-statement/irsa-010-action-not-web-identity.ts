import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import { type StatementScope, statementAllowsWebIdentity } from './statement-scope';

export interface ActionEvidence extends StatementEvidence {
  readonly actions: readonly string[] | null;
  readonly notActions: readonly string[] | null;
}

/** IRSA-010: the statement does not allow sts:AssumeRoleWithWebIdentity. */
function checkAction(s: StatementScope): void {
  if (statementAllowsWebIdentity(s.view)) return;
  const { actions, notActions } = s.view.statement;
  s.emit(
    'IRSA-010',
    `${s.at()} allows ${JSON.stringify(actions ?? { NotAction: notActions })}, not ${WEB_IDENTITY_ACTION}.`,
    { actions: actions ?? null, notActions: notActions ?? null },
  );
}

export const IRSA_010 = defineRule<ActionEvidence>()({
  id: 'IRSA-010',
  severity: 'high',
  title: 'IRSA statement does not allow sts:AssumeRoleWithWebIdentity',
  explanation:
    'Pods call AssumeRoleWithWebIdentity. A statement that allows only sts:AssumeRole (or any other action) never matches their request.',
  podError: ACCESS_DENIED,
  remediation: 'Set or add the action sts:AssumeRoleWithWebIdentity in that statement.',
  references: [DOC.lbcWebIdentity, DOC.associate],
  checkStatement: checkAction,
});
