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
  for (const plan of plans) {
    for (const account of next.accounts) {
      if (plan.action === 'update-trust-policy' && plan.after) {
        for (const role of account.roles)
          if (role.arn === plan.resourceArn) role.trustPolicy = JSON.stringify(plan.after);
      } else if (plan.action === 'create-oidc-provider' && plan.after && account.accountId === plan.accountId) {
        account.oidcProviders.push({ arn: plan.resourceArn, ...(plan.after as ProviderState), tags: {} });
      } else if ((plan.action === 'add-client-id' || plan.action === 'update-thumbprint') && plan.after) {
        for (const p of account.oidcProviders) if (p.arn === plan.resourceArn) Object.assign(p, plan.after);
      } else if (plan.action === 'delete-oidc-provider') {
        account.oidcProviders = account.oidcProviders.filter((p) => p.arn !== plan.resourceArn);
      }
    }
  }
  return next as unknown as EstateSnapshot;
}
