/**
 * The AWS partitions a sweep can run in, and what differs between them: where the global services (IAM, STS,
 * Organizations) are signed, the DNS suffix of their endpoints, and the regions swept by default.
 *
 * Sources: AWS General Reference, "AWS Identity and Access Management endpoints and quotas" (IAM in aws-cn is
 * iam.cn-north-1.amazonaws.com.cn, signed in cn-north-1; in aws-us-gov iam.us-gov.amazonaws.com, signed in
 * us-gov-west-1); AWS Organizations User Guide, "Region support" (the endpoints are in US East (N. Virginia), AWS
 * GovCloud (US-West) and China (Ningxia): organizations.cn-northwest-1.amazonaws.com.cn); STS has no global endpoint
 * outside `aws`, so the partition's first region is used; "Amazon EKS endpoints and quotas" for the regions.
 */
import { UsageError } from '../shared/errors';

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type PartitionName = (typeof PARTITIONS)[number];

export interface PartitionInfo {
  readonly name: PartitionName;
  /** The DNS suffix of the partition's endpoints. */
  readonly dnsSuffix: string;
  /** The region IAM requests are signed for (IAM is global within a partition). */
  readonly iamRegion: string;
  /** The region STS calls of the hub are made in (GetCallerIdentity, AssumeRole). */
  readonly stsRegion: string;
  /** The region of the partition's Organizations endpoint. */
  readonly organizationsRegion: string;
  /**
   * Regions swept when none are given: every region of the partition that is enabled by default and offers EKS
   * (opt-in regions answer only once enabled, so they are swept only when listed).
   */
  readonly defaultRegions: readonly string[];
}

const TABLE: Readonly<Record<PartitionName, PartitionInfo>> = {
  aws: {
    name: 'aws',
    dnsSuffix: 'amazonaws.com',
    iamRegion: 'us-east-1',
    stsRegion: 'us-east-1',
    organizationsRegion: 'us-east-1',
    defaultRegions: [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'ca-central-1',
      'sa-east-1',
      'eu-central-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-north-1',
      'ap-south-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-northeast-3',
      'ap-southeast-1',
      'ap-southeast-2',
    ],
  },
  'aws-cn': {
    name: 'aws-cn',
    dnsSuffix: 'amazonaws.com.cn',
    iamRegion: 'cn-north-1',
    stsRegion: 'cn-north-1',
    organizationsRegion: 'cn-northwest-1',
    defaultRegions: ['cn-north-1', 'cn-northwest-1'],
  },
  'aws-us-gov': {
    name: 'aws-us-gov',
    dnsSuffix: 'amazonaws.com',
    iamRegion: 'us-gov-west-1',
    stsRegion: 'us-gov-west-1',
    organizationsRegion: 'us-gov-west-1',
    defaultRegions: ['us-gov-west-1', 'us-gov-east-1'],
  },
};

/** Region name shape: two letters, words, a number (us-west-2, cn-north-1, us-gov-west-1). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Region prefixes of the partitions this tool does not sweep (the isolated ones), with their partition's name. */
const UNSUPPORTED_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['us-isob-', 'aws-iso-b'],
  ['us-iso-', 'aws-iso'],
  ['eu-isoe-', 'aws-iso-e'],
  ['us-isof-', 'aws-iso-f'],
];

export function isPartition(value: string): value is PartitionName {
  return (PARTITIONS as readonly string[]).includes(value);
}

/** The partition's table entry; a UsageError naming the partitions for any other name. */
export function partitionInfo(name: string): PartitionInfo {
  if (!isPartition(name)) {
    throw new UsageError(
      `unknown partition ${JSON.stringify(name.slice(0, 50))}: expected one of ${PARTITIONS.join(', ')}`,
    );
  }
  return TABLE[name];
}

/**
 * The partition a region belongs to: cn-* is aws-cn, us-gov-* is aws-us-gov, any other region name aws. A name that
 * is not a region, or a region of an isolated partition, is a UsageError.
 */
export function partitionOfRegion(region: string, source = 'region'): PartitionName {
  if (!REGION.test(region)) {
    throw new UsageError(
      `${source} ${JSON.stringify(region.slice(0, 50))} is not a region name (like us-west-2, cn-north-1, us-gov-west-1)`,
    );
  }
  const isolated = UNSUPPORTED_PREFIXES.find(([prefix]) => region.startsWith(prefix));
  if (isolated) {
    throw new UsageError(
      `${source} ${region} is in partition ${isolated[1]}, which is not supported (supported: ${PARTITIONS.join(', ')})`,
    );
  }
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The regions swept by default in a partition. */
export function defaultRegionsOf(partition: string): readonly string[] {
  return partitionInfo(partition).defaultRegions;
}

/**
 * Regions that are not in the partition (a sweep signs every call for its partition: a region of another one
 * would answer with credentials errors, never with its clusters). Empty when all belong.
 */
export function regionsOutside(partition: PartitionName, regions: readonly string[]): readonly string[] {
  return regions.filter((r) => {
    try {
      return partitionOfRegion(r) !== partition;
    } catch {
      return true;
    }
  });
}
