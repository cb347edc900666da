import { providerArn } from '../../arn';
import type { ClusterRef } from '../../estate-index';
import type { Finding } from '../../finding';

/** The findings of a known workload the role does not let in. */
type WorkloadFinding = Finding<'IRSA-016' | 'IRSA-038' | 'IRSA-031'>;

import { DEFAULT_AUDIENCE } from '../../snapshot';
import { WEB_IDENTITY_ACTION } from '../../trust-policy/evaluate';
import { FIXED, type Outcome, ok, open, type RoleFixContext, statementIndexOf } from './fixer';
import { incompleteReadReason } from './kube-read';

/** The workload a finding names (IRSA-016, IRSA-038, IRSA-031) on its cluster. */
interface Workload {
  readonly subject: string;
  readonly aud: string;
  readonly cluster: ClusterRef;
  readonly arn: string;
}

/**
 * Lets a known workload in: `edit` adds it to the document unless an earlier fix of this plan already did (its
 * :sub swapped back, a key renamed, the stale statement repointed to its cluster), and the plan records the request
 * as intended, so its proof checks the workload is allowed after.
 */
export function admitWorkload(finding: WorkloadFinding, ctx: RoleFixContext, edit: (w: Workload) => Outcome): Outcome {
  const cluster = ctx.lookups.clusterOf(finding);
  if (!cluster) return open('the cluster is not in the snapshot');
  const { subject, serviceAccount } = finding.evidence;
  const w: Workload = {
    subject,
    aud: serviceAccount.audience ?? DEFAULT_AUDIENCE,
    cluster,
    arn: providerArn(ctx.lookups.partition, ctx.role.accountId, cluster.hostPath),
  };
  const incomplete = incompleteReadReason(
    cluster,
    `the plan admits ${subject}, and the service accounts that use this role are not all known`,
  );
  if (incomplete) ctx.proposeOnly.push(incomplete);
  const changesBefore = ctx.patch.changes.length;
  const outcome = ctx.current.admits(w.arn, cluster.hostPath, w.subject, w.aud) ? FIXED : edit(w);
  ctx.current.added(w.subject, changesBefore);
  ctx.intended.push({
    providerArn: w.arn,
    sub: w.subject,
    aud: w.aud,
    why: `the workload ${w.subject} on cluster ${cluster.cluster.name} uses this role`,
  });
  return outcome;
}

/** Adds the subject to the :sub condition of the finding's statement (or a new StringEquals :sub key). */
export function addSubjectToStatement(
  finding: Finding<'IRSA-016' | 'IRSA-038'>,
  ctx: RoleFixContext,
  w: Workload,
): Outcome {
  const target = ctx.views[statementIndexOf(finding)];
  const sub = target?.issuerConditions.find(
    (c) =>
      c.claimNormal === 'sub' && (c.entry.operator?.base === 'StringEquals' || c.entry.operator?.base === 'StringLike'),
  );
  const at = target?.statement.index ?? -1;
  return ok(
    sub
      ? ctx.patch.addValue(at, sub.entry.operatorText, sub.entry.key, w.subject)
      : ctx.patch.addCondition(at, 'StringEquals', `${w.cluster.hostPath}:sub`, w.subject),
    'the statement for this cluster was not found',
  );
}

/** Appends a statement of the workload's cluster (its own provider and keys) allowing just the workload. */
export function appendClusterStatement(ctx: RoleFixContext, w: Workload): Outcome {
  ctx.patch.append(
    {
      Effect: 'Allow',
      Principal: { Federated: w.arn },
      Action: WEB_IDENTITY_ACTION,
      Condition: {
        StringEquals: { [`${w.cluster.hostPath}:sub`]: w.subject, [`${w.cluster.hostPath}:aud`]: w.aud },
      },
    },
    `added a statement for cluster ${w.cluster.cluster.name} (its own provider and keys) allowing ${w.subject}`,
  );
  return FIXED;
}
