import { MAX_THUMBPRINTS } from '../../snapshot';
import { FIX_ORDER, type Fixer } from './fixer';

/**
 * IRSA-004: the provider's thumbprints are malformed or stale. Replace the list with the top CA thumbprint the
 * issuer serves now, then the well-formed current entries (a thumbprint pasted from openssl with colons is the
 * same SHA-1).
 */
export const irsa004UpdateThumbprint: Fixer<'IRSA-004'> = {
  rule: 'IRSA-004',
  order: FIX_ORDER.additions,
  provider: (findings, ctx) => {
    const first = findings[0];
    const before = ctx.before;
    if (!first || !before) return;
    const tls = ctx.existing?.tls;
    const top = tls?.topCaThumbprint?.toLowerCase();
    const thumbprints = newThumbprints(before.thumbprints, top, tls?.leafThumbprint?.toLowerCase());
    ctx.plan(first, {
      change: { action: 'update-thumbprint', before, after: { ...before, thumbprints } },
      fixes: findings,
      rationale: `Replace the thumbprint list with ${JSON.stringify(thumbprints)}: ${top ? 'the top CA certificate the issuer serves now, then ' : ''}the well-formed current entries (UpdateOpenIDConnectProviderThumbprint replaces the whole list; at most ${MAX_THUMBPRINTS}).`,
      risk: {
        level: 'medium',
        notes: ['Only matters where IAM falls back to thumbprints; a wrong list there refuses every token.'],
      },
      ...(thumbprints.length === 0
        ? { proposeOnly: 'no valid thumbprint is known: run a TLS check of the issuer (irsa-doctor scan) first' }
        : {}),
    });
  },
};

function newThumbprints(current: readonly string[], top: string | undefined, leaf: string | undefined): string[] {
  const valid = current.map((t) => t.replace(/:/g, '').toLowerCase()).filter((t) => /^[0-9a-f]{40}$/.test(t));
  const kept = valid.filter((t) => t !== top && t !== leaf);
  return [...(top ? [top] : []), ...kept].slice(0, MAX_THUMBPRINTS);
}
