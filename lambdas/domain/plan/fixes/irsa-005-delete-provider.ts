import { FIX_ORDER, type Fixer } from './fixer';

/** IRSA-005: a provider no scanned cluster has and no role trusts. Propose deleting it; a person always confirms. */
export const irsa005DeleteProvider: Fixer<'IRSA-005'> = {
  rule: 'IRSA-005',
  order: FIX_ORDER.additions,
  provider: (findings, ctx) => {
    const orphan = findings.filter((f) => f.evidence.safeToDelete === true);
    const first = orphan[0];
    if (!first || !ctx.before) return;
    ctx.plan(first, {
      change: { action: 'delete-oidc-provider', before: ctx.before, after: null },
      fixes: orphan,
      rationale: `Delete the provider ${ctx.before.url}: no scanned cluster has this issuer and no role trusts it.`,
      risk: {
        level: 'high',
        notes: ['Irreversible for any workload outside the scanned estate that still relies on this issuer.'],
      },
      proposeOnly: 'deleting a provider always needs a person to confirm the cluster is gone for good',
    });
  },
};
