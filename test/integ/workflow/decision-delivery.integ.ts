/**
 * decideApproval against the hub's real state table (DynamoDB in the emulator): the checks a person's decision
 * passes before the workflow is resumed through the task token, a real one waiting in the emulator's Step Functions
 * (resumed by SendTaskSuccess/SendTaskFailure).
 */
import { randomUUID } from 'node:crypto';
import { EMULATOR_CREDENTIALS } from '../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import { decideApproval } from '../../../lambdas/workflow/decision-delivery';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import { type TaskTokens, taskTokens } from '../../support/task-token';
import { testPlan } from '../../support/test-plan';
import { endpointUrl } from '../emulator-env';

const plan = testPlan({
  id: 'plan-approval-test',
  after: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: '*' }] },
});

let hub: LocalHub;
let tokens: TaskTokens;
let now = new Date('2026-11-23T10:00:00Z');

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `a${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
  tokens = await taskTokens(endpointUrl());
});

afterAll(() => tokens?.close());

/** A plan of a fresh run waiting for approval, with a task token waiting in the emulator's Step Functions. */
async function waiting(expiresInSeconds = 3600) {
  const runId = `run-${randomUUID()}`;
  const { taskToken, resumed } = await tokens.waiting(expiresInSeconds);
  const contentHash = planContentHash(plan);
  await hub.deps.store.putPlans([
    { runId, planId: plan.id, plan, contentHash, status: 'awaiting-approval', wave: 0, updatedAt: now.toISOString() },
  ]);
  await hub.deps.store.putApproval({
    runId,
    planId: plan.id,
    taskToken,
    contentHash,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
  });
  // Settled while decideApproval still records the delivery: handled here, asserted by the test.
  resumed.catch(() => undefined);
  return { runId, contentHash, resumed };
}

const deps = () => ({ ...hub.deps, now: () => now });

describe('decideApproval', () => {
  it('resumes the workflow once with who approved and the content hash, and refuses a second decision', async () => {
    const { runId, contentHash, resumed } = await waiting();
    await decideApproval(deps(), {
      runId,
      planId: plan.id,
      decision: 'approved',
      by: 'alice',
      comment: 'ok',
      contentHash,
    });
    await expect(resumed).resolves.toMatchObject({ approvedBy: 'alice', contentHash, comment: 'ok' });
    await expect(
      decideApproval(deps(), { runId, planId: plan.id, decision: 'rejected', by: 'bob' }),
    ).rejects.toMatchObject({
      name: 'AlreadyDecidedError',
      message: expect.stringContaining('already approved by alice'),
    });
    expect(await hub.deps.store.getApproval(runId, plan.id)).toMatchObject({
      decision: 'approved',
      decidedBy: 'alice',
      decidedHash: contentHash,
      delivery: 'delivered',
    });
    // And the same approval by the same person again is not an error, and resumes nothing twice
    await decideApproval(deps(), { runId, planId: plan.id, decision: 'approved', by: 'alice', contentHash });
  });

  it('a rejection resumes the workflow with the PlanRejected error the state machine catches', async () => {
    const { runId, resumed } = await waiting();
    await decideApproval(deps(), { runId, planId: plan.id, decision: 'rejected', by: 'bob', comment: 'not this week' });
    await expect(resumed).rejects.toMatchObject({
      name: 'PlanRejected',
      message: expect.stringContaining('not this week'),
    });
  });

  it('refuses an approval for other content than the plan holds, and leaves the request undecided', async () => {
    const { runId } = await waiting();
    await expect(
      decideApproval(deps(), {
        runId,
        planId: plan.id,
        decision: 'approved',
        by: 'alice',
        contentHash: 'f'.repeat(64),
      }),
    ).rejects.toMatchObject({ name: 'PlanChangedError' });
    expect((await hub.deps.store.getApproval(runId, plan.id))?.decision).toBeUndefined();
  });

  it('refuses an expired request and an unknown plan', async () => {
    const { runId } = await waiting(60);
    now = new Date(now.getTime() + 61_000);
    await expect(
      decideApproval(deps(), { runId, planId: plan.id, decision: 'approved', by: 'alice' }),
    ).rejects.toMatchObject({
      name: 'ApprovalExpiredError',
    });
    await expect(
      decideApproval(deps(), { runId, planId: 'no-such-plan', decision: 'approved', by: 'alice' }),
    ).rejects.toMatchObject({
      name: 'ApprovalNotFoundError',
    });
  });
});
