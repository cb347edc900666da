import { parseEksIssuer } from '../../arn';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { ProviderScope } from './provider-scope';

export interface OrphanProviderEvidence {
  readonly url: string;
  readonly region: string;
  /** The first few roles that still trust the provider, and how many there are. */
  readonly referencedBy: readonly string[];
  readonly referencedByCount: number;
  readonly safeToDelete: boolean;
}

/** IRSA-005: the provider's issuer is no scanned cluster's, in a region and account read completely. */
export function checkOrphanProvider(p: ProviderScope): void {
  const { ref, ctx } = p;
  const region = parseEksIssuer(ref.provider.url)?.region;
  if (!region || !ctx.index.regionScanned(ref.accountId, region) || !ctx.index.isComplete(ref.accountId)) return;
  const account = ctx.index.accounts.get(ref.accountId);
  const quota = account?.quotas?.oidcProvidersPerAccount ?? 100;
  const nearQuota = (account?.oidcProviders.length ?? 0) >= quota * 0.8;
  const references = p.references;
  p.emit(
    'IRSA-005',
    `Provider ${ref.provider.url} matches no cluster in the scanned estate${
      references.count > 0 ? `; ${references.count} role(s) still trust it, so do not delete it yet` : ''
    }.`,
    {
      url: ref.provider.url,
      region,
      referencedBy: references.sample,
      referencedByCount: references.count,
      safeToDelete: references.count === 0,
    },
    nearQuota ? 'medium' : 'low',
  );
}

export const IRSA_005 = defineRule<OrphanProviderEvidence>()({
  id: 'IRSA-005',
  severity: 'low',
  title: 'Orphaned OIDC provider: no cluster has this issuer',
  explanation:
    'The provider names an EKS issuer that no scanned cluster has: the cluster was deleted or recreated. Orphans count toward the per-account provider quota, and roles that still trust them are broken.',
  remediation: 'Delete the provider after confirming no role trusts it (deletion always needs approval).',
  references: [DOC.enableIrsa, DOC.quotas],
});
