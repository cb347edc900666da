import { correctSwappedEksHost } from '../../arn';
import type { ClusterRef } from '../../estate-index';
import { defineRule } from '../rule';
import { DOC, NO_PROVIDER } from '../rule-docs';
import type { ProviderScope } from './provider-scope';

export interface ProviderUrlEvidence {
  readonly url: string;
  /** The cluster's issuer URL, with https://. */
  readonly issuer: string;
  readonly referencedBy: readonly string[];
}

/** IRSA-006: the provider URL is a near miss of a cluster's issuer. */
export function checkProviderUrl(p: ProviderScope, cluster: ClusterRef): void {
  const { url } = p.ref.provider;
  p.emit(
    'IRSA-006',
    `Provider URL "${url}" is not exactly cluster ${cluster.cluster.name}'s issuer "${cluster.hostPath}" (${urlProblem(url, cluster.hostPath)}); no token will match it.`,
    { url, issuer: `https://${cluster.hostPath}`, referencedBy: p.references.sample },
  );
}

function urlProblem(url: string, issuer: string): string {
  if (/^https?:\/\//i.test(url)) return 'it includes the scheme';
  if (/\/$/.test(url)) return 'trailing slash';
  if (/:\d+(\/|$)/.test(url)) return 'it includes a port';
  if (correctSwappedEksHost(url)) return 'host written oidc.<region>.eks instead of oidc.eks.<region>';
  if (url.toLowerCase() === issuer.toLowerCase()) return 'letter case differs';
  return 'spelling differs';
}

export const IRSA_006 = defineRule<ProviderUrlEvidence>()({
  id: 'IRSA-006',
  severity: 'high',
  title: 'OIDC provider URL does not match the cluster issuer exactly',
  explanation:
    'The provider URL must equal the issuer without its https:// scheme: same host, region, id and case, no trailing slash, no port. A near-miss registers a provider that no token will ever match.',
  podError: NO_PROVIDER,
  remediation: 'Create a provider with the exact issuer URL; leave the wrong one until no trust policy references it.',
  references: [DOC.enableIrsa, DOC.troubleshootIrsa],
});
