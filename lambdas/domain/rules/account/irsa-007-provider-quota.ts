import { issuerKey, looksLikeEksIssuer } from '../../arn';
import { type AccountSnapshot, DEFAULT_OIDC_PROVIDER_QUOTA } from '../../snapshot';
import type { AnalysisContext } from '../context';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';

export interface ProviderQuotaEvidence {
  /** How many OIDC providers the account has. */
  readonly providers: number;
  readonly quota: number;
  /** ARNs of the providers whose issuer matches no scanned cluster. */
  readonly orphans: readonly string[];
}

/** IRSA-007: the account's OIDC providers are at 90% of their quota or more. */
export function checkProviderQuota(account: AccountSnapshot, ctx: AnalysisContext): void {
  const quota = account.quotas?.oidcProvidersPerAccount ?? DEFAULT_OIDC_PROVIDER_QUOTA;
  const count = account.oidcProviders.length;
  if (count < Math.ceil(quota * 0.9)) return;
  const orphans = account.oidcProviders.filter(
    (p) => looksLikeEksIssuer(p.url) && !ctx.index.clustersByKey.has(issuerKey(p.url)),
  );
  ctx.emit({
    ruleId: 'IRSA-007',
    accountId: account.accountId,
    resourceArn: `arn:${ctx.index.partition}:iam::${account.accountId}:root`,
    resourceType: 'account',
    severity: count >= quota ? 'high' : 'medium',
    message: `Account ${account.accountId} has ${count} OIDC providers of a quota of ${quota}${
      orphans.length > 0 ? `; ${orphans.length} of them match no cluster` : ''
    }.`,
    evidence: { providers: count, quota, orphans: orphans.map((p) => p.arn) },
  });
}

export const IRSA_007 = defineRule<ProviderQuotaEvidence>()({
  id: 'IRSA-007',
  severity: 'medium',
  title: 'OIDC provider quota nearly exhausted',
  explanation:
    'IAM allows 100 OIDC providers per account by default (adjustable). At the limit, creating a provider for a new cluster fails with LimitExceeded.',
  remediation:
    'Delete orphaned providers (IRSA-005), request a quota increase (Service Quotas iam L-858F3967), or move workloads to EKS Pod Identity, which needs no provider.',
  references: [DOC.quotas, DOC.podId],
});
