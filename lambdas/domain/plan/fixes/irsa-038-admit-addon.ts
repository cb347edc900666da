import { addSubjectToStatement, admitWorkload } from './admit-workload';
import { FIX_ORDER, type Fixer } from './fixer';

/** IRSA-038: an EKS add-on's service account is not allowed by the role it names; add it to :sub. */
export const irsa038AdmitAddon: Fixer<'IRSA-038'> = {
  rule: 'IRSA-038',
  order: FIX_ORDER.additions,
  role: (finding, ctx) => admitWorkload(finding, ctx, (w) => addSubjectToStatement(finding, ctx, w)),
};
