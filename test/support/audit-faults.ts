/**
 * Fault injection for the write-ahead audit tests: a state store whose audit record put (the completion after the
 * IAM write) fails, as a crash or a DynamoDB outage between the write and its record would; and the plan records
 * and roles the apply step needs, in the emulator.
 */
import { randomUUID } from 'node:crypto';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { type FaultProxy, startFaultProxy } from '../../emulator/fault-proxy';
import { seedClients } from '../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../infra/local/local-hub';
import type { Plan, TrustDocument } from '../../lambdas/domain/plan/plan-model';
import type { StateStore } from '../../lambdas/ports/state-store';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../lambdas/workflow/approver-actions';
import { planContentHash } from '../../lambdas/workflow/run-steps';
import { endpointUrl, useEmulatorCredentials } from '../integ/emulator-env';
import { testPlan } from './test-plan';
import { freshAccountId, seedMemberRoles } from './workflow-estate';

/** The store, except that the next `times` audit record puts (putAudit) fail with InjectedFault. */
export function failingAuditPut(store: StateStore, times = 1): StateStore {
  let remaining = times;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'putAudit') {
        return async (record: Parameters<StateStore['putAudit']>[0]) => {
          if (remaining > 0) {
            remaining--;
            const err = new Error(`injected: the audit put of ${record.changeId} failed after the IAM write`);
            err.name = 'InjectedFault';
            throw err;
          }
          return target.putAudit(record);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Stores a plan as analyze-account would, waiting for approval. */
export async function storePlan(store: StateStore, runId: string, plan: Plan): Promise<void> {
  await store.putPlans([
    {
      runId,
      planId: plan.id,
      plan,
      contentHash: planContentHash(plan),
      status: 'awaiting-approval',
      wave: 0,
      updatedAt: new Date().toISOString(),
    },
  ]);
}

export const trustDoc = (sid: string, federated?: string): TrustDocument => ({
  Version: '2012-10-17',
  Statement: [
    federated
      ? { Sid: sid, Effect: 'Allow', Principal: { Federated: federated }, Action: 'sts:AssumeRoleWithWebIdentity' }
      : { Sid: sid, Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/** A role holding `before`, and a plan from `before` to `after` on it. */
export async function roleWithPlan(
  endpoint: string,
  accountId: string,
  after: TrustDocument = trustDoc('After'),
): Promise<{ plan: Plan; roleName: string; before: TrustDocument; after: TrustDocument }> {
  const roleName = `app-${randomUUID().slice(0, 8)}`;
  const before = trustDoc('Before');
  await seedClients(endpoint, accountId).iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(before) }),
  );
  const plan = testPlan({
    id: `p-${randomUUID().slice(0, 8)}`,
    accountId,
    resourceArn: `arn:aws:iam::${accountId}:role/${roleName}`,
    before,
    after,
  });
  return { plan, roleName, before, after };
}

export async function trustOf(endpoint: string, accountId: string, roleName: string): Promise<unknown> {
  const { Role } = await seedClients(endpoint, accountId).iam.send(new GetRoleCommand({ RoleName: roleName }));
  return JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
}

/** What the write-ahead and reconciler integration files share: a local hub of their own and a fault proxy. */
export interface AuditHarness {
  hub: LocalHub;
  deps: ConsoleDeps;
  proxy: FaultProxy;
}

/**
 * Registers, for one test file, a local hub of its own on the emulator (resource names prefixed with `prefix`), a
 * fault proxy in front of the emulator (closed after the file), and console deps on the hub; `configure` may change
 * the deps once both exist (e.g. writers through the proxy). Read the fields inside tests, after beforeAll ran.
 */
export function useAuditHarness(
  prefix: string,
  seed: number,
  configure?: (h: Omit<AuditHarness, 'deps'>) => Partial<ConsoleDeps>,
): AuditHarness {
  const h = {} as AuditHarness;
  beforeAll(async () => {
    useEmulatorCredentials();
    h.hub = await createLocalHub({
      endpoint: endpointUrl(),
      prefix: `${prefix}${randomUUID().slice(0, 8)}`,
      accounts: [],
      regions: ['us-west-2'],
    });
    h.proxy = await startFaultProxy({ target: endpointUrl(), seed });
    h.deps = { ...h.hub.deps, approversGroup: DEFAULT_APPROVERS_GROUP, ...(configure?.(h) ?? {}) };
  });
  afterAll(async () => h.proxy?.close());
  return h;
}

/** A fresh member account with IRSA Doctor's member roles in the emulator. */
export async function memberAccount(): Promise<string> {
  const id = freshAccountId();
  await seedMemberRoles(endpointUrl(), id);
  return id;
}
