import type { AccountSnapshot, CollectionError } from '../../snapshot';
import type { AnalysisContext } from '../context';
import { defineRule } from '../rule';

export interface PartlyReadAccountEvidence {
  readonly errors: readonly CollectionError[];
  /** The regions whose clusters were listed; null when every region that matters was read. */
  readonly regions: readonly string[] | null;
}

/** SWEEP-002: some reads of the account failed. */
export function reportPartlyReadAccount(account: AccountSnapshot, ctx: AnalysisContext): void {
  if (account.collection?.status !== 'partial') return;
  ctx.emit({
    ruleId: 'SWEEP-002',
    accountId: account.accountId,
    resourceArn: `arn:${ctx.index.partition}:iam::${account.accountId}:root`,
    resourceType: 'account',
    message: `Account ${account.accountId} was only partly read (${account.collection?.errors?.length ?? 0} failed reads); nothing missing from it is reported as absent.`,
    evidence: { errors: account.collection?.errors ?? [], regions: account.collection?.regions ?? null },
  });
}

export const SWEEP_002 = defineRule<PartlyReadAccountEvidence>()({
  id: 'SWEEP-002',
  severity: 'medium',
  title: 'Account only partly read',
  explanation:
    'Some reads failed in this account. Findings for it may be incomplete, and nothing missing from it is reported as absent.',
  remediation: 'See the collection errors in the evidence and re-run the sweep.',
  references: [],
});
