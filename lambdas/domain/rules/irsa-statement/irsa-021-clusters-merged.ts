import type { StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { StatementScope } from './statement-scope';

/** One issuer a statement merging clusters holds: the cluster when it is known, else the issuer alone. */
export type MergedIssuer =
  | { readonly issuer: string; readonly cluster: string; readonly region: string; readonly accountId: string }
  | { readonly issuer: string };

export interface MergedClustersEvidence extends StatementEvidence {
  readonly issuers: readonly MergedIssuer[];
}

/** IRSA-021: several clusters' issuers in one statement, whose keys are ANDed. */
function checkMergedClusters(s: StatementScope): void {
  if (!s.merged) return;
  const clusterKeys = new Set([...s.providerKeys, ...s.knownPrefixKeys]);
  const clusters: MergedIssuer[] = [...clusterKeys].map((k) => {
    const c = s.ctx.index.clustersByKey.get(k)?.[0];
    return c
      ? { issuer: c.hostPath, cluster: c.cluster.name, region: c.cluster.region, accountId: c.accountId }
      : { issuer: k };
  });
  s.emit(
    'IRSA-021',
    `${s.at()} holds ${clusterKeys.size} issuers in one statement (${clusters
      .map((c) => ('cluster' in c ? `${c.cluster} in ${c.region}` : c.issuer))
      .join(', ')}); its keys are ANDed, so a token from any one of them is denied.`,
    { issuers: clusters },
  );
}

export const IRSA_021 = defineRule<MergedClustersEvidence>()({
  id: 'IRSA-021',
  severity: 'critical',
  title: 'Several clusters merged into one statement',
  explanation:
    "All condition keys of a statement are ANDed and a key absent from the request is false. A token from cluster A never carries cluster B's keys, so a statement holding both clusters' keys (or listing both providers) denies every cluster.",
  podError: ACCESS_DENIED,
  remediation:
    'Give each cluster its own statement: its provider ARN as the Federated principal and its own :sub and :aud keys.',
  references: [DOC.lbcWebIdentity, DOC.conditionOps],
  checkStatement: checkMergedClusters,
});
