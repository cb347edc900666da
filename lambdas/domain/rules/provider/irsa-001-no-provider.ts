import type { ClusterRef } from '../../estate-index';
import type { AnalysisContext, Usage } from '../context';
import { defineRule } from '../rule';
import { DOC, NO_PROVIDER } from '../rule-docs';

export interface MissingProviderEvidence {
  /** The cluster's issuer URL, with https://. */
  readonly issuer: string;
  readonly expectedProviderArn: string;
  readonly clusterAccountId: string;
  /** The first few roles of the account that trust the cluster, and how many there are. */
  readonly usedBy: readonly string[];
  readonly usedByCount: number;
  /** Providers of the account whose URL is the issuer spelled differently (IRSA-006). */
  readonly nearMatchProviders?: readonly string[];
}

/** Every cluster needs a provider in its own account and in each account whose roles trust it (IRSA-001). */
export function checkClusterProviders(ctx: AnalysisContext): void {
  for (const cluster of ctx.index.clusters) {
    const users = ctx.clusterUse.get(cluster.key) ?? new Map<string, Usage>();
    const accounts = new Set([cluster.accountId, ...users.keys()]);
    for (const accountId of accounts) {
      if (!ctx.index.accounts.has(accountId) || !ctx.index.isComplete(accountId)) continue;
      const arn = ctx.expectedProviderArn(accountId, cluster);
      if (!ctx.index.providersByArn.has(arn)) reportMissingProvider(cluster, accountId, arn, users.get(accountId), ctx);
    }
  }
}

function reportMissingProvider(
  cluster: ClusterRef,
  accountId: string,
  arn: string,
  usage: Usage | undefined,
  ctx: AnalysisContext,
): void {
  const usedBy = usage?.sample ?? [];
  const userCount = usage?.count ?? 0;
  // By key, not a scan of every provider per cluster (clusters x providers).
  const nearMiss = ctx.index.providersByAccountAndKey(accountId, cluster.key);
  const where = `cluster ${cluster.cluster.name} (${cluster.cluster.region})`;
  ctx.emit({
    ruleId: 'IRSA-001',
    accountId,
    resourceArn: arn,
    resourceType: 'oidc-provider',
    cluster,
    severity: userCount > 0 ? 'critical' : 'info',
    message:
      userCount > 0
        ? `Account ${accountId} has no IAM OIDC provider for ${where}, but ${userCount} role(s) there rely on it: ${usedBy.slice(0, 5).map(shortRole).join(', ')}${userCount > 5 ? ', ...' : ''}.`
        : `${where.charAt(0).toUpperCase()}${where.slice(1)} has no IAM OIDC provider in account ${accountId}: IRSA is not enabled for it (no role trusts it yet).`,
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

function shortRole(arn: string): string {
  return arn.slice(arn.indexOf(':role/') + 6) || arn;
}

export const IRSA_001 = defineRule<MissingProviderEvidence>()({
  id: 'IRSA-001',
  severity: 'critical',
  title: 'No IAM OIDC provider for the cluster issuer',
  explanation:
    'STS accepts a pod token only when the account that owns the role has an IAM OIDC provider registered for the exact issuer URL of the cluster. Without it, every IRSA workload that uses a role in this account fails.',
  podError: NO_PROVIDER,
  remediation:
    'Create the provider: CreateOpenIDConnectProvider(Url=<issuer>, ClientIDList=["sts.amazonaws.com"]), omitting ThumbprintList so IAM fetches it. If the provider does exist, suspect the SDK calling the wrong partition or region (IRSA-040).',
  references: [DOC.enableIrsa, DOC.troubleshootIrsa],
});
