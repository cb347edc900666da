import { DEFAULT_AUDIENCE } from '../../snapshot';
import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

/** IRSA-020: :aud allows values pod tokens never carry; set it to sts.amazonaws.com. */
export const irsa020SetStsAudience: Fixer<'IRSA-020'> = {
  rule: 'IRSA-020',
  order: FIX_ORDER.keys,
  role: (finding, { patch }) =>
    ok(
      patch.setValues(
        statementIndexOf(finding),
        finding.evidence.conditionKey,
        [DEFAULT_AUDIENCE],
        `:aud set to ${DEFAULT_AUDIENCE}`,
      ),
      'key not found',
    ),
};
