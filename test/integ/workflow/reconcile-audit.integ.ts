/**
 * The audit reconciler against the emulator: a crash left an intent without its record (the audit put failed after
 * the IAM write, or the IAM write itself failed); the reconciler completes each from what the resource holds, and
 * rollback then works (or is refused, when nothing was written).
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { RegistryFixWriter } from '../../../lambdas/adapters/registry-fix-writer';
import { makeHandler } from '../../../lambdas/handlers/make-handler';
import { DEFAULT_APPROVERS_GROUP, listChanges, rollback } from '../../../lambdas/workflow/approver-actions';
import type { WorkflowDeps } from '../../../lambdas/workflow/deps';
import { applyPlanStep } from '../../../lambdas/workflow/plan-steps';
import { RECONCILE_MIN_AGE_SECONDS, reconcileAudit, rollbackIdOf } from '../../../lambdas/workflow/write-ahead';
import {
  failingAuditPut,
  memberAccount,
  roleWithPlan,
  storePlan,
  trustDoc,
  trustOf,
  useAuditHarness,
} from '../../support/audit-faults';
import { HUB } from '../../support/workflow-estate';
import { endpointUrl } from '../emulator-env';

const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
const h = useAuditHarness('rc', 7);
/** The workflow's deps as the reconciler sees them an hour later (every intent is old enough to judge). */
let later: WorkflowDeps;
beforeAll(() => {
  later = { ...h.hub.deps, now: () => new Date(Date.now() + 2 * RECONCILE_MIN_AGE_SECONDS * 1000) };
});

/** The apply step, with the audit record put failing after the IAM write (a crash there). */
async function crashAfterWrite(runId: string, planId: string): Promise<void> {
  await expect(
    applyPlanStep(
      { ...h.hub.deps, store: failingAuditPut(h.hub.deps.store) },
      { runId, planId, approval: { approvedBy: 'alice' } },
    ),
  ).rejects.toThrow(/injected/);
}

