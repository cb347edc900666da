import { correctSwappedEksHost, issuerKey, looksLikeEksIssuer, parseEksIssuer } from '../arn';
import type { ClusterRef, ProviderRef } from '../estate-index';
import { DEFAULT_AUDIENCE, DEFAULT_OIDC_PROVIDER_QUOTA, MAX_THUMBPRINTS } from '../snapshot';
import type { AnalysisContext, Usage } from './context';

/** Account-level: collection gaps and the provider quota. */
export function checkAccounts(ctx: AnalysisContext): void {
  for (const account of ctx.index.accounts.values()) {
    const base = {
      accountId: account.accountId,
      resourceArn: `arn:${ctx.index.partition}:iam::${account.accountId}:root`,
      resourceType: 'account' as const,
    };
    const status = account.collection?.status;
    if (status === 'unreachable') {
      ctx.emit({
        ...base,
        ruleId: 'SWEEP-001',
        message: `Account ${account.accountId}${account.name ? ` (${account.name})` : ''} could not be read: ${
          account.collection?.errors?.[0]?.message ?? 'no reason recorded'
        }.`,
        evidence: { errors: account.collection?.errors ?? [] },
      });
      continue;
    }
    if (status === 'partial') {
      ctx.emit({
        ...base,
        ruleId: 'SWEEP-002',
        message: `Account ${account.accountId} was only partly read (${account.collection?.errors?.length ?? 0} failed reads); nothing missing from it is reported as absent.`,
        evidence: { errors: account.collection?.errors ?? [], regions: account.collection?.regions ?? null },
      });
    }
    const quota = account.quotas?.oidcProvidersPerAccount ?? DEFAULT_OIDC_PROVIDER_QUOTA;
    const count = account.oidcProviders.length;
    if (count >= Math.ceil(quota * 0.9)) {
      const orphans = account.oidcProviders.filter(
        (p) => looksLikeEksIssuer(p.url) && !ctx.index.clustersByKey.has(issuerKey(p.url)),
      );
      ctx.emit({
        ...base,
        ruleId: 'IRSA-007',
        severity: count >= quota ? 'high' : 'medium',
        message: `Account ${account.accountId} has ${count} OIDC providers of a quota of ${quota}${
          orphans.length > 0 ? `; ${orphans.length} of them match no cluster` : ''
        }.`,
        evidence: { providers: count, quota, orphans: orphans.map((p) => p.arn) },
      });
    }
  }
}

/** Every cluster needs a provider in its own account and in each account whose roles trust it (IRSA-001). */
export function checkClusterProviders(ctx: AnalysisContext): void {
  for (const cluster of ctx.index.clusters) {
    const users = ctx.clusterUse.get(cluster.key) ?? new Map<string, Usage>();
    const accounts = new Set([cluster.accountId, ...users.keys()]);
    for (const accountId of accounts) {
      if (!ctx.index.accounts.has(accountId) || !ctx.index.isComplete(accountId)) continue;
      const arn = ctx.expectedProviderArn(accountId, cluster);
      if (ctx.index.providersByArn.has(arn)) continue;
      const usage = users.get(accountId);
      const usedBy = usage?.sample ?? [];
      const userCount = usage?.count ?? 0;
      // By key, not a scan of every provider per cluster (clusters x providers).
      const nearMiss = ctx.index.providersByAccountAndKey(accountId, cluster.key);
      ctx.emit({
        ruleId: 'IRSA-001',
        accountId,
        resourceArn: arn,
        resourceType: 'oidc-provider',
        cluster,
        severity: userCount > 0 ? 'critical' : 'info',
        message:
          userCount > 0
            ? `Account ${accountId} has no IAM OIDC provider for cluster ${cluster.cluster.name} (${cluster.cluster.region}), but ${userCount} role(s) there rely on it: ${usedBy.slice(0, 5).map(shortRole).join(', ')}${userCount > 5 ? ', ...' : ''}.`
            : `Cluster ${cluster.cluster.name} (${cluster.cluster.region}) has no IAM OIDC provider in account ${accountId}: IRSA is not enabled for it (no role trusts it yet).`,
        evidence: {
          issuer: `https://${cluster.hostPath}`,
          expectedProviderArn: arn,
          clusterAccountId: cluster.accountId,
          usedBy,
          usedByCount: userCount,
          ...(nearMiss.length > 0 ? { nearMatchProviders: nearMiss.map((p) => p.provider.arn) } : {}),
        },
      });
    }
  }
}

/** Provider-level rules: URL spelling, audience, thumbprints, orphans. */
export function checkProviders(ctx: AnalysisContext): void {
  for (const ref of ctx.index.providersByArn.values()) checkProvider(ref, ctx);
}

