/**
 * The audit table's items are appended, never overwritten: the DynamoDB state store against the emulator.
 */
import { randomUUID } from 'node:crypto';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import type { AuditIntent, AuditRecord } from '../../../lambdas/ports/state-store';
import { testPlan } from '../../support/test-plan';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let hub: LocalHub;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `s${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
});

const PROVIDER = 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF';
const intent = (changeId: string, approvedBy: string): AuditIntent => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  action: 'update-trust-policy',
  expected: { Statement: [] },
  intended: { Statement: [{ Principal: { Federated: PROVIDER } }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy,
  intendedAt: new Date().toISOString(),
  names: [PROVIDER],
});
const record = (changeId: string, approvedBy: string): AuditRecord => ({
  changeId,
  kind: 'apply',
  runId: 'run',
  planId: 'plan',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:role/app',
  action: 'update-trust-policy',
  replaced: { Statement: [] },
  wrote: { Statement: [{ Sid: approvedBy }] },
  writes: ['iam:UpdateAssumeRolePolicy'],
  approvedBy,
  appliedAt: new Date().toISOString(),
  outcome: 'applied',
});

describe('the audit table, append-only', () => {
  it('keeps the first intent of a change and returns it to a second put; indexes the resource and the providers', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    expect(await hub.deps.store.putAuditIntent(intent(id, 'alice'))).toMatchObject({
      created: true,
      intent: { approvedBy: 'alice' },
    });
    expect(await hub.deps.store.putAuditIntent(intent(id, 'bob'))).toMatchObject({
      created: false,
      intent: { approvedBy: 'alice' },
    });
    expect(await hub.deps.store.getAuditIntent(id)).toMatchObject({ approvedBy: 'alice' });
    expect(await hub.deps.store.listAuditReferences(PROVIDER.toUpperCase())).toContainEqual({
      changeId: id,
      relation: 'names',
    });
    expect(await hub.deps.store.listAuditReferences('arn:aws:iam::111111111111:role/app')).toContainEqual({
      changeId: id,
      relation: 'target',
    });
    // Open until its record is put; the history lists records only
    expect((await hub.deps.store.listOpenAuditIntents()).map((i) => i.changeId)).toContain(id);
    expect((await hub.deps.store.listAudit()).map((r) => r.changeId)).not.toContain(id);
  });

  it('refuses a second record of a change (ConditionalCheckFailedException) and keeps the first', async () => {
    const id = `c-${randomUUID().slice(0, 8)}`;
    await hub.deps.store.putAuditIntent(intent(id, 'alice'));
    await hub.deps.store.putAudit(record(id, 'alice'));
    await expect(hub.deps.store.putAudit(record(id, 'mallory'))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect(await hub.deps.store.getAudit(id)).toMatchObject({
      approvedBy: 'alice',
      wrote: { Statement: [{ Sid: 'alice' }] },
    });
    expect((await hub.deps.store.listOpenAuditIntents()).map((i) => i.changeId)).not.toContain(id);
    expect((await hub.deps.store.listAudit()).filter((r) => r.changeId === id)).toHaveLength(1);
  });
});

describe('stored plans', () => {
  it('reads a plan back as its action, and refuses one whose before/after do not fit its action', async () => {
    // Given a stored trust-policy plan, and one whose stored JSON was altered to a provider action
    const runId = `run-${randomUUID().slice(0, 8)}`;
    const plan = testPlan({ id: 'good' });
    const bent: Plan = JSON.parse(JSON.stringify({ ...plan, id: 'bent', action: 'create-oidc-provider' }));
    const at = new Date().toISOString();
    const rec = (p: Plan) => ({
      runId,
      planId: p.id,
      plan: p,
      contentHash: 'h',
      status: 'proposed' as const,
      wave: 0,
      updatedAt: at,
    });
    await hub.deps.store.putPlans([rec(plan), rec(bent)]);

    // When they are read back
    // Then the good one is the plan as stored, the bent one a clear error naming the plan and the side
    expect((await hub.deps.store.getPlan(runId, 'good'))?.plan).toEqual(plan);
    await expect(hub.deps.store.getPlan(runId, 'bent')).rejects.toMatchObject({
      name: 'InvalidPayloadError',
      message: expect.stringContaining(
        `stored plan ${runId}/bent does not fit its action: before of a create-oidc-provider plan must be null`,
      ),
    });
  });
});
