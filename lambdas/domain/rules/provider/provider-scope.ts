import { correctSwappedEksHost, issuerKey, looksLikeEksIssuer } from '../../arn';
import type { ClusterRef, ProviderRef } from '../../estate-index';
import type { EvidenceOf, RuleId, Severity } from '../../finding';
import type { AnalysisContext, Usage } from '../context';
import { checkProviderAudience } from './irsa-003-provider-audience';
import { checkThumbprints } from './irsa-004-thumbprints';
import { checkOrphanProvider } from './irsa-005-orphan-provider';
import { checkProviderUrl } from './irsa-006-provider-url';

/** One OIDC provider of an EKS issuer: what its checks read, and how they report on it. */
export class ProviderScope {
  /** The roles that name it as a Federated principal: how many, and the first few. */
  readonly references: Usage;

  constructor(
    readonly ref: ProviderRef,
    readonly ctx: AnalysisContext,
    /** The cluster it is for: exactly, by its issuer key, or with the host order corrected. */
    readonly cluster: ClusterRef | undefined,
  ) {
    this.references = ctx.referencesTo(ref.provider.arn);
  }

  emit<R extends RuleId>(ruleId: R, message: string, evidence: EvidenceOf<R>, severity?: Severity): void {
    this.ctx.emit({
      ruleId,
      accountId: this.ref.accountId,
      resourceArn: this.ref.provider.arn,
      resourceType: 'oidc-provider',
      cluster: this.cluster,
      message,
      evidence,
      severity,
    });
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
  const cluster = sameKey ?? (swapped ? ctx.index.clustersByKey.get(issuerKey(swapped))?.[0] : undefined);
  const p = new ProviderScope(ref, ctx, cluster);
  if (!exact && cluster) checkProviderUrl(p, cluster);
  if (cluster || p.references.count > 0) {
    checkProviderAudience(p);
    checkThumbprints(p);
  }
  if (!cluster) checkOrphanProvider(p);
}
