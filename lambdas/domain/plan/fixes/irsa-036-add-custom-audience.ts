import { FIX_ORDER, type Fixer, ok } from './fixer';

/**
 * IRSA-036: a workload's custom token audience is not honoured. On the provider: add it as a client id (one
 * add-client-id plan with IRSA-003's). On the role: add it to the :aud condition of the cluster's statement.
 */
export const irsa036AddCustomAudience: Fixer<'IRSA-036'> = {
  rule: 'IRSA-036',
  order: FIX_ORDER.additions,
  provider: (findings, ctx) => {
    for (const f of findings) ctx.wantAudience(f, f.evidence.audience);
  },
  role: (finding, { patch, views, lookups }) => {
    const cluster = lookups.clusterOf(finding);
    const target = views.find((v) =>
      v.issuerConditions.some((c) => c.claimNormal === 'aud' && c.prefixKey === cluster?.key),
    );
    const aud = target?.issuerConditions.find((c) => c.claimNormal === 'aud');
    return ok(
      target !== undefined &&
        aud !== undefined &&
        patch.addValue(target.statement.index, aud.entry.operatorText, aud.entry.key, finding.evidence.audience),
      'no :aud condition to extend',
    );
  },
};
