/**
 * create-access-entry's focused cases against the emulator: an entry that already exists with other settings is
 * never overwritten (stale, nothing written) and never deleted by a rollback; a failed policy association leaves no
 * entry behind.
 */
import { randomUUID } from 'node:crypto';
import { AssociateAccessPolicyCommand, CreateAccessEntryCommand, CreateClusterCommand } from '@aws-sdk/client-eks';
import { seedClients } from '../../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../../infra/local/local-hub';
import { readAccessEntry } from '../../../../lambdas/adapters/fix-actions/create-access-entry';
import { applyPlan, rollbackChange } from '../../../../lambdas/adapters/fix-actions/fix-action-registry';
import type { CreateAccessEntryPlan } from '../../../../lambdas/domain/plan/plan-model';
import type { AuditRecord } from '../../../../lambdas/ports/state-store';
import { testPlan } from '../../../support/test-plan';
import { freshAccountId, seedMemberRoles } from '../../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../../emulator-env';

const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
let hub: LocalHub;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `e${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
});

async function clusterWithPlan(policyArn = VIEW) {
  const a = freshAccountId();
  await seedMemberRoles(endpointUrl(), a);
  const cluster = `c-${randomUUID().slice(0, 6)}`;
  const eks = seedClients(endpointUrl(), a).eks('us-west-2');
  await eks.send(
    new CreateClusterCommand({
      name: cluster,
      roleArn: `arn:aws:iam::${a}:role/eks`,
      resourcesVpcConfig: { subnetIds: ['subnet-1'] },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    }),
  );
  const principalArn = `arn:aws:iam::${a}:role/IrsaDoctorScanner`;
  const plan: CreateAccessEntryPlan = testPlan({
    id: `p-${randomUUID().slice(0, 6)}`,
    accountId: a,
    resourceArn: `arn:aws:eks:us-west-2:${a}:access-entry/${cluster}/role/${a}/IrsaDoctorScanner`,
    action: 'create-access-entry',
    before: null,
    after: {
      clusterName: cluster,
      principalArn,
      type: 'STANDARD',
      kubernetesGroups: [],
      policies: [{ policyArn, accessScope: { type: 'cluster', namespaces: [] } }],
    },
  });
  return { eks, cluster, principalArn, plan };
}

describe('create-access-entry', () => {
  it('writes nothing over an entry that exists with other settings, and a rollback never deletes it', async () => {
    // Given the scanner role already has an entry there, with the edit policy (made by someone else)
    const { eks, cluster, principalArn, plan } = await clusterWithPlan();
    await eks.send(new CreateAccessEntryCommand({ clusterName: cluster, principalArn, type: 'STANDARD' }));
    const edit = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
    await eks.send(
      new AssociateAccessPolicyCommand({
        clusterName: cluster,
        principalArn,
        policyArn: edit,
        accessScope: { type: 'cluster' },
      }),
    );
    const existing = await readAccessEntry(eks, plan.resourceArn);

    // When the plan is applied, Then it is stale and nothing changed
    await expect(applyPlan(hub.writers, plan)).rejects.toMatchObject({ name: 'StalePlanError' });
    expect(await readAccessEntry(eks, plan.resourceArn)).toEqual(existing);

    // When a record says a change replaced that entry and wrote what it holds now (the entry existed before the
    // change), Then the rollback refuses: it deletes only entries its change created, and the entry stays
    const change: AuditRecord = {
      changeId: `c-${plan.id}`,
      kind: 'apply',
      runId: 'run-1',
      planId: plan.id,
      accountId: plan.accountId,
      resourceArn: plan.resourceArn,
      action: plan.action,
      replaced: existing,
      wrote: existing,
      writes: ['eks:CreateAccessEntry', 'eks:AssociateAccessPolicy'],
      approvedBy: 'alice',
      appliedAt: new Date().toISOString(),
    };
    await expect(rollbackChange(hub.writers, change)).rejects.toMatchObject({ name: 'RollbackRefusedError' });
    expect(await readAccessEntry(eks, plan.resourceArn)).toEqual(existing);
  });

  it('leaves no entry behind when the policy association fails', async () => {
    const { eks, plan } = await clusterWithPlan('arn:aws:eks::aws:not-an-access-policy/AmazonEKSViewPolicy');
    await expect(applyPlan(hub.writers, plan)).rejects.toThrow();
    expect(await readAccessEntry(eks, plan.resourceArn)).toBeNull();
  });

  it('is already applied when the entry holds the plan, and writes nothing', async () => {
    const { plan } = await clusterWithPlan();
    expect((await applyPlan(hub.writers, plan)).status).toBe('applied');
    const again = await applyPlan(hub.writers, plan);
    expect(again.status).toBe('already-applied');
    expect(again.writes).toEqual([]);
  });
});
