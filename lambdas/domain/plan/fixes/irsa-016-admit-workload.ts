import { addSubjectToStatement, admitWorkload } from './admit-workload';
import { FIX_ORDER, type Fixer } from './fixer';

/** IRSA-016: a known workload's subject is not allowed by the statement for its cluster; add it to :sub. */
export const irsa016AdmitWorkload: Fixer<'IRSA-016'> = {
  rule: 'IRSA-016',
  order: FIX_ORDER.additions,
  role: (finding, ctx) => admitWorkload(finding, ctx, (w) => addSubjectToStatement(finding, ctx, w)),
};
