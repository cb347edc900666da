/**
 * The regions a sweep lists EKS clusters in when none are configured: every commercial region that is enabled by
 * default in an AWS account and offers EKS (AWS General Reference, "Amazon EKS endpoints and quotas"; opt-in regions
 * such as af-south-1 or ap-east-1 answer only once enabled, so they are scanned only when listed with --regions).
 * Listing an empty region costs one ListClusters call.
 */
export const DEFAULT_REGIONS: readonly string[] = [
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
];

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Parses a comma-separated region list; returns the bad entries so the caller can name them. */
export function parseRegionList(text: string): {
  readonly regions: readonly string[];
  readonly invalid: readonly string[];
} {
  const entries = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return {
    regions: [...new Set(entries.filter((r) => REGION.test(r)))],
    invalid: entries.filter((r) => !REGION.test(r)),
  };
}
