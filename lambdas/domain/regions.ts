import { defaultRegionsOf } from './partitions';

/**
 * The regions a sweep of the `aws` partition lists EKS clusters in when none are configured (lambdas/domain/partitions.ts
 * holds each partition's list; a China or GovCloud sweep uses its own). Listing an empty region costs one
 * ListClusters call.
 */
export const DEFAULT_REGIONS: readonly string[] = defaultRegionsOf('aws');

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
