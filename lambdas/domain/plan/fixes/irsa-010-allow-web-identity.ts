import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

/** IRSA-010: the statement does not allow sts:AssumeRoleWithWebIdentity; replace sts:AssumeRole, else add it. */
export const irsa010AllowWebIdentity: Fixer<'IRSA-010'> = {
  rule: 'IRSA-010',
  order: FIX_ORDER.principal,
  role: (finding, { patch }) =>
    ok(
      patch.allowWebIdentity(statementIndexOf(finding)),
      'the statement uses NotAction; say which actions it should allow',
    ),
};
