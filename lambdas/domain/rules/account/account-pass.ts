import type { AnalysisContext } from '../context';
import { checkProviderQuota } from './irsa-007-provider-quota';
import { reportUnreachableAccount } from './sweep-001-account-unreachable';
import { reportPartlyReadAccount } from './sweep-002-account-partly-read';

/** Account-level: collection gaps and the provider quota (nothing else is said of an unreachable account). */
export function checkAccounts(ctx: AnalysisContext): void {
  for (const account of ctx.index.accounts.values()) {
    if (reportUnreachableAccount(account, ctx)) continue;
    reportPartlyReadAccount(account, ctx);
    checkProviderQuota(account, ctx);
  }
}
