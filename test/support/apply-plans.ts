import type { Plan, ProviderState } from '../../lambdas/domain/plan/plan-model';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';

interface MutableAccount {
  accountId: string;
  roles: Array<{ arn: string; trustPolicy: unknown }>;
  oidcProviders: Array<Record<string, unknown> & { arn: string }>;
}

/** What the estate would look like with every plan that has an `after` carried out (as the workflow or a person would). */
export function applyPlans(snapshot: EstateSnapshot, plans: readonly Plan[]): EstateSnapshot {
  const next = structuredClone(snapshot) as unknown as { accounts: MutableAccount[] };
  for (const plan of plans) for (const account of next.accounts) applyPlan(account, plan);
  return next as unknown as EstateSnapshot;
}

/** One plan carried out on one account of the copy (a resource ARN names its account, so only that one changes). */
function applyPlan(account: MutableAccount, plan: Plan): void {
  if (plan.action === 'delete-oidc-provider') {
    account.oidcProviders = account.oidcProviders.filter((p) => p.arn !== plan.resourceArn);
    return;
  }
  if (!plan.after) return;
  if (plan.action === 'update-trust-policy') {
    const trustPolicy = JSON.stringify(plan.after);
    for (const role of account.roles.filter((r) => r.arn === plan.resourceArn)) role.trustPolicy = trustPolicy;
  } else if (plan.action === 'create-oidc-provider' && account.accountId === plan.accountId) {
    account.oidcProviders.push({ arn: plan.resourceArn, ...(plan.after as ProviderState), tags: {} });
  } else if (plan.action === 'add-client-id' || plan.action === 'update-thumbprint') {
    for (const p of account.oidcProviders.filter((q) => q.arn === plan.resourceArn)) Object.assign(p, plan.after);
  }
}
