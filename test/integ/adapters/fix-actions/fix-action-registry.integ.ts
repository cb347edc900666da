/**
 * Every fix action of the registry against the emulator, through the registry's derived functions only: apply
 * writes only what the action declares for apply, the verify re-read puts the written state into the snapshot,
 * rollback writes only what it declares for rollback and restores the replaced state; both hold what holdsState says.
 */
import { randomUUID } from 'node:crypto';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../../infra/local/local-hub';
import {
  applyPlan,
  FIX_ACTIONS,
  holdsState,
  readResourceState,
  rollbackChange,
  verifyRead,
} from '../../../../lambdas/adapters/fix-actions/fix-action-registry';
import type { AppliedAction, IamGrant } from '../../../../lambdas/domain/fix-action-iam';
import { noAccessEntry, unreadableKubernetes } from '../../../../lambdas/domain/kubernetes/eks-read-access';
import type { Plan } from '../../../../lambdas/domain/plan/plan-model';
import type { AccountSnapshot } from '../../../../lambdas/domain/snapshot';
import type { AuditRecord } from '../../../../lambdas/ports/state-store';
import { testPlan } from '../../../support/test-plan';
import { freshAccountId, seedMemberRoles } from '../../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../../emulator-env';

let hub: LocalHub;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `f${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
});

const THUMB_A = 'a'.repeat(40);
const THUMB_B = 'b'.repeat(40);
const trust = (sub: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'oidc.eks.us-west-2.amazonaws.com/id/ABC:sub': sub } },
    },
  ],
});

/** A resource in a fresh member account and a plan of `action` for it. */
async function scenario(action: AppliedAction): Promise<Plan> {
  const a = freshAccountId();
  await seedMemberRoles(endpointUrl(), a);
  const iam = seedClients(endpointUrl(), a).iam;
  const url = `oidc.eks.us-west-2.amazonaws.com/id/${randomUUID().replace(/-/g, '').toUpperCase()}`;
  const providerArn = `arn:aws:iam::${a}:oidc-provider/${url}`;
  const common = { id: `p-${action}-${randomUUID().slice(0, 6)}`, accountId: a };
  const existing = async (clientIds: string[], thumbprints: string[]) => {
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${url}`,
        ClientIDList: clientIds,
        ThumbprintList: thumbprints,
      }),
    );
    return { url, clientIds, thumbprints };
  };
  switch (action) {
    case 'update-trust-policy': {
      const name = `app-${randomUUID().slice(0, 6)}`;
      const before = trust('system:serviceaccount:team:app ');
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(before) }));
      return testPlan({
        ...common,
        resourceArn: `arn:aws:iam::${a}:role/${name}`,
        before,
        after: trust('system:serviceaccount:team:app'),
      });
    }
    case 'create-oidc-provider':
      return testPlan({
        ...common,
        resourceArn: providerArn,
        action,
        before: null,
        after: { url, clientIds: ['sts.amazonaws.com'], thumbprints: [] },
      });
    case 'add-client-id': {
      const before = await existing(['other-client'], [THUMB_A]);
      return testPlan({
        ...common,
        resourceArn: providerArn,
        action,
        before,
        after: { ...before, clientIds: ['other-client', 'sts.amazonaws.com'] },
      });
    }
    case 'update-thumbprint': {
      const before = await existing(['sts.amazonaws.com'], [THUMB_A]);
      return testPlan({
        ...common,
        resourceArn: providerArn,
        action,
        before,
        after: { ...before, thumbprints: [THUMB_B] },
      });
    }
    case 'create-access-entry': {
      const cluster = `c-${randomUUID().slice(0, 6)}`;
      await seedClients(endpointUrl(), a)
        .eks('us-west-2')
        .send(
          new CreateClusterCommand({
            name: cluster,
            roleArn: `arn:aws:iam::${a}:role/eks`,
            resourcesVpcConfig: { subnetIds: ['subnet-1'] },
            accessConfig: { authenticationMode: 'API' },
          }),
        );
      return testPlan({
        ...common,
        resourceArn: `arn:aws:eks:us-west-2:${a}:access-entry/${cluster}/role/${a}/IrsaDoctorScanner`,
        action,
        before: null,
        after: {
          clusterName: cluster,
          principalArn: `arn:aws:iam::${a}:role/IrsaDoctorScanner`,
          type: 'STANDARD',
          kubernetesGroups: [],
          policies: [VIEW],
        },
      });
    }
  }
}

