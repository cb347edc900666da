import { FIX_ORDER, FIXED, type Fixer, open, statementIndexOf } from './fixer';

/**
 * PI-055: the Pod Identity statement does not pin aws:SourceAccount; pin it to the role's account. Only the medium
 * PI-055 gets here (info findings are not planned): a statement that lets in more than Pod Identity. The condition
 * would also shut out those other principals (their requests carry no aws:SourceAccount), and the EKS user guide
 * does not document the key for Pod Identity: the plan is never applied, a person confirms.
 */
export const pi055PinSourceAccount: Fixer<'PI-055'> = {
  rule: 'PI-055',
  order: FIX_ORDER.additions,
  role: (finding, { patch, role, proposeOnly }) => {
    if (!patch.addCondition(statementIndexOf(finding), 'StringEquals', 'aws:SourceAccount', role.accountId))
      return open('statement not found');
    const also = finding.evidence.alsoTrusted;
    proposeOnly.push(
      `PI-055 is hardening: aws:SourceAccount would also shut out ${also ? also.join(', ') : 'the other principals of the statement'} (their requests carry no aws:SourceAccount), and the EKS user guide does not document the key for Pod Identity; a person confirms, or moves the other principals to a statement of their own`,
    );
    return FIXED;
  },
};
