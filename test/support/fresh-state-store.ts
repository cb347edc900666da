/**
 * A DynamoDB state store on tables of its own in the emulator, created from the hub's one declaration
 * (lambdas/adapters/dynamo-tables.ts): listings by time span a whole table, so a test that counts them starts empty.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../../lambdas/adapters/dynamo-state-store';
import { createHubTables } from '../../lambdas/adapters/dynamo-table-setup';
import type { Finding } from '../../lambdas/domain/finding';
import type { StateStore } from '../../lambdas/ports/state-store';
import { planContentHash } from '../../lambdas/workflow/run-steps';
import { testPlan } from './test-plan';

export interface FreshStore {
  readonly store: DynamoStateStore;
  readonly client: DynamoDBClient;
  readonly stateTable: string;
  readonly auditTable: string;
}

export async function freshStateStore(
  endpoint: string,
  options: { now?: () => Date; client?: DynamoDBClient } = {},
): Promise<FreshStore> {
  const prefix = `s${randomUUID().slice(0, 8)}`;
  const client = options.client ?? new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const names = { stateTable: `${prefix}-state`, auditTable: `${prefix}-audit` };
  await createHubTables(client, names);
  const store = new DynamoStateStore(client, names.stateTable, names.auditTable, options.now);
  return { store, client, ...names };
}

/** A finding of the account (the fields the store and the API read). */
export function storedFinding(accountId: string, n: number): Finding {
  return {
    id: `f-${n}`,
    ruleId: 'IRSA-015',
    severity: 'high',
    accountId,
    resourceArn: `arn:aws:iam::${accountId}:role/app-${n}`,
    resourceType: 'role',
    title: `finding ${n}`,
    message: 'm',
    remediation: 'r',
    references: [],
    evidence: {},
  } as unknown as Finding;
}

/** `count` plans of the run waiting for approval (one finding each), requested a minute apart from 2030-01-01. */
export async function seedPendingPlans(store: StateStore, runId: string, accountId: string, count: number) {
  const findings = Array.from({ length: count }, (_, i) => storedFinding(accountId, i + 1));
  await store.putAccountFindings(runId, accountId, findings);
  for (let n = 1; n <= count; n++) {
    const plan = testPlan({ id: `p${n}`, accountId, findingIds: [`f-${n}`] });
    const contentHash = planContentHash(plan, findings);
    const at = new Date(Date.UTC(2030, 0, 1, 0, n)).toISOString();
    await store.putPlans([
      { runId, planId: plan.id, plan, contentHash, status: 'awaiting-approval', wave: 0, updatedAt: at },
    ]);
    await store.putApproval({
      runId,
      planId: plan.id,
      taskToken: `t${n}`,
      contentHash,
      requestedAt: at,
      expiresAt: '2999-01-01T00:00:00.000Z',
    });
  }
}

/** `count` applied changes (c1 oldest), with their completed audit records. */
export async function seedChanges(store: StateStore, runId: string, accountId: string, count: number) {
  for (let n = 1; n <= count; n++) {
    await store.putAudit({
      changeId: `c${n}`,
      kind: 'apply',
      runId,
      planId: `p${n}`,
      accountId,
      resourceArn: `arn:aws:iam::${accountId}:role/app-${n}`,
      action: 'update-trust-policy',
      replaced: { Statement: [] },
      wrote: { Statement: [] },
      writes: ['iam:UpdateAssumeRolePolicy'],
      approvedBy: 'alice',
      appliedAt: new Date(Date.UTC(2030, 0, 1, 0, n)).toISOString(),
      outcome: 'applied',
    });
  }
}
