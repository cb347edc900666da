import { correctSwappedEksHost, issuerKey, parseArn, parseEksIssuer, stripScheme } from '../../arn';
import type { ClusterRef } from '../../estate-index';
import type { RoleAnalysis } from '../context';
import type { Either, StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { StatementScope } from './statement-scope';

/** The provider ARN differs from a known cluster's issuer only in spelling (case, trailing slash, port). */
export interface ProviderSpellingEvidence extends StatementEvidence {
  readonly federated: string;
  readonly expectedFederated: string;
}

/** A cluster a stale provider may have meant, and why it is a candidate. */
export interface CandidateCluster {
  readonly cluster: string;
  readonly region: string;
  readonly accountId: string;
  /** The cluster's issuer, without https://. */
  readonly issuer: string;
  readonly why: string;
}

/** The provider names an issuer no scanned cluster has. */
export interface StaleProviderEvidence extends StatementEvidence {
  readonly federated: string;
  readonly providerExists: boolean;
  /** At most 20, best evidence first. */
  readonly candidates: readonly CandidateCluster[];
  /** Present when more clusters than those listed are candidates. */
  readonly moreCandidates?: true;
  /** False when the provider's region was not scanned, so the finding is unconfirmed. */
  readonly verified: boolean;
}

/** How many candidate clusters a stale-provider finding lists (its evidence counts the rest). */
const MAX_CANDIDATES = 20;

/** IRSA-012: the Federated provider names no scanned cluster's issuer exactly. */
function checkProviderCluster(s: StatementScope): void {
  for (const p of s.view.providers) {
    if (s.ctx.index.clustersByHostPath.get(p.url)) continue;
    const sameKey = s.ctx.index.clustersByKey.get(p.key)?.[0];
    if (sameKey) {
      s.emit(
        'IRSA-012',
        `${s.at()} trusts ${p.arn}, which differs from cluster ${sameKey.cluster.name}'s issuer ${sameKey.hostPath} in spelling (case, trailing slash or port); the ARN must match exactly.`,
        { federated: p.arn, expectedFederated: s.expectedFederated(sameKey) },
        { discriminator: p.arn },
      );
    } else reportStaleProvider(p.arn, p.url, s);
  }
}

function reportStaleProvider(arn: string, url: string, s: StatementScope): void {
  const { candidates, refs } = staleCandidates(arn, url, s);
  const more = refs.length > MAX_CANDIDATES;
  const region = parseEksIssuer(url)?.region ?? parseEksIssuer(correctSwappedEksHost(url) ?? '')?.region;
  const verifiable = region === undefined || s.ctx.index.regionScannedAnywhere(region);
  const closest =
    candidates.length > 0
      ? `; closest: ${candidates
          .slice(0, 5)
          .map((c) => `${c.cluster} (${c.why})`)
          .join('; ')}${refs.length > 5 ? `; and ${more ? 'more' : `${refs.length - 5} more`}` : ''}`
      : '';
  s.emit(
    'IRSA-012',
    `${s.at()} trusts ${arn}, but no cluster in the scanned estate has the issuer https://${stripScheme(url)}${closest}${
      verifiable ? '' : `; region ${region} was not scanned, so this is unconfirmed`
    }.`,
    {
      federated: arn,
      providerExists: s.ctx.index.providersByArn.get(arn) !== undefined,
      candidates,
      ...(more ? { moreCandidates: true as const } : {}),
      verified: verifiable,
    },
    {
      discriminator: arn,
      ...(verifiable ? {} : { severity: 'info' as const }),
      ...(refs.length === 1 ? { cluster: refs[0] } : {}),
    },
  );
}

/**
 * The clusters a stale provider may have meant, best evidence first. At most MAX_CANDIDATES are listed, and no
 * more than one past that is looked for: an account may hold thousands of clusters in a region and a role
 * thousands of workloads, and looking through them all for each stale statement would cost statements x clusters.
 * Each source is a list of distinct issuers, made once.
 */
function staleCandidates(arn: string, url: string, s: StatementScope): Candidates {
  const { index } = s.ctx;
  const found = new Candidates();
  const swapped = correctSwappedEksHost(url);
  if (swapped) {
    found.addAll(distinctIssuers(index.clustersByKey.get(issuerKey(swapped))), () => SWAPPED_HOST);
  }
  const eks = parseEksIssuer(url);
  if (eks) {
    const sameId = distinctIssuers(index.clustersByIssuerId.get(eks.id.toUpperCase()));
    found.addAll(sameId, (c) => `same issuer id, region ${c.cluster.region} instead of ${eks.region}`);
  }
  for (const { cluster, why } of workloadClusters(s.role, s)) if (!found.add(cluster, why)) break;
  if (eks) {
    // The role's and the provider's accounts, in snapshot order as a scan of every cluster would meet them.
    const accounts = [s.role.ref.accountId, parseArn(arn)?.accountId ?? s.role.ref.accountId];
    const sameRegion = distinctIssuers(index.clustersInAccounts(accounts, eks.region));
    found.addAll(sameRegion, () => `cluster in ${eks.region}: recreated cluster with a new issuer id?`);
  }
  return found;
}

const SWAPPED_HOST = 'host written oidc.<region>.eks instead of oidc.eks.<region>';

/** Candidate clusters, each issuer once: the first MAX_CANDIDATES listed, and whether there are more. */
class Candidates {
  readonly candidates: CandidateCluster[] = [];
  readonly refs: ClusterRef[] = [];
  private readonly seen = new Set<string>();

  /** Adds a cluster; false once more than MAX_CANDIDATES are known (looking further is pointless). */
  add(c: ClusterRef, why: string): boolean {
    if (this.refs.length > MAX_CANDIDATES) return false;
    if (this.seen.has(c.hostPath)) return true;
    this.seen.add(c.hostPath);
    this.refs.push(c);
    if (this.candidates.length < MAX_CANDIDATES) {
      const { name: cluster, region } = c.cluster;
      this.candidates.push({ cluster, region, accountId: c.accountId, issuer: c.hostPath, why });
    }
    return true;
  }

  addAll(clusters: readonly ClusterRef[], why: (c: ClusterRef) => string): void {
    for (const c of clusters) if (!this.add(c, why(c))) return;
  }
}

/** The clusters of a list with distinct issuers, in order (made once per list). */
const distinctByList = new WeakMap<readonly ClusterRef[], readonly ClusterRef[]>();
function distinctIssuers(list: readonly ClusterRef[] | undefined): readonly ClusterRef[] {
  if (!list) return [];
  let out = distinctByList.get(list);
  if (!out) {
    const seen = new Set<string>();
    out = list.filter((c) => !seen.has(c.hostPath) && seen.add(c.hostPath));
    distinctByList.set(list, out);
  }
  return out;
}

/** The clusters a role's workloads run on, each once with the first workload there (made once per role). */
const workloadClusterCache = new WeakMap<RoleAnalysis, ReadonlyArray<{ cluster: ClusterRef; why: string }>>();
function workloadClusters(role: RoleAnalysis, s: StatementScope): ReadonlyArray<{ cluster: ClusterRef; why: string }> {
  let out = workloadClusterCache.get(role);
  if (!out) {
    const seen = new Set<string>();
    const list: Array<{ cluster: ClusterRef; why: string }> = [];
    for (const sa of s.ctx.index.serviceAccountsByRole.get(role.ref.role.arn) ?? []) {
      const c = s.ctx.index.clusterByName(sa.accountId, sa.serviceAccount.cluster, sa.serviceAccount.region);
      if (!c || seen.has(c.hostPath)) continue;
      seen.add(c.hostPath);
      list.push({
        cluster: c,
        why: `service account ${sa.serviceAccount.namespace}/${sa.serviceAccount.name} on this cluster uses the role`,
      });
    }
    out = list;
    workloadClusterCache.set(role, out);
  }
  return out;
}

export const IRSA_012 = defineRule<Either<ProviderSpellingEvidence, StaleProviderEvidence>>()({
  id: 'IRSA-012',
  severity: 'critical',
  title: 'Federated principal names a provider that matches no cluster',
  explanation:
    'The provider ARN in the trust policy must name the issuer of the cluster the pods run on. A recreated cluster (new id), a copied region, the wrong partition or the host-order typo oidc.<region>.eks.amazonaws.com all leave the statement matching nothing.',
  podError: ACCESS_DENIED,
  remediation:
    'Replace the provider ARN and the condition-key prefixes together, in one UpdateAssumeRolePolicy, with those of the intended cluster.',
  references: [DOC.lbcWebIdentity, DOC.troubleshootIrsa],
  checkStatement: checkProviderCluster,
});
