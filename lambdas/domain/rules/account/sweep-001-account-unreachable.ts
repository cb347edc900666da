import type { AccountSnapshot, CollectionError } from '../../snapshot';
import type { AnalysisContext } from '../context';
import { defineRule } from '../rule';

export interface UnreachableAccountEvidence {
  readonly errors: readonly CollectionError[];
}

/** SWEEP-001: collection could not read the account at all. Reported: true. */
export function reportUnreachableAccount(account: AccountSnapshot, ctx: AnalysisContext): boolean {
  if (account.collection?.status !== 'unreachable') return false;
  ctx.emit({
    ruleId: 'SWEEP-001',
    accountId: account.accountId,
    resourceArn: `arn:${ctx.index.partition}:iam::${account.accountId}:root`,
    resourceType: 'account',
    message: `Account ${account.accountId}${account.name ? ` (${account.name})` : ''} could not be read: ${
      account.collection?.errors?.[0]?.message ?? 'no reason recorded'
    }.`,
    evidence: { errors: account.collection?.errors ?? [] },
  });
  return true;
}

export const SWEEP_001 = defineRule<UnreachableAccountEvidence>()({
  id: 'SWEEP-001',
  severity: 'high',
  title: 'Account unreachable',
  explanation:
    'Collection could not read this account (its scanner role could not be assumed, or every read failed). Nothing in it was checked.',
  remediation: "Deploy the member stack (scanner role) to the account, or fix the role's trust of the hub.",
  references: [],
});