describe('the audit reconciler', () => {
  it('completes an applied change a crash left without its record; the change can then be rolled back', async () => {
    // Given an apply whose audit put failed after the IAM write
    const a = await memberAccount();
    const { plan, roleName, before, after } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-1', plan);
    await crashAfterWrite('run-1', plan.id);
    const changeId = `run-1.${plan.id}`;
    expect(await h.hub.deps.store.getAudit(changeId)).toBeUndefined();
    expect(await h.hub.deps.store.getAuditIntent(changeId)).toMatchObject({ expected: before, intended: after });

    // When the reconciler runs at once, then once the intent is old enough (through the handler's contract)
    const early = await reconcileAudit(h.hub.deps, {});
    const handler = makeHandler('reconcile-audit', reconcileAudit, () => later);
    const out = await handler({});

    // Then it waits first (a write may be under way), then records the change as applied, from what IAM holds
    expect(early.completed.map((c) => c.changeId)).not.toContain(changeId);
    expect(early.waiting).toBeGreaterThanOrEqual(1);
    expect(out.completed).toContainEqual({ changeId, outcome: 'applied' });
    expect(await h.hub.deps.store.getAudit(changeId)).toMatchObject({
      kind: 'apply',
      outcome: 'applied',
      completedBy: 'reconciler',
      replaced: before,
      wrote: after,
      approvedBy: 'alice',
      writes: ['iam:UpdateAssumeRolePolicy'],
    });
    expect(await h.hub.deps.store.getPlan('run-1', plan.id)).toMatchObject({ status: 'applied', changeId });
    expect(await h.hub.deps.store.listOpenAuditIntents()).not.toContainEqual(expect.objectContaining({ changeId }));

    // And the change rolls back
    await rollback(h.deps, alice, changeId);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
  });

  it('completes an interrupted rollback as done by the person who started it', async () => {
    // Given an applied change whose rollback by alice wrote IAM, then failed to put its record
    const a = await memberAccount();
    const { plan, before } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-2', plan);
    await applyPlanStep(h.hub.deps, { runId: 'run-2', planId: plan.id, approval: { approvedBy: 'alice' } });
    const changeId = `run-2.${plan.id}`;
    await expect(rollback({ ...h.deps, store: failingAuditPut(h.hub.deps.store) }, alice, changeId)).rejects.toThrow(
      /injected/,
    );

    // When the reconciler runs
    const out = await reconcileAudit(later, {});

    // Then the rollback is recorded, alice's, and a second rollback is refused naming her
    expect(out.completed).toContainEqual({ changeId: rollbackIdOf(changeId), outcome: 'applied' });
    expect(await h.hub.deps.store.getAudit(rollbackIdOf(changeId))).toMatchObject({
      kind: 'rollback',
      approvedBy: 'alice',
      wrote: before,
      rollsBack: changeId,
      completedBy: 'reconciler',
    });
    await expect(rollback(h.deps, { id: 'bob', groups: [DEFAULT_APPROVERS_GROUP] }, changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'already-rolled-back',
      message: expect.stringContaining('alice'),
    });
  });

  it('lets another person roll back once an abandoned rollback that never wrote is closed, as a new attempt', async () => {
    // Given an applied change, and alice's rollback whose IAM write failed (503, no retries), leaving her intent
    const a = await memberAccount();
    const { plan, roleName, before } = await roleWithPlan(endpointUrl(), a);
    await storePlan(h.hub.deps.store, 'run-4', plan);
    await applyPlanStep(h.hub.deps, { runId: 'run-4', planId: plan.id, approval: { approvedBy: 'alice' } });
    const changeId = `run-4.${plan.id}`;
    const writers = new AwsClientFactory({
      endpoint: h.proxy.url,
      roleName: 'IrsaDoctorRemediator',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
      maxAttempts: 1,
    });
    h.proxy.setFaults(undefined, { 'iam:UpdateAssumeRolePolicy': { serverError: 1 } });
    await expect(rollback({ ...h.deps, fixes: new RegistryFixWriter(writers) }, alice, changeId)).rejects.toMatchObject(
      {
        $metadata: { httpStatusCode: 503 },
      },
    );
    h.proxy.setFaults(undefined);
    const bob = { id: 'bob', groups: [DEFAULT_APPROVERS_GROUP] };

    // When bob asks at once, he is refused: alice's rollback may still be under way
    await expect(rollback(h.deps, bob, changeId)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      message: expect.stringContaining('being rolled back by alice'),
    });
    // And when he asks after the reconciler's age, alice's attempt is closed as not written and his goes ahead
    const view = await rollback({ ...h.deps, now: later.now }, bob, changeId);

    // Then the policy is restored, alice's attempt is recorded as not applied, and bob's is the rollback
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(await h.hub.deps.store.getAudit(rollbackIdOf(changeId))).toMatchObject({
      approvedBy: 'alice',
      outcome: 'not-applied',
    });
    expect(view.rolledBackBy).toMatchObject({
      changeId: rollbackIdOf(changeId, 2),
      approvedBy: 'bob',
      outcome: 'applied',
      writes: ['iam:UpdateAssumeRolePolicy'],
    });
    const history = (await listChanges(h.deps, alice)).find((c) => c.change.changeId === changeId);
    expect(history?.rolledBackBy?.approvedBy).toBe('bob');
  });

  it('closes an intent whose IAM write never happened as not applied, and one that drifted as drift', async () => {
    // Given two applies whose IAM write failed (every UpdateAssumeRolePolicy answered 503, no retries)
    const a = await memberAccount();
    const writers = new AwsClientFactory({
      endpoint: h.proxy.url,
      roleName: 'IrsaDoctorRemediator',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
      maxAttempts: 1,
    });
    h.proxy.setFaults(undefined, { 'iam:UpdateAssumeRolePolicy': { serverError: 1 } });
    const failed = [await roleWithPlan(endpointUrl(), a), await roleWithPlan(endpointUrl(), a)];
    for (const { plan } of failed) {
      await storePlan(h.hub.deps.store, 'run-3', plan);
      await expect(
        applyPlanStep(
          { ...h.hub.deps, fixes: new RegistryFixWriter(writers) },
          { runId: 'run-3', planId: plan.id, approval: { approvedBy: 'alice' } },
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    }
    h.proxy.setFaults(undefined);
    // And someone edits the second role before the reconciler comes
    const [untouched, edited] = failed as [(typeof failed)[0], (typeof failed)[0]];
    await seedClients(endpointUrl(), a).iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: edited.roleName,
        PolicyDocument: JSON.stringify(trustDoc('ByAPerson')),
      }),
    );

    // When the reconciler runs
    const out = await reconcileAudit(later, {});

    // Then the first is closed as not applied, the second as drift with what was found; neither rolls back
    expect(out.completed).toEqual(
      expect.arrayContaining([
        { changeId: `run-3.${untouched.plan.id}`, outcome: 'not-applied' },
        { changeId: `run-3.${edited.plan.id}`, outcome: 'drift' },
      ]),
    );
    expect(await h.hub.deps.store.getAudit(`run-3.${edited.plan.id}`)).toMatchObject({
      outcome: 'drift',
      found: trustDoc('ByAPerson'),
    });
    await expect(rollback(h.deps, alice, `run-3.${untouched.plan.id}`)).rejects.toMatchObject({
      name: 'RollbackRefusedError',
      reason: 'not-reversible',
    });
    expect(await trustOf(endpointUrl(), a, untouched.roleName)).toEqual(untouched.before);
    // And the history lists neither as a change
    const ids = (await listChanges(h.deps, alice)).map((c) => c.change.changeId);
    expect(ids).not.toContain(`run-3.${untouched.plan.id}`);
    expect(ids).not.toContain(`run-3.${edited.plan.id}`);
  });
});
