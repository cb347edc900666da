/** Fix action update-thumbprint: replace a provider's thumbprint list (UpdateOpenIDConnectProviderThumbprint). */
import { UpdateOpenIDConnectProviderThumbprintCommand } from '@aws-sdk/client-iam';
import { FIX_ACTION_IAM } from '../../domain/fix-action-iam';
import type { FixAction } from './fix-action';
import {
  decodeProvider,
  readProvider,
  repairProvider,
  restoreProvider,
  sameProvider,
  verifyProvider,
} from './oidc-provider-state';

export const updateThumbprint: FixAction<'update-thumbprint'> = {
  action: 'update-thumbprint',
  iam: FIX_ACTION_IAM['update-thumbprint'],
  read: (iam, ref) => readProvider(iam, ref.resourceArn),
  decode: decodeProvider,
  holds: sameProvider,
  apply: (iam, plan, hooks) =>
    repairProvider(iam, plan, hooks, {
      writes: () => ['iam:UpdateOpenIDConnectProviderThumbprint'],
      write: async () => {
        await iam.send(
          new UpdateOpenIDConnectProviderThumbprintCommand({
            OpenIDConnectProviderArn: plan.resourceArn,
            ThumbprintList: [...plan.after.thumbprints],
          }),
        );
      },
    }),
  rollback: restoreProvider,
  verify: verifyProvider,
};
