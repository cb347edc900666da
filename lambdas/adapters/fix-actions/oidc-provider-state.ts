/**
 * What the OIDC-provider fix actions share: the provider's state as the planner models it (read, compared,
 * re-read by the verify step) and the rollback that puts a repaired provider's replaced state back.
 */
import {
  GetOpenIDConnectProviderCommand,
  type IAMClient,
  NoSuchEntityException,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { stripScheme, trimTrailingSlashes } from '../../domain/arn';
import {
  type AddClientIdPlan,
  isProviderState,
  type ProviderState,
  type UpdateThumbprintPlan,
} from '../../domain/plan/plan-model';
import type { AccountSnapshot, OidcProviderSnapshot } from '../../domain/snapshot';
import type { AuditRecord } from '../../ports/state-store';
import { StalePlanError } from '../../shared/errors';
import {
  type ApplyOutcome,
  type ApplySteps,
  guardedApply,
  guardedRollback,
  notReversible,
  type RollbackOutcome,
  type WriteHooks,
} from './fix-action';

/** An OIDC provider's state as the planner models it; null when it does not exist. */
export async function readProvider(iam: IAMClient, arn: string): Promise<ProviderState | null> {
  try {
    const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { url: providerUrl(p.Url ?? ''), clientIds: p.ClientIDList ?? [], thumbprints: p.ThumbprintList ?? [] };
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
}

/** A provider URL as IAM stores it: no scheme, no trailing slash. */
export function providerUrl(url: string): string {
  return trimTrailingSlashes(stripScheme(url));
}

/** Same URL (case-folded), same client ids, same thumbprints (case-folded), in any order. */
export function sameProvider(a: ProviderState, b: ProviderState): boolean {
  const set = (xs: readonly string[], fold: boolean) =>
    [...new Set(xs.map((x) => (fold ? x.toLowerCase() : x)))].sort().join('\n');
  return (
    providerUrl(a.url).toLowerCase() === providerUrl(b.url).toLowerCase() &&
    set(a.clientIds, false) === set(b.clientIds, false) &&
    set(a.thumbprints, true) === set(b.thumbprints, true)
  );
}

/** A stored provider state (plan, intent, audit record): null when absent, undefined when it is not one. */
export function decodeProvider(value: unknown): ProviderState | null | undefined {
  if (value === null) return null;
  return isProviderState(value) ? value : undefined;
}

/** The verify step's re-read: the provider as IAM has it now, in place of the collected one (gone: removed). */
export async function verifyProvider(
  iam: IAMClient,
  resourceArn: string,
  account: AccountSnapshot,
): Promise<AccountSnapshot> {
  let provider: OidcProviderSnapshot | undefined;
  try {
    const p = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: resourceArn }));
    const existing = account.oidcProviders.find((o) => o.arn === resourceArn);
    provider = {
      ...(existing ?? {}),
      arn: resourceArn,
      url: stripScheme(p.Url ?? ''),
      clientIds: p.ClientIDList ?? [],
      thumbprints: p.ThumbprintList ?? [],
    };
  } catch (err) {
    if (!(err instanceof NoSuchEntityException)) throw err;
  }
  const others = account.oidcProviders.filter((o) => o.arn !== resourceArn);
  return { ...account, oidcProviders: provider ? [...others, provider] : others };
}

/** The guarded apply of a repair of an existing provider (add-client-id, update-thumbprint): its writes given. */
export function repairProvider(
  iam: IAMClient,
  plan: AddClientIdPlan | UpdateThumbprintPlan,
  hooks: WriteHooks,
  write: Pick<ApplySteps<ProviderState>, 'writes' | 'write'>,
): Promise<ApplyOutcome> {
  return guardedApply(
    {
      plan,
      what: 'OIDC provider state',
      before: plan.before,
      after: plan.after,
      read: () => readProvider(iam, plan.resourceArn),
      holds: sameProvider,
      stale: (current) =>
        new StalePlanError(
          `plan ${plan.id}: the OIDC provider ${plan.resourceArn} ${current === null ? 'no longer exists' : 'changed since the plan was made'}; nothing was written (re-scan and re-plan)`,
          plan.id,
          plan.resourceArn,
          current,
        ),
      ...write,
    },
    hooks,
  );
}

/**
 * Rolls a repair of an existing provider back (add-client-id, update-thumbprint): the client ids the replaced state
 * lacked are removed and its thumbprint list is put back, each only when it differs.
 */
export async function restoreProvider(
  iam: IAMClient,
  change: AuditRecord,
  hooks: WriteHooks,
): Promise<RollbackOutcome> {
  const wrote = decodeProvider(change.wrote);
  const replaced = decodeProvider(change.replaced);
  if (!wrote) throw notReversible(change, 'the provider state the change wrote');
  if (!replaced) throw notReversible(change, 'the provider state the change replaced');
  const arn = change.resourceArn;
  const plan = (current: ProviderState) => {
    const keep = new Set(replaced.clientIds);
    const fold = (xs: readonly string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join(',');
    return {
      remove: current.clientIds.filter((clientId) => !keep.has(clientId)),
      thumbprints: fold(current.thumbprints) !== fold(replaced.thumbprints),
    };
  };
  return guardedRollback(
    {
      change,
      wrote,
      replaced,
      read: () => readProvider(iam, arn),
      holds: sameProvider,
      drifted: (current) => (current === null ? 'OIDC provider (it no longer exists)' : 'OIDC provider'),
      notRestored: `OIDC provider ${arn} is not in its replaced state`,
      writes: (current) => {
        const { remove, thumbprints } = plan(current);
        return [
          ...remove.map(() => 'iam:RemoveClientIDFromOpenIDConnectProvider'),
          ...(thumbprints ? ['iam:UpdateOpenIDConnectProviderThumbprint'] : []),
        ];
      },
      write: async (current) => {
        const { remove, thumbprints } = plan(current);
        for (const clientId of remove) {
          await iam.send(
            new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: clientId }),
          );
        }
        if (thumbprints) {
          await iam.send(
            new UpdateOpenIDConnectProviderThumbprintCommand({
              OpenIDConnectProviderArn: arn,
              ThumbprintList: [...replaced.thumbprints],
            }),
          );
        }
      },
    },
    hooks,
  );
}
