import { DEFAULT_AUDIENCE } from '../../snapshot';
import { FIX_ORDER, type Fixer } from './fixer';

/** IRSA-003: the provider does not list sts.amazonaws.com as a client id; add it (one plan with IRSA-036's). */
export const irsa003AddStsAudience: Fixer<'IRSA-003'> = {
  rule: 'IRSA-003',
  order: FIX_ORDER.keys,
  provider: (findings, ctx) => {
    for (const f of findings) ctx.wantAudience(f, DEFAULT_AUDIENCE);
  },
};
