/**
 * Exactly-once delivery of approval decisions, against the emulator's real Step Functions (moto's ASL interpreter:
 * real task tokens, SendTaskSuccess, InvalidToken for a used token) and the hub's real state table, with faults
 * injected between the calls by the fault proxy:
 *
 * - SendTaskSuccess fails after the decision was recorded: the decision stays pending, the reconciler delivers it,
 *   the waiting task resumes once;
 * - SendTaskSuccess succeeded but recording the delivery failed: redelivery finds the token used, records the
 *   decision as delivered, and the workflow went on once.
 *
 * The state machine is a minimal one with the sweep's approval pattern: a `.waitForTaskToken` task (here an SQS
 * message carrying the token, which the emulator's interpreter supports without Lambda) followed by "Apply".
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type FaultProxy, startFaultProxy } from '../../../emulator/fault-proxy';
import { EMULATOR_CREDENTIALS } from '../../../emulator/seed';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import { DynamoStateStore } from '../../../lambdas/adapters/dynamo-state-store';
import { SfnTaskCallbacks } from '../../../lambdas/adapters/notifications';
import { deliverDecision, reconcileDeliveries, recordDecision } from '../../../lambdas/workflow/decision-delivery';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import { testPlan } from '../../support/test-plan';
import { endpointUrl } from '../emulator-env';

const REGION = 'us-east-1';
const plan = testPlan({
  id: 'plan-delivery-test',
  after: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: '*' }] },
});

let hub: LocalHub;
let proxy: FaultProxy;
let sfn: SFNClient;
let machineArn: string;
let queueUrl: string;

/** SQS through its query protocol (the emulator does not check signatures; the project has no SQS client). */
async function sqs(params: Record<string, string>): Promise<string> {
  const res = await fetch(endpointUrl(), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=${EMULATOR_CREDENTIALS.accessKeyId}/20260101/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=x`,
    },
    body: new URLSearchParams({ ...params, Version: '2012-11-05' }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`SQS ${params.Action}: ${res.status} ${text}`);
  return text;
}

const unxml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** Waits for the token the state machine's approval task sent for this plan. */
async function tokenFor(runId: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const xml = await sqs({ Action: 'ReceiveMessage', QueueUrl: queueUrl, MaxNumberOfMessages: '10' });
    for (const m of xml.matchAll(/<Body>([\s\S]*?)<\/Body>/g)) {
      const body = JSON.parse(unxml(m[1] ?? '{}')) as { runId?: string; taskToken?: string };
      if (body.runId === runId && body.taskToken) return body.taskToken;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no task token arrived for ${runId}`);
}

async function executionDone(arn: string) {
  for (let i = 0; i < 300; i++) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    if (out.status !== 'RUNNING') return out;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${arn} still running`);
}

async function applyEntered(arn: string): Promise<number> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
  return (events ?? []).filter((e) => e.type === 'PassStateEntered' && e.stateEnteredEventDetails?.name === 'Apply')
    .length;
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = REGION;
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `d${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
  proxy = await startFaultProxy({ target: endpointUrl(), seed: 12 });
  sfn = new SFNClient({ endpoint: endpointUrl(), region: REGION });
  const created = await sqs({ Action: 'CreateQueue', QueueName: `approvals-${randomUUID().slice(0, 8)}` });
  queueUrl = /<QueueUrl>([^<]+)<\/QueueUrl>/.exec(created)?.[1] ?? '';
  const definition = {
    StartAt: 'Wait For Approval',
    States: {
      'Wait For Approval': {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: {
          QueueUrl: queueUrl,
          MessageBody: { 'runId.$': '$.runId', 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSeconds: 600,
        ResultPath: '$.approval',
        Catch: [{ ErrorEquals: ['PlanRejected'], ResultPath: '$.error', Next: 'Rejected' }],
        Next: 'Apply',
      },
      Apply: { Type: 'Pass', End: true },
      Rejected: { Type: 'Pass', End: true },
    },
  };
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: `approval-${randomUUID().slice(0, 8)}`,
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::123456789012:role/irsa-doctor-test-sfn',
    }),
  );
  machineArn = machine.stateMachineArn ?? '';
});

afterAll(async () => {
  await proxy?.close();
});

/** Deps whose every AWS call goes through the fault proxy, one attempt each (the faults decide). */
function proxied() {
  const client = { endpoint: proxy.url, region: REGION, maxAttempts: 1 };
  return {
    store: new DynamoStateStore(new DynamoDBClient(client), hub.env.stateTable, hub.env.auditTable),
    callbacks: new SfnTaskCallbacks(new SFNClient(client)),
    now: () => new Date(),
  };
}

