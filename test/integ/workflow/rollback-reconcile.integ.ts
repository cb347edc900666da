/**
 * The rollback reconciler against the emulator, with the real DynamoDB state store (and its open-rollback index):
 * a rollback request whose step never ran is performed once, as the person who asked; a request left `running` by
 * a crash after the IAM write is completed from what the role holds, without a second IAM write.
 */
import { randomUUID } from 'node:crypto';
import { type FaultProxy, startFaultProxy } from '../../../emulator/fault-proxy';
import { EMULATOR_CREDENTIALS } from '../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { makeRollbackHandler } from '../../../lambdas/handlers/run-rollback';
import type { StateStore } from '../../../lambdas/ports/state-store';
import {
  type ConsoleDeps,
  DEFAULT_APPROVERS_GROUP,
  reconcileRollbacks,
  requestRollback,
  rollbackIdOf,
  runRollbackRequest,
} from '../../../lambdas/workflow/approval-console';
import { applyPlanStep } from '../../../lambdas/workflow/plan-steps';
import { reconcileAudit } from '../../../lambdas/workflow/write-ahead';
import { roleWithPlan, storePlan, trustOf } from '../../support/audit-faults';
import { freshAccountId, HUB, seedMemberRoles } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const carol = { id: 'carol', groups: [DEFAULT_APPROVERS_GROUP] };
const UPDATE_TRUST = 'iam:UpdateAssumeRolePolicy';
let hub: LocalHub;
let deps: ConsoleDeps;
let proxy: FaultProxy;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `k${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
  proxy = await startFaultProxy({ target: endpointUrl(), seed: 12 });
  // The rollback's IAM calls go through the proxy, which counts them.
  const writers = new AwsClientFactory({
    endpoint: proxy.url,
    roleName: 'IrsaDoctorRemediator',
    hubAccountId: HUB,
    credentials: EMULATOR_CREDENTIALS,
    access: 'write',
  });
  deps = { ...hub.deps, writers, approversGroup: DEFAULT_APPROVERS_GROUP };
});
afterAll(async () => proxy.close());

/** An applied trust-policy change (by the apply step, not through the proxy), and a request to roll it back. */
async function requestedRollback(runId: string) {
  const a = freshAccountId();
  await seedMemberRoles(endpointUrl(), a);
  const { plan, roleName, before, after } = await roleWithPlan(endpointUrl(), a);
  await storePlan(hub.deps.store, runId, plan);
  await applyPlanStep(hub.deps, { runId, planId: plan.id, approval: { approvedBy: 'alice' } });
  const changeId = `${runId}.${plan.id}`;
  // Recorded by the API without dispatch: in AWS the stream would start the step; here it never runs.
  const { request } = await requestRollback(
    { store: hub.deps.store, now: hub.deps.now, approversGroup: DEFAULT_APPROVERS_GROUP },
    carol,
    changeId,
    'undo it',
  );
  expect(request).toMatchObject({ status: 'pending', requestedBy: 'carol' });
  return { a, roleName, before, after, changeId };
}

const rollbacksOf = async (changeId: string) =>
  (await hub.deps.store.listAudit()).filter((r) => r.rollsBack === changeId);

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
    const handler = makeRollbackHandler(() => deps);

    // When the scheduled reconciler runs with the default threshold, the fresh request is left to the stream
    await handler({ reconcile: true });
    expect(await hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'pending' });

    // And when it runs once the request is older than the threshold (here: any age), then again
    proxy.reset();
    const report = await handler({ reconcile: true, olderThanSeconds: 0 });
    await handler({ reconcile: true, olderThanSeconds: 0 });

    // Then the first round performed it: the role holds what the change replaced, the request is done
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(await hub.deps.store.getRollbackRequest(changeId)).toMatchObject({
      status: 'done',
      rollbackId: rollbackIdOf(changeId),
    });
    // And the audit holds exactly one rollback record, by carol, with one IAM write in all
    expect((await rollbacksOf(changeId)).map((r) => [r.approvedBy, r.writes])).toEqual([['carol', [UPDATE_TRUST]]]);
    expect(proxy.counts()[UPDATE_TRUST]).toBe(1);
    // And a finished request is out of the open-rollback index
    expect((await hub.deps.store.listOpenRollbackRequests()).map((r) => r.changeId)).not.toContain(changeId);
  });

  it('completes a request left running by a crash after the IAM write, without writing again', async () => {
    // Given a rollback request whose step wrote IAM and then died before its audit record and its status
    const { a, roleName, before, changeId } = await requestedRollback('run-k2');
    proxy.reset();
    await expect(
      runRollbackRequest({ ...deps, store: crashAfterIamWrite(hub.deps.store) }, changeId),
    ).rejects.toMatchObject({ name: 'InjectedCrash' });
    expect(await hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'running' });
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await rollbacksOf(changeId)).toEqual([]);
    expect((await hub.deps.store.listOpenRollbackRequests()).map((r) => r.changeId)).toContain(changeId);

    // When the reconciler runs (the request older than the threshold)
    const report = await reconcileRollbacks(deps, 0);

    // Then the request is done, recorded once by carol with the write her crashed step made, and IAM was not
    // written a second time
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await hub.deps.store.getRollbackRequest(changeId)).toMatchObject({ status: 'done' });
    expect(proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    const records = await rollbacksOf(changeId);
    expect(records.map((r) => [r.approvedBy, r.writes, r.wrote])).toEqual([['carol', [UPDATE_TRUST], before]]);
  });

  it('marks done (not refused) a crashed request whose write the audit reconciler recorded first', async () => {
    // Given a request whose step wrote IAM and died, and the audit reconciler has since completed the record
    const { a, roleName, before, changeId } = await requestedRollback('run-k3');
    proxy.reset();
    await expect(
      runRollbackRequest({ ...deps, store: crashAfterIamWrite(hub.deps.store) }, changeId),
    ).rejects.toMatchObject({ name: 'InjectedCrash' });
    await reconcileAudit(deps, { minAgeSeconds: 0 });
    expect(await rollbacksOf(changeId)).toMatchObject([{ approvedBy: 'carol', completedBy: 'reconciler' }]);

    // When the rollback reconciler runs
    const report = await reconcileRollbacks(deps, 0);

    // Then the request is done with that record (it is carol's rollback), nothing more was written or recorded
    expect(report).toMatchObject({ outcomes: { done: 1 }, failed: [] });
    expect(await hub.deps.store.getRollbackRequest(changeId)).toMatchObject({
      status: 'done',
      rollbackId: rollbackIdOf(changeId),
    });
    expect(proxy.counts()[UPDATE_TRUST]).toBe(1);
    expect(await trustOf(endpointUrl(), a, roleName)).toEqual(before);
    expect(await rollbacksOf(changeId)).toHaveLength(1);
  });
});
