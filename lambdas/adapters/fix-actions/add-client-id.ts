/** Fix action add-client-id: add the audiences a provider lacks (AddClientIDToOpenIDConnectProvider, idempotent). */
import { AddClientIDToOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import { FIX_ACTION_IAM } from '../../domain/fix-action-iam';
import type { ProviderState } from '../../domain/plan/plan-model';
import type { FixAction } from './fix-action';
import {
  decodeProvider,
  readProvider,
  repairProvider,
  restoreProvider,
  sameProvider,
  verifyProvider,
} from './oidc-provider-state';

/** The client ids `after` has and the provider does not. */
const missing = (current: ProviderState | null, after: ProviderState) =>
  after.clientIds.filter((id) => !(current?.clientIds ?? []).includes(id));

export const addClientId: FixAction<'add-client-id'> = {
  action: 'add-client-id',
  iam: FIX_ACTION_IAM['add-client-id'],
  read: (iam, ref) => readProvider(iam, ref.resourceArn),
  decode: decodeProvider,
  holds: sameProvider,
  apply: (iam, plan, hooks) =>
    repairProvider(iam, plan, hooks, {
      writes: (current) => missing(current, plan.after).map(() => 'iam:AddClientIDToOpenIDConnectProvider'),
      write: async (current) => {
        for (const clientId of missing(current, plan.after)) {
          await iam.send(
            new AddClientIDToOpenIDConnectProviderCommand({
              OpenIDConnectProviderArn: plan.resourceArn,
              ClientID: clientId,
            }),
          );
        }
      },
    }),
  rollback: restoreProvider,
  verify: verifyProvider,
};
