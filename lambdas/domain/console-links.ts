/**
 * Links to the AWS Management Console for what a plan touches: the IAM role, the IAM OIDC provider and the EKS
 * cluster. Partition-aware: each partition has its own console host (aws: console.aws.amazon.com, aws-cn:
 * console.amazonaws.cn, aws-us-gov: console.amazonaws-us-gov.com). A link opens in whatever account the person is
 * signed in to, so each names the account it is in. Pure: no SDK, nothing thrown on a malformed ARN (no link).
 */
import { parseArn } from './arn';
import { isPartition, type PartitionName } from './partitions';

const CONSOLE_HOST: Readonly<Record<PartitionName, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

export interface ConsoleLink {
  readonly kind: 'role' | 'oidc-provider' | 'cluster';
  /** What the link opens, for its text: "role web-irsa", "OIDC provider oidc.eks…", "EKS cluster prod (us-west-2)". */
  readonly label: string;
  readonly accountId: string;
  readonly href: string;
}

/** What a plan names: the resource it changes, the OIDC providers its documents name, its cluster and region. */
export interface LinkTargets {
  readonly resourceArn: string;
  readonly accountId: string;
  readonly cluster?: string;
  readonly region?: string;
  readonly providerArns?: readonly string[];
}

/** The console of an IAM role (the last segment of its ARN is its name; paths are not part of the console URL). */
export function roleLink(roleArn: string): ConsoleLink | undefined {
  const arn = parseArn(roleArn);
  if (arn?.service !== 'iam' || !arn.resource.startsWith('role/') || !isPartition(arn.partition)) return undefined;
  const name = arn.resource.split('/').pop() ?? '';
  if (name === '') return undefined;
  return {
    kind: 'role',
    label: `role ${name}`,
    accountId: arn.accountId,
    href: `https://${CONSOLE_HOST[arn.partition]}/iam/home#/roles/details/${encodeURIComponent(name)}`,
  };
}

/** The console of an IAM OIDC identity provider, named by its ARN. */
export function providerLink(providerArn: string): ConsoleLink | undefined {
  const arn = parseArn(providerArn);
  if (arn?.service !== 'iam' || !arn.resource.startsWith('oidc-provider/') || !isPartition(arn.partition)) {
    return undefined;
  }
  return {
    kind: 'oidc-provider',
    label: `OIDC provider ${arn.resource.slice('oidc-provider/'.length)}`,
    accountId: arn.accountId,
    href: `https://${CONSOLE_HOST[arn.partition]}/iam/home#/identity_providers/details/OPENID/${encodeURIComponent(providerArn)}`,
  };
}

/** The console of an EKS cluster in its region (the partition from the ARN the plan names). */
export function clusterLink(
  partition: string,
  accountId: string,
  cluster: string,
  region: string,
): ConsoleLink | undefined {
  if (!isPartition(partition) || cluster === '' || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) return undefined;
  return {
    kind: 'cluster',
    label: `EKS cluster ${cluster} (${region})`,
    accountId,
    href: `https://${CONSOLE_HOST[partition]}/eks/home?region=${region}#/clusters/${encodeURIComponent(cluster)}`,
  };
}

/** Every link a plan's page shows: the role it changes, each provider it names or changes, its cluster; no repeats. */
export function consoleLinks(t: LinkTargets): ConsoleLink[] {
  const partition = parseArn(t.resourceArn)?.partition ?? '';
  const links = [
    roleLink(t.resourceArn),
    providerLink(t.resourceArn),
    ...(t.providerArns ?? []).map(providerLink),
    t.cluster && t.region ? clusterLink(partition, t.accountId, t.cluster, t.region) : undefined,
  ].filter((l): l is ConsoleLink => l !== undefined);
  const seen = new Set<string>();
  return links.filter((l) => !seen.has(l.href) && seen.add(l.href) !== undefined);
}

/** The OIDC provider ARNs a document names (Federated principals of a trust policy), in order, once each. */
export function providerArnsIn(document: unknown): string[] {
  const text = JSON.stringify(document ?? null);
  return [...new Set(text.match(/arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[^"\\\s]+/g) ?? [])];
}
