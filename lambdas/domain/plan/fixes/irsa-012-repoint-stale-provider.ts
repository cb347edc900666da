import { parseEksIssuer, providerArn, providerUrlFromArn } from '../../arn';
import type { Finding } from '../../finding';
import type { CandidateCluster } from '../../rules/evidence';
import type { PlanningLookups } from '../planning-lookups';
import { FIX_ORDER, type Fixer, ok, open, type RoleFixContext, statementIndexOf } from './fixer';

type Candidate = Pick<CandidateCluster, 'cluster' | 'region' | 'issuer'>;

/**
 * IRSA-012: the statement trusts a provider no scanned cluster has. Repoint it (principal and key prefixes) to the
 * cluster the evidence names: the expected provider, else the best-ranked candidate (staleCandidate).
 */
export const irsa012RepointStaleProvider: Fixer<'IRSA-012'> = {
  rule: 'IRSA-012',
  order: FIX_ORDER.principal,
  role: (finding, ctx) => {
    const { federated, expectedFederated, candidates = [], moreCandidates } = finding.evidence;
    const expected = expectedFederated === undefined ? undefined : providerUrlFromArn(expectedFederated);
    const choice =
      expected === undefined
        ? staleCandidate(ctx.lookups, ctx.role.role.arn, federated, candidates, moreCandidates === true)
        : undefined;
    const target = expected ?? choice?.issuer;
    if (!target) {
      const count =
        candidates.length === 0 ? 'no' : moreCandidates === true ? `more than ${candidates.length}` : candidates.length;
      return open(`${count} candidate cluster(s): choose the one this role is for`);
    }
    if (choice?.guess) ctx.proposeOnly.push(choice.guess);
    return repoint(finding, ctx, federated, target);
  },
};

function repoint(finding: Finding<'IRSA-012'>, { patch, role, lookups }: RoleFixContext, from: string, target: string) {
  const idx = statementIndexOf(finding);
  const done = patch.replaceFederated(idx, from, providerArn(lookups.partition, role.accountId, target));
  patch.replaceKeyPrefix(idx, providerUrlFromArn(from) ?? '', target);
  return ok(done, 'statement not found');
}

/**
 * The issuer a stale provider should be repointed to, ranked by evidence: the same issuer id (a template's
 * hard-coded region: EKS issuer ids are unique, so the same id in another region is that cluster), then a
 * workload on the cluster that uses the role; a lone cluster in the same region is only a guess ("recreated?"),
 * returned with the reason it must be shown to a person. Undefined when no single best.
 *
 * The issuer-id and workload evidence is read from the estate index, whole: the analyzer lists at most 20
 * candidates, and a long list of same-region guesses must not hide (or tie with) an exact issuer-id match.
 */
export function staleCandidate(
  lookups: PlanningLookups,
  roleArn: string,
  federated: string,
  candidates: readonly Candidate[],
  cut: boolean,
): { issuer: string; guess?: string } | undefined {
  const id = parseEksIssuer(providerUrlFromArn(federated) ?? '')?.id.toUpperCase();
  const sameId = [...new Set((id ? (lookups.index.clustersByIssuerId.get(id) ?? []) : []).map((c) => c.hostPath))];
  const used = new Set(
    lookups
      .workloadClusters(roleArn)
      .map((w) => lookups.clusterOf(w)?.hostPath)
      .filter((h) => h !== undefined),
  );
  // The issuer id and the workloads disagree (or several clusters carry the id): a person chooses.
  if (sameId.length > 1 || (sameId.length === 1 && [...used].some((u) => u !== sameId[0]))) return undefined;
  if (sameId[0]) return { issuer: sameId[0] };
  if (used.size === 1) return { issuer: [...used][0] as string };
  // A list the analyzer cut (moreCandidates) is never a lone candidate.
  const only = candidates[0];
  if (used.size > 1 || cut || candidates.length !== 1 || !only?.issuer) return undefined;
  return {
    issuer: only.issuer,
    guess: `repointing to cluster ${only.cluster} (${only.region}) is a guess: its issuer id differs from the provider's and no known workload on it uses this role; confirm the cluster was recreated`,
  };
}
