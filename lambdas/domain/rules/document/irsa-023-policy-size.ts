import type { ReadSuccess } from '../../trust-policy/model';
import type { RoleAnalysis } from '../context';
import type { Either } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { RoleScope } from './role-pass';

/** The role's trust policy is at or over its quota, or has no room for another cluster's statement (analysis). */
export interface PolicySizeEvidence {
  readonly minifiedLength: number;
  readonly quota: number;
  readonly headroom: number;
  /** What another cluster's statement would cost (0 when the room left is plainly enough). */
  readonly nextStatementEstimate: number;
}

/** The fixed trust policy would exceed the quota (planning). */
export interface FixedPolicySizeEvidence {
  /** The length of the fixed document, minified. */
  readonly minifiedLength: number;
  readonly quota: number;
  /** The most the quota can be raised to. */
  readonly maximumQuota: number;
}

/** IRSA-023: the trust policy has no room left for another cluster's statement. */
export function checkPolicySize(r: RoleScope, read: ReadSuccess): void {
  const quota = r.ctx.trustPolicyQuota(r.ref.accountId);
  const headroom = quota - read.minifiedLength;
  // No statement is longer than the whole document: with that much room left, there is room for another.
  const statementSize = headroom >= read.minifiedLength && headroom >= 420 ? 0 : largestIrsaStatement(r.role);
  if (headroom >= statementSize) return;
  r.emit(
    'IRSA-023',
    headroom < 0
      ? `Role ${r.ref.role.name}: the trust policy is ${read.minifiedLength} characters minified, over the ${quota}-character quota.`
      : `Role ${r.ref.role.name}: the trust policy is ${read.minifiedLength} of ${quota} characters minified; ${headroom} left is not enough for another cluster's statement (about ${statementSize}).`,
    { minifiedLength: read.minifiedLength, quota, headroom, nextStatementEstimate: statementSize },
  );
}

/** What another cluster's statement would cost: the largest single-cluster IRSA statement the role has. */
function largestIrsaStatement(role: RoleAnalysis): number {
  let largest = 420; // the reference single-cluster statement, minified, with a 64-character subject
  for (const view of role.views) {
    if (view.kind !== 'irsa') continue;
    // A statement merging several clusters (IRSA-021) is not the size of one cluster's statement.
    const issuers = new Set([...view.providers.map((p) => p.key), ...view.issuerConditions.map((c) => c.prefixKey)]);
    if (issuers.size <= 1) largest = Math.max(largest, JSON.stringify(view.statement.raw).length + 1);
  }
  return largest;
}

export const IRSA_023 = defineRule<Either<PolicySizeEvidence, FixedPolicySizeEvidence>>()({
  id: 'IRSA-023',
  severity: 'medium',
  title: 'Trust policy at or near its size quota',
  explanation:
    'Role trust policies are limited to 2,048 characters by default (adjustable to 4,096). Near the limit, adding a statement for another cluster fails with LimitExceeded: Cannot exceed quota for ACLSizePerRole.',
  remediation:
    'Merge service accounts into one :sub array, request a quota increase (Service Quotas iam L-C07B4B0D, up to 4,096), or move the workload to EKS Pod Identity.',
  references: [DOC.quotas, DOC.podId],
});