function checkProvider(ref: ProviderRef, ctx: AnalysisContext): void {
  const { provider } = ref;
  if (!looksLikeEksIssuer(provider.url)) return;
  const exact = ctx.index.clustersByHostPath.get(provider.url);
  const sameKey = exact ?? ctx.index.clustersByKey.get(ref.key)?.[0];
  const swapped = correctSwappedEksHost(provider.url);
  const swappedCluster = swapped ? ctx.index.clustersByKey.get(issuerKey(swapped))?.[0] : undefined;
  const cluster: ClusterRef | undefined = sameKey ?? swappedCluster;
  const base = {
    accountId: ref.accountId,
    resourceArn: provider.arn,
    resourceType: 'oidc-provider' as const,
    ...(cluster ? { cluster } : {}),
  };
  const references = ctx.referencesTo(provider.arn);
  const referencedBy = references.sample;

  if (!exact && cluster) {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-006',
      message: `Provider URL "${provider.url}" is not exactly cluster ${cluster.cluster.name}'s issuer "${cluster.hostPath}" (${urlProblem(provider.url, cluster.hostPath)}); no token will match it.`,
      evidence: { url: provider.url, issuer: `https://${cluster.hostPath}`, referencedBy },
    });
  }

  if (cluster || references.count > 0) {
    if (!provider.clientIds.includes(DEFAULT_AUDIENCE)) {
      const china = provider.clientIds.includes('sts.amazonaws.com.cn');
      ctx.emit({
        ...base,
        ruleId: 'IRSA-003',
        message: `Provider ${provider.url} lists audiences ${JSON.stringify(provider.clientIds)} without "${DEFAULT_AUDIENCE}"${
          china ? ' (pod tokens carry sts.amazonaws.com in China regions too)' : ''
        }.`,
        evidence: { clientIds: provider.clientIds, missing: DEFAULT_AUDIENCE },
      });
    }
    checkThumbprints(ref, ctx, base);
  }

  if (!cluster) {
    const eks = parseEksIssuer(provider.url);
    const region = eks?.region;
    if (region && ctx.index.regionScanned(ref.accountId, region) && ctx.index.isComplete(ref.accountId)) {
      const account = ctx.index.accounts.get(ref.accountId);
      const quota = account?.quotas?.oidcProvidersPerAccount ?? 100;
      const nearQuota = (account?.oidcProviders.length ?? 0) >= quota * 0.8;
      ctx.emit({
        ...base,
        ruleId: 'IRSA-005',
        severity: nearQuota ? 'medium' : 'low',
        message: `Provider ${provider.url} matches no cluster in the scanned estate${
          references.count > 0 ? `; ${references.count} role(s) still trust it, so do not delete it yet` : ''
        }.`,
        evidence: {
          url: provider.url,
          region,
          referencedBy,
          referencedByCount: references.count,
          safeToDelete: references.count === 0,
        },
      });
    }
  }
}

const HEX40 = /^[0-9a-fA-F]{40}$/;

function checkThumbprints(
  ref: ProviderRef,
  ctx: AnalysisContext,
  base: { accountId: string; resourceArn: string; resourceType: 'oidc-provider'; cluster?: ClusterRef },
): void {
  const { provider } = ref;
  const problems: string[] = [];
  const malformed = provider.thumbprints.filter((t) => !HEX40.test(t));
  if (malformed.length > 0)
    problems.push(
      `malformed thumbprint(s) ${malformed.map((t) => JSON.stringify(t)).join(', ')} (must be 40 hex digits)`,
    );
  if (provider.thumbprints.length > MAX_THUMBPRINTS)
    problems.push(`${provider.thumbprints.length} thumbprints (IAM allows at most ${MAX_THUMBPRINTS})`);
  const tls = provider.tls;
  const lower = provider.thumbprints.map((t) => t.toLowerCase());
  let fallbackMatters = false;
  if (tls?.topCaThumbprint && provider.thumbprints.length > 0 && !lower.includes(tls.topCaThumbprint.toLowerCase())) {
    const leaf = tls.leafThumbprint && lower.includes(tls.leafThumbprint.toLowerCase());
    problems.push(
      leaf
        ? `the thumbprint is the leaf certificate's (${tls.leafThumbprint}); it must be the top CA's (${tls.topCaThumbprint}) and breaks at the next certificate rotation`
        : `none matches the top CA certificate ${tls.host} serves (${tls.topCaThumbprint})`,
    );
    fallbackMatters = tls.publiclyTrusted === false;
  }
  if (problems.length === 0) return;
  const eksPublic = tls?.publiclyTrusted !== false;
  const onlyCosmetic = eksPublic && malformed.length === 0 && provider.thumbprints.length <= MAX_THUMBPRINTS;
  ctx.emit({
    ...base,
    ruleId: 'IRSA-004',
    severity: fallbackMatters ? 'high' : onlyCosmetic ? 'info' : 'medium',
    message: `Provider ${provider.url}: ${problems.join('; ')}.${
      onlyCosmetic
        ? ' The issuer chains to a publicly trusted CA, so IAM does not use the thumbprint: informational.'
        : ''
    }${fallbackMatters ? ' The chain is not publicly trusted, so IAM falls back to the thumbprint and tokens are refused.' : ''}`,
    evidence: { thumbprints: provider.thumbprints, tls: tls ?? null },
  });
}

function urlProblem(url: string, issuer: string): string {
  if (/^https?:\/\//i.test(url)) return 'it includes the scheme';
  if (/\/$/.test(url)) return 'trailing slash';
  if (/:\d+(\/|$)/.test(url)) return 'it includes a port';
  if (correctSwappedEksHost(url)) return 'host written oidc.<region>.eks instead of oidc.eks.<region>';
  if (url.toLowerCase() === issuer.toLowerCase()) return 'letter case differs';
  return 'spelling differs';
}

function shortRole(arn: string): string {
  return arn.slice(arn.indexOf(':role/') + 6) || arn;
}
