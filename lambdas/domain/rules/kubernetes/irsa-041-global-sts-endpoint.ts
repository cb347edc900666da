import { STS_REGIONAL_ANNOTATION } from '../../kube-annotations';
import type { KubePod, KubeServiceAccount } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import { byWorkload, envValue, type KubeClusterScope, type PodGroupEvidence, podRef, workloadText } from './kube-scope';

export interface GlobalStsEvidence {
  /** AWS_STS_REGIONAL_ENDPOINTS as the pods carry it (null: from valueFrom). */
  readonly AWS_STS_REGIONAL_ENDPOINTS?: string | null;
  readonly stsRegionalAnnotation?: string;
  readonly workload: PodGroupEvidence;
}

/**
 * IRSA-041: in the aws partition, pods told to use the global STS endpoint (AWS_STS_REGIONAL_ENDPOINTS=legacy, or
 * the service account annotated sts-regional-endpoints "false"). The global endpoint has no private DNS name, so a
 * private cluster (no internet path) cannot reach it, and opt-in regions are not served in-region.
 */
export function checkGlobalSts(
  scope: KubeClusterScope,
  sa: KubeServiceAccount,
  roleArn: string,
  pods: readonly KubePod[],
): void {
  if (scope.ctx.index.partition !== 'aws') return; // IRSA-040 covers the other partitions
  const annotation = sa.annotations[STS_REGIONAL_ANNOTATION];
  const legacy = pods.filter((pod) => {
    const v = envValue(pod, 'AWS_STS_REGIONAL_ENDPOINTS');
    return v === 'legacy' || (v === undefined && annotation?.trim().toLowerCase() === 'false');
  });
  for (const { first, evidence } of byWorkload(legacy)) {
    const v = envValue(first, 'AWS_STS_REGIONAL_ENDPOINTS');
    scope.ctx.emit({
      ruleId: 'IRSA-041',
      ...scope.onRole(
        roleArn,
        podRef(first),
        evidence.namespace,
        evidence.owner?.kind ?? '',
        evidence.owner?.name ?? first.name,
      ),
      message: `${workloadText(evidence)} on cluster ${scope.cluster.cluster.name} ${
        v === 'legacy'
          ? 'sets AWS_STS_REGIONAL_ENDPOINTS=legacy'
          : `runs as service account ${sa.namespace}/${sa.name}, annotated ${STS_REGIONAL_ANNOTATION}: "${annotation}"`
      }: its SDK calls the global endpoint sts.amazonaws.com, which a private cluster without an internet path cannot reach.`,
      evidence: {
        ...(v !== undefined ? { AWS_STS_REGIONAL_ENDPOINTS: v } : {}),
        ...(annotation !== undefined ? { stsRegionalAnnotation: annotation } : {}),
        workload: evidence,
      },
    });
  }
}

export const IRSA_041 = defineRule<GlobalStsEvidence>()({
  id: 'IRSA-041',
  severity: 'medium',
  title: 'Pods use the global STS endpoint',
  explanation:
    'The global STS endpoint (sts.amazonaws.com) does not support private DNS names: pods of a private cluster, reaching AWS through VPC endpoints only, time out on it, and requests from opt-in regions are not served in-region. Regional endpoints work everywhere.',
  podError:
    'WebIdentityErr: failed to retrieve credentials\ncaused by: RequestError: send request failed\ncaused by: Post https://sts.amazonaws.com/: dial tcp <address>:443: i/o timeout',
  remediation:
    'Annotate the service account eks.amazonaws.com/sts-regional-endpoints: "true" (or set AWS_STS_REGIONAL_ENDPOINTS=regional), then restart the pods.',
  references: [DOC.stsEndpoint, DOC.stsRegions],
});
