import { STS_REGIONAL_ANNOTATION } from '../../kube-annotations';
import type { KubePod, KubeServiceAccount } from '../../snapshot';
import { defineRule } from '../rule';
import { DOC, NO_PROVIDER } from '../rule-docs';
import { byWorkload, envValue, type KubeClusterScope, type PodGroupEvidence, podRef, workloadText } from './kube-scope';

/** The region name prefix of each partition other than aws (AWS General Reference; ISO names from EKS issuers). */
const REGION_PREFIX: Readonly<Record<string, string>> = {
  'aws-cn': 'cn-',
  'aws-us-gov': 'us-gov-',
  'aws-iso': 'us-iso-',
  'aws-iso-b': 'us-isob-',
};

/** The partition a region name belongs to. */
export function partitionOfRegion(region: string): string {
  for (const [partition, prefix] of Object.entries(REGION_PREFIX)) if (region.startsWith(prefix)) return partition;
  return 'aws';
}

export interface StsPartitionEvidence {
  readonly partition: string;
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** What the pods carry (null: set from valueFrom; absent: not set). */
  readonly AWS_STS_REGIONAL_ENDPOINTS?: string | null;
  readonly AWS_REGION?: string | null;
  readonly AWS_DEFAULT_REGION?: string | null;
  /** The service account's sts-regional-endpoints annotation, when set. */
  readonly stsRegionalAnnotation?: string;
  readonly problems: readonly string[];
  readonly workload: PodGroupEvidence;
}

/**
 * IRSA-040: outside the aws partition (China, GovCloud, ISO), pods must call their partition's regional STS: the
 * SDKs that default to the global endpoint or us-east-1 call the aws partition, whose account has no provider for
 * the cluster. In every partition, a region variable of another partition sends the call there.
 */
export function checkStsPartition(
  scope: KubeClusterScope,
  sa: KubeServiceAccount,
  roleArn: string,
  pods: readonly KubePod[],
): void {
  const partition = scope.ctx.index.partition;
  const byProblems = new Map<string, KubePod[]>();
  for (const pod of pods) {
    const problems = problemsOf(pod, partition, sa);
    if (problems.length === 0) continue;
    const key = JSON.stringify(problems);
    const list = byProblems.get(key);
    if (list) list.push(pod);
    else byProblems.set(key, [pod]);
  }
  for (const list of byProblems.values()) {
    for (const { first, evidence } of byWorkload(list)) {
      const problems = problemsOf(first, partition, sa);
      const annotation = sa.annotations[STS_REGIONAL_ANNOTATION];
      scope.ctx.emit({
        ruleId: 'IRSA-040',
        ...scope.onRole(
          roleArn,
          podRef(first),
          evidence.namespace,
          evidence.owner?.kind ?? '',
          evidence.owner?.name ?? first.name,
        ),
        message: `${workloadText(evidence)} on cluster ${scope.cluster.cluster.name} (partition ${partition}): ${problems.join('; ')}. Its SDK may call STS in another partition and fail with "No OpenIDConnect provider found" although the provider exists.`,
        evidence: {
          partition,
          serviceAccount: { namespace: sa.namespace, name: sa.name },
          ...envOf(first),
          ...(annotation !== undefined ? { stsRegionalAnnotation: annotation } : {}),
          problems,
          workload: evidence,
        },
      });
    }
  }
}

function envOf(
  pod: KubePod,
): Partial<Record<'AWS_STS_REGIONAL_ENDPOINTS' | 'AWS_REGION' | 'AWS_DEFAULT_REGION', string | null>> {
  const out: Partial<Record<'AWS_STS_REGIONAL_ENDPOINTS' | 'AWS_REGION' | 'AWS_DEFAULT_REGION', string | null>> = {};
  for (const name of ['AWS_STS_REGIONAL_ENDPOINTS', 'AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const v = envValue(pod, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function problemsOf(pod: KubePod, partition: string, sa: KubeServiceAccount): string[] {
  const problems: string[] = [];
  const region = envValue(pod, 'AWS_REGION');
  const defaultRegion = envValue(pod, 'AWS_DEFAULT_REGION');
  for (const [name, value] of [
    ['AWS_REGION', region],
    ['AWS_DEFAULT_REGION', defaultRegion],
  ] as const) {
    if (typeof value === 'string' && value.trim() !== '' && partitionOfRegion(value.trim()) !== partition)
      problems.push(`${name}=${value} is a region of partition ${partitionOfRegion(value.trim())}, not ${partition}`);
  }
  if (partition === 'aws') return problems;
  const sts = envValue(pod, 'AWS_STS_REGIONAL_ENDPOINTS');
  if (sts !== null && sts !== 'regional')
    problems.push(
      `AWS_STS_REGIONAL_ENDPOINTS is ${sts === undefined ? 'not set' : `"${sts}"`} (set ${STS_REGIONAL_ANNOTATION}: "true" on service account ${sa.namespace}/${sa.name}, or AWS_STS_REGIONAL_ENDPOINTS=regional)`,
    );
  if (region === undefined && defaultRegion === undefined)
    problems.push(
      `neither AWS_REGION nor AWS_DEFAULT_REGION is set (set one to the cluster's ${REGION_PREFIX[partition] ?? ''}* region)`,
    );
  return problems;
}

export const IRSA_040 = defineRule<StsPartitionEvidence>()({
  id: 'IRSA-040',
  severity: 'critical',
  title: 'STS endpoint or region of the wrong partition',
  explanation:
    'AssumeRoleWithWebIdentity must reach the STS of the partition the role and provider are in. In China (aws-cn) and GovCloud, an SDK that uses the global endpoint or defaults to us-east-1 calls the aws partition, which has no provider for the cluster: a false "No OpenIDConnect provider found". Pods need AWS_STS_REGIONAL_ENDPOINTS=regional and AWS_REGION/AWS_DEFAULT_REGION in the partition.',
  podError: NO_PROVIDER,
  remediation:
    'Annotate the service account eks.amazonaws.com/sts-regional-endpoints: "true" (or set AWS_STS_REGIONAL_ENDPOINTS=regional) and set AWS_REGION/AWS_DEFAULT_REGION to the cluster\'s region, then restart the pods; upgrade SDKs that ignore them.',
  references: [DOC.stsEndpoint, DOC.stsRegions, DOC.webhook],
});
