/**
 * Fix action create-oidc-provider: create the IAM OIDC provider of a cluster's issuer, tagged with the plan's id;
 * its rollback deletes it, and only a provider that carries this very plan's tag.
 */
import {
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { FIX_ACTION_IAM } from '../../domain/fix-action-iam';
import type { ProviderState } from '../../domain/plan/plan-model';
import { PLAN_ID_TAG } from '../../domain/remediation-scope';
import type { AuditRecord } from '../../ports/state-store';
import { RollbackRefusedError, StalePlanError } from '../../shared/errors';
import { type FixAction, guardedApply, guardedRollback, notReversible } from './fix-action';
import { decodeProvider, providerUrl, readProvider, sameProvider, verifyProvider } from './oidc-provider-state';

/** Tag put on providers the workflow creates, naming the plan (rollback and audit find them by it). */
export const PLAN_TAG = PLAN_ID_TAG;

export const createOidcProvider: FixAction<'create-oidc-provider'> = {
  action: 'create-oidc-provider',
  iam: FIX_ACTION_IAM['create-oidc-provider'],
  read: (iam, ref) => readProvider(iam, ref.resourceArn),
  decode: decodeProvider,
  holds: sameProvider,
  apply(iam, plan, hooks) {
    const { after } = plan;
    return guardedApply(
      {
        plan,
        what: 'OIDC provider state',
        before: null,
        after,
        read: () => readProvider(iam, plan.resourceArn),
        holds: sameProvider,
        stale: (current) =>
          new StalePlanError(
            `plan ${plan.id}: the OIDC provider ${plan.resourceArn} already exists with other settings; nothing was written (re-scan and re-plan)`,
            plan.id,
            plan.resourceArn,
            current,
          ),
        writes: () => ['iam:CreateOpenIDConnectProvider'],
        write: async () => {
          await iam.send(
            new CreateOpenIDConnectProviderCommand({
              Url: `https://${providerUrl(after.url)}`,
              ClientIDList: [...after.clientIds],
              ...(after.thumbprints.length > 0 ? { ThumbprintList: [...after.thumbprints] } : {}),
              Tags: [{ Key: PLAN_TAG, Value: plan.id }],
            }),
          );
        },
      },
      hooks,
    );
  },
  rollback(iam, change, hooks) {
    const wrote = decodeProvider(change.wrote);
    if (!wrote) throw notReversible(change, 'the provider state the change wrote');
    if (change.replaced !== null) throw notReversible(change, 'that the created provider replaced nothing');
    const arn = change.resourceArn;
    return guardedRollback<ProviderState>(
      {
        change,
        wrote,
        replaced: null,
        read: () => readProvider(iam, arn),
        holds: sameProvider,
        drifted: (current) => (current === null ? 'OIDC provider (it no longer exists)' : 'OIDC provider'),
        notRestored: `OIDC provider ${arn} is not in its replaced state`,
        // Only a provider this workflow created, for this very plan, is ever deleted.
        check: (current) => ownedByPlan(iam, change, current),
        writes: () => ['iam:DeleteOpenIDConnectProvider'],
        write: async () => {
          await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
        },
      },
      hooks,
    );
  },
  verify: verifyProvider,
};

/** Refuses (nothing written) unless the provider carries the tag naming the change's plan. */
async function ownedByPlan(iam: IAMClient, change: AuditRecord, current: ProviderState): Promise<void> {
  const { Tags } = await iam.send(
    new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: change.resourceArn }),
  );
  const tag = Tags?.find((t) => t.Key === PLAN_TAG)?.Value;
  if (tag !== change.planId) {
    throw new RollbackRefusedError(
      `change ${change.changeId}: the provider ${change.resourceArn} is not tagged ${PLAN_TAG}=${change.planId}` +
        `${tag ? ` (it names plan ${tag})` : ''}, so IRSA Doctor will not delete it; nothing was written`,
      change.changeId,
      'drift',
      current,
    );
  }
}
