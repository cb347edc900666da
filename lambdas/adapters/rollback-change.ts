/**
 * Undoes one applied change from its audit record: puts back the document the change replaced. Guarded like apply:
 * the resource must still hold exactly what the change wrote (else RollbackRefusedError 'drift', nothing written),
 * and it is read back afterwards (ConcurrentEditError when it does not hold the restored document).
 */
import {
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  type IAMClient,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import type { ProviderState, TrustDocument } from '../domain/plan/plan-model';
import type { AuditRecord } from '../ports/state-store';
import { ConcurrentEditError, PlanNotApplicableError, RollbackRefusedError } from '../shared/errors';
import type { AwsClientFactory } from './aws-clients';
import {
  getTrustPolicy,
  PLAN_TAG,
  readProvider,
  roleNameFromArn,
  sameJson,
  sameProvider,
  type WriteHooks,
} from './plan-writer';

export interface RollbackOutcome {
  /** 'already-restored': the resource already held the replaced document; nothing was written. */
  readonly status: 'rolled-back' | 'already-restored';
  /** What the resource held just before the rollback (the change's `wrote`). */
  readonly replaced: TrustDocument | ProviderState | null;
  /** What it holds now, read back (the change's `replaced`; null for a deleted provider). */
  readonly current: TrustDocument | ProviderState | null;
  readonly writes: readonly string[];
}

export async function rollbackChange(
  factory: AwsClientFactory,
  change: AuditRecord,
  hooks: WriteHooks = {},
): Promise<RollbackOutcome> {
  if (factory.access !== 'write') {
    throw new PlanNotApplicableError(
      `change ${change.changeId}: refusing to write with read-only (scanner) credentials`,
      change.planId,
    );
  }
  if (change.kind !== 'apply') {
    throw new RollbackRefusedError(
      `change ${change.changeId} is itself a rollback; roll back the original change only once`,
      change.changeId,
      'not-reversible',
    );
  }
  if ((change.outcome ?? 'applied') !== 'applied') {
    throw new RollbackRefusedError(
      `change ${change.changeId} was not applied (${change.outcome}${change.detail ? `: ${change.detail}` : ''}); there is nothing to roll back`,
      change.changeId,
      'not-reversible',
    );
  }
  const iam = factory.iam(change.accountId);
  if (change.action === 'update-trust-policy') return rollbackTrustPolicy(iam, change, hooks);
  if (
    change.action === 'create-oidc-provider' ||
    change.action === 'add-client-id' ||
    change.action === 'update-thumbprint'
  )
    return rollbackProvider(iam, change, hooks);
  throw new RollbackRefusedError(
    `change ${change.changeId}: action ${change.action} cannot be rolled back`,
    change.changeId,
    'not-reversible',
  );
}

function drifted(change: AuditRecord, what: string, current: unknown): RollbackRefusedError {
  return new RollbackRefusedError(
    `change ${change.changeId}: the ${what} of ${change.resourceArn} changed since the change was applied; ` +
      'nothing was written (review the current document and fix it by hand, or re-scan)',
    change.changeId,
    'drift',
    current,
  );
}

async function rollbackTrustPolicy(iam: IAMClient, change: AuditRecord, hooks: WriteHooks): Promise<RollbackOutcome> {
  const wrote = change.wrote as TrustDocument | null;
  const replaced = change.replaced as TrustDocument | null;
  if (!wrote || !replaced) {
    throw new RollbackRefusedError(
      `change ${change.changeId}: the audit record lacks the documents a trust-policy rollback needs`,
      change.changeId,
      'not-reversible',
    );
  }
  const roleName = roleNameFromArn(change.resourceArn);
  const ref = { id: change.planId, resourceArn: change.resourceArn };
  const current = await getTrustPolicy(iam, roleName, ref);
  if (current === null) throw drifted(change, 'role (it no longer exists)', null);
  if (sameJson(current, replaced)) return { status: 'already-restored', replaced: current, current, writes: [] };
  if (!sameJson(current, wrote)) throw drifted(change, 'trust policy', current);
  await hooks.beforeWrite?.(current, ['iam:UpdateAssumeRolePolicy']);
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(replaced) }));
  const readBack = await getTrustPolicy(iam, roleName, ref);
  if (readBack === null || !sameJson(readBack, replaced)) {
    throw new ConcurrentEditError(
      `change ${change.changeId}: after the rollback, the trust policy of ${change.resourceArn} is not the restored one: it was changed concurrently`,
      change.planId,
      change.resourceArn,
      readBack,
    );
  }
  return { status: 'rolled-back', replaced: current, current: readBack, writes: ['iam:UpdateAssumeRolePolicy'] };
}

async function rollbackProvider(iam: IAMClient, change: AuditRecord, hooks: WriteHooks): Promise<RollbackOutcome> {
  const wrote = change.wrote as ProviderState | null;
  const replaced = change.replaced as ProviderState | null;
  if (!wrote) {
    throw new RollbackRefusedError(
      `change ${change.changeId}: the audit record lacks the provider state the change wrote`,
      change.changeId,
      'not-reversible',
    );
  }
  const current = await readProvider(iam, change.resourceArn);
  const restored = (state: ProviderState | null) =>
    replaced === null ? state === null : state !== null && sameProvider(state, replaced);
  if (restored(current)) return { status: 'already-restored', replaced: current, current, writes: [] };
  if (current === null || !sameProvider(current, wrote)) {
    throw drifted(change, current === null ? 'OIDC provider (it no longer exists)' : 'OIDC provider', current);
  }
  const writes: string[] = [];
  if (replaced === null) {
    // Only a provider this workflow created, for this very plan, is ever deleted.
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
    await hooks.beforeWrite?.(current, ['iam:DeleteOpenIDConnectProvider']);
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: change.resourceArn }));
    writes.push('iam:DeleteOpenIDConnectProvider');
  } else {
    const keep = new Set(replaced.clientIds);
    const remove = current.clientIds.filter((clientId) => !keep.has(clientId));
    const fold = (xs: readonly string[]) => [...new Set(xs.map((x) => x.toLowerCase()))].sort().join(',');
    const thumbprints = fold(current.thumbprints) !== fold(replaced.thumbprints);
    await hooks.beforeWrite?.(current, [
      ...remove.map(() => 'iam:RemoveClientIDFromOpenIDConnectProvider'),
      ...(thumbprints ? ['iam:UpdateOpenIDConnectProviderThumbprint'] : []),
    ]);
    for (const clientId of remove) {
      await iam.send(
        new RemoveClientIDFromOpenIDConnectProviderCommand({
          OpenIDConnectProviderArn: change.resourceArn,
          ClientID: clientId,
        }),
      );
      writes.push('iam:RemoveClientIDFromOpenIDConnectProvider');
    }
    if (thumbprints) {
      await iam.send(
        new UpdateOpenIDConnectProviderThumbprintCommand({
          OpenIDConnectProviderArn: change.resourceArn,
          ThumbprintList: [...replaced.thumbprints],
        }),
      );
      writes.push('iam:UpdateOpenIDConnectProviderThumbprint');
    }
  }
  const readBack = await readProvider(iam, change.resourceArn);
  if (!restored(readBack)) {
    throw new ConcurrentEditError(
      `change ${change.changeId}: after the rollback, the OIDC provider ${change.resourceArn} is not in its replaced state: it was changed concurrently`,
      change.planId,
      change.resourceArn,
      readBack,
    );
  }
  return { status: 'rolled-back', replaced: current, current: readBack, writes };
}
