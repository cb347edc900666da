/**
 * Fault injection for the write-ahead audit tests: a state store whose audit record put (the completion after the
 * IAM write) fails, as a crash or a DynamoDB outage between the write and its record would; and the plan records
 * and roles the apply step needs, in the emulator.
 */
import { randomUUID } from 'node:crypto';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { seedClients } from '../../emulator/seed';
import type { Plan, TrustDocument } from '../../lambdas/domain/plan/plan';
import type { StateStore } from '../../lambdas/ports/state-store';
import { planContentHash } from '../../lambdas/workflow/run-steps';
import { testPlan } from './test-plan';

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

/** Stores a plan as analyze-plan would, waiting for approval. */
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
