/**
 * The rollback reconciler against the emulator, with the real DynamoDB state store (and its open-rollback index):
 * a rollback request whose step never ran is performed once, as the person who asked; a request left `running` by
 * a crash after the IAM write is completed from what the role holds, without a second IAM write.
 */
import { EMULATOR_CREDENTIALS } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { RegistryFixWriter } from '../../../lambdas/adapters/registry-fix-writer';
import { makeRollbackHandler } from '../../../lambdas/handlers/run-rollback';
import type { StateStore } from '../../../lambdas/ports/state-store';
import {
  DEFAULT_APPROVERS_GROUP,
  reconcileRollbacks,
  requestRollback,
  rollbackIdOf,
  runRollbackRequest,
} from '../../../lambdas/workflow/approver-actions';
import { applyPlanStep } from '../../../lambdas/workflow/plan-steps';
import { reconcileAudit } from '../../../lambdas/workflow/write-ahead';
import { memberAccount, roleWithPlan, storePlan, trustOf, useAuditHarness } from '../../support/audit-faults';
import { HUB } from '../../support/workflow-estate';
import { endpointUrl } from '../emulator-env';

const carol = { id: 'carol', groups: [DEFAULT_APPROVERS_GROUP] };
const UPDATE_TRUST = 'iam:UpdateAssumeRolePolicy';
// The rollback's IAM calls go through the proxy, which counts them.
const h = useAuditHarness('k', 12, ({ proxy }) => ({
  fixes: new RegistryFixWriter(
    new AwsClientFactory({
      endpoint: proxy.url,
      roleName: 'IrsaDoctorRemediator',
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
    }),
  ),
}));

/** An applied trust-policy change (by the apply step, not through the h.proxy), and a request to roll it back. */
async function requestedRollback(runId: string) {
  const a = await memberAccount();
  const { plan, roleName, before, after } = await roleWithPlan(endpointUrl(), a);
  await storePlan(h.hub.deps.store, runId, plan);
  await applyPlanStep(h.hub.deps, { runId, planId: plan.id, approval: { approvedBy: 'alice' } });
  const changeId = `${runId}.${plan.id}`;
  // Recorded by the API without dispatch: in AWS the stream would start the step; here it never runs.
  const { request } = await requestRollback(
    { store: h.hub.deps.store, now: h.hub.deps.now, approversGroup: DEFAULT_APPROVERS_GROUP },
    carol,
    changeId,
    'undo it',
  );
  expect(request).toMatchObject({ status: 'pending', requestedBy: 'carol' });
  return { a, roleName, before, after, changeId };
}

const rollbacksOf = async (changeId: string) =>
  (await h.hub.deps.store.listAudit()).filter((r) => r.rollsBack === changeId);

/**
 * The step dies after its IAM write: the audit put fails and so does every later request update (the process is
 * gone), so the request stays `running` and the write-ahead intent stays open.
 */
function crashAfterIamWrite(store: StateStore): StateStore {
  let crashed = false;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'putAudit') {
        return async () => {
          crashed = true;
          throw Object.assign(new Error('injected: the process died after the IAM write'), { name: 'InjectedCrash' });
        };
      }
      if (prop === 'updateRollbackRequest') {
        return async (...args: Parameters<StateStore['updateRollbackRequest']>) => {
          if (crashed) throw Object.assign(new Error('injected: the process is gone'), { name: 'InjectedCrash' });
          return target.updateRollbackRequest(...args);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the rollback reconciler', () => {
  it('performs a request whose step never ran, once, as the person who asked', async () => {
    // Given a pending rollback request whose step never ran
    const { a, roleName, before, changeId } = await requestedRollback('run-k1');
    const handler = makeRollbackHandler(() => h.deps);

    // When the scheduled reconciler runs with the default threshold, the fresh request is left to the stream
    await handler({ reconcile: true });
    expect(await h.hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'pending' });

    // And when it runs once the request is older than the threshold (here: any age), then again
    h.proxy.reset();
    const report = await handler({ reconcile: true, olderThanSeconds: 0 });
    await handler({ reconcile: true, olderThanSeconds: 0 });

    // Then the first round performed it: the role holds what the change replaced, the request is done
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(await h.hub.deps.store.getRollbackRequest(changeId)).toMatchObject({
      status: 'done',
      rollbackId: rollbackIdOf(changeId),
    });
    // And the audit holds exactly one rollback record, by carol, with one IAM write in all
    expect((await rollbacksOf(changeId)).map((r) => [r.approvedBy, r.writes])).toEqual([['carol', [UPDATE_TRUST]]]);
    expect(h.proxy.counts()[UPDATE_TRUST]).toBe(1);
    // And a finished request is out of the open-rollback index
    expect((await h.hub.deps.store.listOpenRollbackRequests()).map((r) => r.changeId)).not.toContain(changeId);
  });

  it('completes a request left running by a crash after the IAM write, without writing again', async () => {
    // Given a rollback request whose step wrote IAM and then died before its audit record and its status
    const { a, roleName, before, changeId } = await requestedRollback('run-k2');
    h.proxy.reset();
    await expect(
      runRollbackRequest({ ...h.deps, store: crashAfterIamWrite(h.hub.deps.store) }, changeId),
    ).rejects.toMatchObject({ name: 'InjectedCrash' });
    expect(await h.hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'running' });
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(h.proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await rollbacksOf(changeId)).toEqual([]);
    expect((await h.hub.deps.store.listOpenRollbackRequests()).map((r) => r.changeId)).toContain(changeId);

    // When the reconciler runs (the request older than the threshold)
    const report = await reconcileRollbacks(h.deps, 0);

    // Then the request is done, recorded once by carol with the write her crashed step made, and IAM was not
    // written a second time
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await h.hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'done' });
    expect(h.proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    const records = await rollbacksOf(changeId);
    expect(records.map((r) => [r.approvedBy, r.writes, r.wrote])).toEqual([['carol', [UPDATE_TRUST], before]]);
  });

  it('marks done (not refused) a crashed request whose write the audit reconciler recorded first', async () => {
    // Given a request whose step wrote IAM and died, and the audit reconciler has since completed the record
    const { a, roleName, before, changeId } = await requestedRollback('run-k3');
    h.proxy.reset();
    await expect(
      runRollbackRequest({ ...h.deps, store: crashAfterIamWrite(h.hub.deps.store) }, changeId),
    ).rejects.toMatchObject({ name: 'InjectedCrash' });
    await reconcileAudit(h.deps, { minAgeSeconds: 0 });
    expect(await rollbacksOf(changeId)).toMatchObject([{ approvedBy: 'carol', completedBy: 'reconciler' }]);

    // When the rollback reconciler runs
    const report = await reconcileRollbacks(h.deps, 0);

    // Then the request is done with that record (it is carol's rollback), nothing more was written or recorded
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await h.hub.deps.store.getRollbackRequest(changeId)).toMatchObject({
      status: 'done',
      rollbackId: rollbackIdOf(changeId),
    });
    expect(h.proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(await rollbacksOf(changeId)).toHaveLength(1);
  });
});