const VIEW = {
  policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
  accessScope: { type: 'cluster' as const, namespaces: [] },
};

/** The account as collected before the plan, and what the verify re-read put in it for the plan's resource. */
function collectedFor(plan: Plan): AccountSnapshot {
  const base = { accountId: plan.accountId, clusters: [], oidcProviders: [], roles: [] };
  if (plan.action !== 'create-access-entry') {
    return { ...base, roles: [{ arn: plan.resourceArn, name: 'as collected', trustPolicy: 'as collected' }] };
  }
  const principal = plan.after.principalArn;
  const kubernetes = unreadableKubernetes(noAccessEntry(principal), { readAs: principal });
  return {
    ...base,
    clusters: [{ name: plan.after.clusterName, region: 'us-west-2', status: 'ACTIVE', oidcIssuer: null, kubernetes }],
  };
}

function writtenIn(plan: Plan, verified: AccountSnapshot): unknown {
  if (plan.action === 'update-trust-policy') return JSON.parse(String(verified.roles[0]?.trustPolicy));
  if (plan.action === 'create-access-entry') {
    // The cluster's "no access entry" record is gone once the entry holds the view policy: the finding with it.
    return verified.clusters[0]?.kubernetes === undefined ? plan.after : verified.clusters[0]?.kubernetes;
  }
  return verified.oidcProviders.find((p) => p.arn === plan.resourceArn);
}

const actionsOf = (grants: readonly IamGrant[]) => grants.flatMap((g) => g.actions);

describe.each(Object.keys(FIX_ACTIONS).sort())('fix action %s', (name) => {
  it('applies, verifies and rolls back with only its declared IAM writes', async () => {
    // Given a resource that holds the plan's before
    const fix = Object.values(FIX_ACTIONS).find((f) => f.action === name);
    if (!fix) throw new Error(`no module for ${name}`);
    const plan = await scenario(fix.action);

    // When the plan is applied through the registry
    const outcome = await applyPlan(hub.writers, plan);

    // Then it wrote, only actions its module declares for apply, and the resource holds the plan's after
    expect(outcome.status).toBe('applied');
    expect(outcome.writes.length).toBeGreaterThan(0);
    expect(actionsOf(fix.iam.apply)).toEqual(expect.arrayContaining([...outcome.writes]));
    const state = await readResourceState(hub.writers, { ...plan, planId: plan.id });
    expect(holdsState(plan.action, state, plan.after)).toBe(true);
    expect(holdsState(plan.action, state, plan.before)).toBe(false);

    // And the verify re-read (scanner credentials) puts the written state into the account's collected snapshot
    const verified = await verifyRead(hub.readers, plan, collectedFor(plan));
    expect(holdsState(plan.action, writtenIn(plan, verified), plan.after)).toBe(true);

    // When the applied change is rolled back from its record
    const change: AuditRecord = {
      changeId: `c-${plan.id}`,
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
    };
    const undone = await rollbackChange(hub.writers, change);

    // Then it wrote only actions its module declares for rollback, and the resource holds the plan's before again
    expect(undone.status).toBe('rolled-back');
    expect(actionsOf(fix.iam.rollback)).toEqual(expect.arrayContaining([...undone.writes]));
    const restored = await readResourceState(hub.writers, { ...plan, planId: plan.id });
    expect(holdsState(plan.action, restored, plan.before)).toBe(true);
  });
});