/** A real execution waiting for approval, with its plan and approval request stored as request-approval would. */
async function waitingRun() {
  const runId = `run-${randomUUID()}`;
  const start = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machineArn, name: runId, input: JSON.stringify({ runId }) }),
  );
  const taskToken = await tokenFor(runId);
  const contentHash = planContentHash(plan);
  const now = new Date();
  await hub.deps.store.putPlans([
    { runId, planId: plan.id, plan, contentHash, status: 'awaiting-approval', wave: 0, updatedAt: now.toISOString() },
  ]);
  await hub.deps.store.putApproval({
    runId,
    planId: plan.id,
    taskToken,
    contentHash,
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  });
  return { runId, contentHash, executionArn: start.executionArn ?? '' };
}

describe('approval delivery against real Step Functions', () => {
  afterEach(() => {
    proxy.setFaults(undefined, {});
    proxy.setHooks(undefined);
  });

  it('SendTaskSuccess fails after the decision was recorded: the reconciler delivers it, once', async () => {
    // Given a run waiting for approval, and a recorded approval
    const { runId, contentHash, executionArn } = await waitingRun();
    const deps = proxied();
    const decision = { runId, planId: plan.id, decision: 'approved' as const, by: 'alice', contentHash };
    expect((await recordDecision(deps, decision)).recorded).toBe('new');

    // When SendTaskSuccess fails
    proxy.setFaults(undefined, { 'states:SendTaskSuccess': { serverError: 1 } });
    await expect(deliverDecision(deps, runId, plan.id)).rejects.toBeDefined();

    // Then the decision is still pending, with the failed attempt counted, and the workflow still waits
    expect(await hub.deps.store.getApproval(runId, plan.id)).toMatchObject({
      decision: 'approved',
      decidedBy: 'alice',
      decidedHash: contentHash,
      delivery: 'pending',
      deliveryAttempts: 1,
    });
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    // And the same person approving again is not an error (the recorded decision stands); another decision is refused
    expect((await recordDecision(deps, decision)).recorded).toBe('repeat');
    await expect(recordDecision(deps, { ...decision, decision: 'rejected' })).rejects.toMatchObject({
      name: 'AlreadyDecidedError',
    });
    await expect(recordDecision(deps, { ...decision, by: 'bob' })).rejects.toMatchObject({
      name: 'AlreadyDecidedError',
    });

    // When Step Functions answers again and the reconciler runs
    proxy.setFaults(undefined, {});
    const report = await reconcileDeliveries(deps, 0);

    // Then it delivered the decision, the workflow applied once, and a second reconcile has nothing to do
    expect(report.outcomes).toMatchObject({ delivered: 1 });
    const done = await executionDone(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').approval).toMatchObject({ approvedBy: 'alice', contentHash });
    expect(await applyEntered(executionArn)).toBe(1);
    expect((await hub.deps.store.getApproval(runId, plan.id))?.delivery).toBe('delivered');
    expect((await reconcileDeliveries(deps, 0)).outcomes).toEqual({});
  });

  it('SendTaskSuccess succeeded but recording the delivery failed: redelivery is idempotent, applied once', async () => {
    // Given a recorded approval
    const { runId, contentHash, executionArn } = await waitingRun();
    const deps = proxied();
    await recordDecision(deps, { runId, planId: plan.id, decision: 'approved', by: 'alice', contentHash });

    // When SendTaskSuccess goes through, and then the write recording the delivery fails
    proxy.setHooks({
      after(operation) {
        if (operation === 'states:SendTaskSuccess') {
          proxy.setFaults(undefined, { 'dynamodb:UpdateItem': { serverError: 1 } });
        }
      },
    });
    await expect(deliverDecision(deps, runId, plan.id)).rejects.toBeDefined();
    proxy.setHooks(undefined);
    proxy.setFaults(undefined, {});

    // Then the workflow went on, while the decision still reads pending
    expect((await executionDone(executionArn)).status).toBe('SUCCEEDED');
    expect((await hub.deps.store.getApproval(runId, plan.id))?.delivery).toBe('pending');

    // When the reconciler delivers it again
    const report = await reconcileDeliveries(deps, 0);

    // Then Step Functions refuses the used token, the decision is recorded as delivered, and Apply ran once
    expect(report.outcomes).toEqual({ 'already-delivered': 1 });
    expect(await hub.deps.store.getApproval(runId, plan.id)).toMatchObject({
      delivery: 'delivered',
      deliveryDetail: expect.stringMatching(/InvalidToken|TaskTimedOut|TaskDoesNotExist/),
    });
    expect(await applyEntered(executionArn)).toBe(1);
  });

  it('a rejection is delivered as the PlanRejected failure the workflow catches', async () => {
    const { runId, contentHash, executionArn } = await waitingRun();
    const deps = proxied();
    await recordDecision(deps, { runId, planId: plan.id, decision: 'rejected', by: 'bob', contentHash });
    expect(await deliverDecision(deps, runId, plan.id)).toBe('delivered');
    expect((await executionDone(executionArn)).status).toBe('SUCCEEDED');
    expect(await applyEntered(executionArn)).toBe(0);
  });
});
