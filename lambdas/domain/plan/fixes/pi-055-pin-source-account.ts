import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

/** PI-055: the Pod Identity statement does not pin aws:SourceAccount; pin it to the role's account. */
export const pi055PinSourceAccount: Fixer<'PI-055'> = {
  rule: 'PI-055',
  order: FIX_ORDER.additions,
  role: (finding, { patch, role }) =>
    ok(
      patch.addCondition(statementIndexOf(finding), 'StringEquals', 'aws:SourceAccount', role.accountId),
      'statement not found',
    ),
};
