/**
 * Rollback of every applicable action against the emulator, through the console core with the real DynamoDB state
 * store: a created provider is deleted only when it carries this plan's tag, an added audience is removed, a
 * thumbprint restored; a provider is not rolled back while a trust policy applied after it depends on it; a
 * drifted resource is refused and left as it is.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  NoSuchEntityException,
  TagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { seedClients } from '../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import { applyPlan } from '../../../lambdas/adapters/fix-actions/fix-action-registry';
import type { Plan, ProviderState } from '../../../lambdas/domain/plan/plan-model';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP, rollback } from '../../../lambdas/workflow/approver-actions';
import { testPlan } from '../../support/test-plan';
import { freshAccountId, seedMemberRoles } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const approver = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
let hub: LocalHub;
let deps: ConsoleDeps;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `r${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
  deps = { ...hub.deps, approversGroup: DEFAULT_APPROVERS_GROUP };
});

async function account(): Promise<string> {
  const id = freshAccountId();
  await seedMemberRoles(endpointUrl(), id);
  return id;
}

/** Applies a plan as the workflow does and records it as an applied change. */
async function applied(plan: Plan): Promise<string> {
  const outcome = await applyPlan(hub.writers, plan);
  const changeId = `run-1.${plan.id}.${randomUUID().slice(0, 6)}`;
  await hub.deps.store.putAudit({
    changeId,
    kind: 'apply',
    runId: 'run-1',
    planId: plan.id,
    accountId: plan.accountId,
    resourceArn: plan.resourceArn,
    action: plan.action,
    replaced: outcome.replaced,
    wrote: outcome.current,
    writes: outcome.writes,
    approvedBy: 'alice',
    appliedAt: new Date().toISOString(),
    ...(plan.dependsOn.length ? { dependsOn: plan.dependsOn } : {}),
  });
  return changeId;
}

async function provider(accountId: string, arn: string): Promise<ProviderState | null> {
  try {
    const p = await seedClients(endpointUrl(), accountId).iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    return { url: p.Url ?? '', clientIds: p.ClientIDList ?? [], thumbprints: p.ThumbprintList ?? [] };
  } catch (err) {
    if (err instanceof NoSuchEntityException) return null;
    throw err;
  }
}

/** Adds sts.amazonaws.com to a provider that lists only other-client. */
const addAudience = (accountId: string, arn: string, issuer: string) =>
  testPlan({
    id: `p-${randomUUID().slice(0, 4)}`,
    accountId,
    resourceArn: arn,
    action: 'add-client-id',
    before: { url: issuer, clientIds: ['other-client'], thumbprints: [] },
    after: { url: issuer, clientIds: ['other-client', 'sts.amazonaws.com'], thumbprints: [] },
  });

const url = () => `oidc.eks.us-west-2.amazonaws.com/id/${randomUUID().replace(/-/g, '').toUpperCase()}`;

describe('rollback', () => {
  it('deletes a provider the workflow created, but not while a trust policy applied after it depends on it', async () => {
    // Given a provider created by plan p1, and a trust-policy change p2 of the same run that depends on it
    const a = await account();
    const issuer = url();
    const arn = `arn:aws:iam::${a}:oidc-provider/${issuer}`;
    const created = await applied(
      testPlan({
        id: `p1-${randomUUID().slice(0, 4)}`,
        accountId: a,
        resourceArn: arn,
        action: 'create-oidc-provider',
        before: null,
        after: { url: issuer, clientIds: ['sts.amazonaws.com'], thumbprints: [] },
      }),
    );
    const change = await hub.deps.store.getAudit(created);
    await hub.deps.store.putAudit({
      ...(change as NonNullable<typeof change>),
      changeId: `${created}.dependent`,
      planId: 'p2',
      action: 'update-trust-policy',
      resourceArn: `arn:aws:iam::${a}:role/app`,
      dependsOn: [change?.planId ?? ''],
    });

    // Then rolling back the provider is refused while p2 is in place, and the provider stays
    await expect(rollback(deps, approver, created)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'dependents',
    });
    expect(await provider(a, arn)).not.toBeNull();

    // When p2 has been rolled back (recorded), the provider rollback deletes it
    await hub.deps.store.putAudit({
      ...(change as NonNullable<typeof change>),
      changeId: `${created}.dependent.rollback`,
      kind: 'rollback',
      rollsBack: `${created}.dependent`,
    });
    const view = await rollback(deps, approver, created, 'cluster was deleted');
    expect(view.rolledBackBy?.writes).toEqual(['iam:DeleteOpenIDConnectProvider']);
    expect(await provider(a, arn)).toBeNull();
  });

  it('refuses to delete a provider that does not carry the plan tag it was created with', async () => {
    const a = await account();
    const issuer = url();
    const planId = `p-${randomUUID().slice(0, 4)}`;
    const changeId = await applied(
      testPlan({
        id: planId,
        accountId: a,
        resourceArn: `arn:aws:iam::${a}:oidc-provider/${issuer}`,
        action: 'create-oidc-provider',
        before: null,
        after: { url: issuer, clientIds: ['sts.amazonaws.com'], thumbprints: [] },
      }),
    );
    // Someone re-tagged it for another plan
    await seedClients(endpointUrl(), a).iam.send(
      new TagOpenIDConnectProviderCommand({
        OpenIDConnectProviderArn: `arn:aws:iam::${a}:oidc-provider/${issuer}`,
        Tags: [{ Key: 'irsa-doctor:plan-id', Value: 'someone-else' }],
      }),
    );
    await expect(rollback(deps, approver, changeId)).rejects.toMatchObject({ name: 'RollbackRefusedError' });
    expect(await provider(a, `arn:aws:iam::${a}:oidc-provider/${issuer}`)).not.toBeNull();
  });

  it('removes an audience it added and keeps the others; refuses when the provider drifted', async () => {
    const a = await account();
    const issuer = url();
    const arn = `arn:aws:iam::${a}:oidc-provider/${issuer}`;
    await seedClients(endpointUrl(), a).iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: `https://${issuer}`, ClientIDList: ['other-client'] }),
    );
    const changeId = await applied(addAudience(a, arn, issuer));
    expect((await provider(a, arn))?.clientIds).toEqual(['other-client', 'sts.amazonaws.com']);
    const view = await rollback(deps, approver, changeId);
    expect(view.rolledBackBy?.writes).toEqual(['iam:RemoveClientIDFromOpenIDConnectProvider']);
    expect((await provider(a, arn))?.clientIds).toEqual(['other-client']);

    // A second change, then a drift: a thumbprint added by someone else
    const second = await applied(addAudience(a, arn, issuer));
    await seedClients(endpointUrl(), a).iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: arn,
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
      }),
    );
    await expect(rollback(deps, approver, second)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'drift',
    });
    expect((await provider(a, arn))?.clientIds).toEqual(['other-client', 'sts.amazonaws.com']);
  });

  it('refuses callers outside the approvers group, and an unknown change', async () => {
    await expect(rollback(deps, { id: 'bob', groups: ['readers'] }, 'x')).rejects.toMatchObject({
      name: 'ForbiddenError',
    });
    await expect(rollback(deps, approver, 'no-such-change')).rejects.toMatchObject({ name: 'ChangeNotFoundError' });
  });
});
