/**
 * A thousand plans waiting for approval at once, each in its own execution of the remediation state machine CDK
 * synthesizes, run by the emulator's Step Functions (the local runtime): some approved, some rejected (through
 * decideApproval, so a real SendTaskSuccess/SendTaskFailure), the rest left to time out. Each outcome is recorded
 * once, and nothing is applied that was not approved.
 */
import { randomUUID } from 'node:crypto';
import { CreateOpenIDConnectProviderCommand, GetOpenIDConnectProviderCommand } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { statesEntered } from '../../../infra/local/emulator-workflow';
import { createWorkflowHub, synthesizeHubTemplate, type WorkflowHub } from '../../../infra/local/local-hub';
import { REMEDIATION_MACHINE, settleRemediations } from '../../../infra/local/local-run';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import { logger } from '../../../lambdas/handlers/make-handler';
import type { PlanRecord } from '../../../lambdas/ports/state-store';
import { mapLimit } from '../../../lambdas/shared/concurrency';
import { decideApproval } from '../../../lambdas/workflow/decision-delivery';
import { remediationExecutionName } from '../../../lambdas/workflow/plan-steps';
import { planContentHash } from '../../../lambdas/workflow/run-steps';
import { testPlan } from '../../support/test-plan';
import { freshAccountId, seedMemberRoles } from '../../support/workflow-estate';
import { budgetFor } from '../budget';
import { endpointUrl } from '../emulator-env';

const PLANS = 1000;
const APPROVED = 25;
const REJECTED = 25;
/**
 * Long enough for all thousand executions to be started and reach their approval wait before the first one's wait
 * ends, so that they all wait at once: about 1 minute with the machine's two cores busy (3 minutes before launcher
 * patch n6); the margin is for a CI machine with a CPU-bound process beside the tests. The test takes about this
 * long plus two minutes (484 s in all at load about 10).
 */
const APPROVAL_TIMEOUT_SECONDS = 420;

let hub: WorkflowHub;
let runId: string;
let plans: Plan[];

const url = () => `oidc.eks.us-west-2.amazonaws.com/id/${randomUUID().replace(/-/g, '').toUpperCase()}`;

/** Plans 0..APPROVED-1 add the STS audience to a real provider; the others name roles never touched. */
function planFor(i: number, accountId: string, issuer: string): Plan {
  if (i < APPROVED) {
    return testPlan({
      id: `plan-${i}`,
      accountId,
      resourceArn: `arn:aws:iam::${accountId}:oidc-provider/${issuer}`,
      action: 'add-client-id',
      before: { url: issuer, clientIds: ['other-client'], thumbprints: [] },
      after: { url: issuer, clientIds: ['other-client', 'sts.amazonaws.com'], thumbprints: [] },
    });
  }
  return testPlan({ id: `plan-${i}`, accountId, resourceArn: `arn:aws:iam::${accountId}:role/app-${i}` });
}

beforeAll(
  async () => {
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    process.env.POWERTOOLS_DEV = 'true';
    logger.setLogLevel('SILENT');
    const accountId = freshAccountId();
    await seedMemberRoles(endpointUrl(), accountId);
    const issuers = Array.from({ length: APPROVED }, url);
    const iam = seedClients(endpointUrl(), accountId).iam;
    for (const issuer of issuers) {
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: `https://${issuer}`,
          ClientIDList: ['other-client'],
          ThumbprintList: [],
        }),
      );
    }
    hub = await createWorkflowHub({
      endpoint: endpointUrl(),
      prefix: `s${randomUUID().slice(0, 8)}`,
      accounts: [accountId],
      regions: ['us-west-2'],
      approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS,
      template: synthesizeHubTemplate({ approvalTimeout: APPROVAL_TIMEOUT_SECONDS }),
    });
    runId = `run-${randomUUID()}`;
    plans = Array.from({ length: PLANS }, (_, i) => planFor(i, accountId, issuers[i] ?? ''));
    const now = new Date().toISOString();
    const records: PlanRecord[] = plans.map((plan) => ({
      runId,
      planId: plan.id,
      plan,
      contentHash: planContentHash(plan),
      status: 'proposed',
      wave: 0,
      updatedAt: now,
    }));
    await hub.deps.store.putPlans(records);
  },
  budgetFor({ calls: 200, syntheses: 1 }),
);

afterAll(() => hub?.workflow.close());

/** The run's plans waiting for approval (their request stored by request-approval), read a page at a time. */
async function waitingNow(): Promise<number> {
  return (await hub.deps.store.listPendingApprovals()).filter((a) => a.runId === runId && !a.decision).length;
}

describe('approvals at scale on the remediation state machine', () => {
  it(
    'keeps a thousand plans waiting at once; approved ones are applied once, rejected and timed-out ones never',
    async () => {
      // Given a thousand plans, each started in its own remediation execution (as Analyze Account starts them)
      const started = await mapLimit(plans, 16, (plan) =>
        hub.deps.remediations.start(remediationExecutionName(runId, plan.id), {
          runId,
          planId: plan.id,
          dryRun: false,
        }),
      );
      expect(started.filter((s) => s.started)).toHaveLength(PLANS);
      // A second start of the same plan makes no second execution: the same name and input give the running one
      // back (Step Functions' idempotent StartExecution)
      const first = plans[0] as Plan;
      const again = await hub.deps.remediations.start(remediationExecutionName(runId, first.id), {
        runId,
        planId: first.id,
        dryRun: false,
      });
      expect(again.executionArn).toBe(started[0]?.executionArn);

      // When all of them wait for a person at the same time
      // (bounded, as every wait below, so that a failed run ends and jest exits)
      const deadline = Date.now() + 2 * APPROVAL_TIMEOUT_SECONDS * 1000;
      const abandoned = () => Date.now() > deadline;
      for (let polls = 1; (await waitingNow()) < PLANS; polls++) {
        if (abandoned()) throw new Error(`only ${await waitingNow()} of ${PLANS} plans ever waited for approval`);
        // A wait that ended before the last execution reached its own would make "all at once" impossible: say so
        if (polls % 15 === 0 && (await hub.deps.store.listPlans(runId)).some((p) => p.status === 'timed-out')) {
          throw new Error(
            `an approval timed out (after ${APPROVAL_TIMEOUT_SECONDS} s) before all ${PLANS} executions were waiting: the machine is slower than this test assumes`,
          );
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      const running = await hub.workflow.executions(REMEDIATION_MACHINE, 'RUNNING');
      expect(running).toHaveLength(PLANS);

      // And a person approves some and rejects some; the rest are left to time out
      const pending = new Map(
        (await hub.deps.store.listPendingApprovals()).filter((a) => a.runId === runId).map((a) => [a.planId, a]),
      );
      const decide = (plan: Plan, decision: 'approved' | 'rejected') =>
        decideApproval(hub.deps, {
          runId,
          planId: plan.id,
          decision,
          by: 'alice@example.com',
          comment: decision === 'approved' ? 'fine' : 'not this one',
          contentHash: pending.get(plan.id)?.contentHash,
        });
      await mapLimit(plans.slice(0, APPROVED), 8, (p) => decide(p, 'approved'));
      await mapLimit(plans.slice(APPROVED, APPROVED + REJECTED), 8, (p) => decide(p, 'rejected'));
      const ended = await settleRemediations(hub, runId, { pollMs: 2000, abandoned });

      // Then every execution ended through Release Dependents, each outcome recorded once
      expect(ended).toHaveLength(PLANS);
      expect(ended.filter((e) => e.status !== 'SUCCEEDED')).toEqual([]);
      const statuses = new Map((await hub.deps.store.listPlans(runId)).map((p) => [p.planId, p.status]));
      const expected = (i: number) => (i < APPROVED ? 'verified' : i < APPROVED + REJECTED ? 'rejected' : 'timed-out');
      expect(plans.map((p) => [p.id, statuses.get(p.id)])).toEqual(plans.map((p, i) => [p.id, expected(i)]));
      const recorder = (i: number) =>
        i < APPROVED ? 'Verify Plan' : i < APPROVED + REJECTED ? 'Record Rejection' : 'Record Approval Timeout';
      const histories = await mapLimit(plans, 8, async (plan, i) => {
        const arn = ended.find((e) => e.name === remediationExecutionName(runId, plan.id))?.arn ?? '';
        const entered = statesEntered(await hub.workflow.history(arn));
        return {
          apply: entered.filter((s) => s === 'Apply Plan').length,
          recorded: entered.filter((s) => s === recorder(i)).length,
        };
      });
      expect(histories.map((h, i) => [i, h.recorded])).toEqual(plans.map((_, i) => [i, 1]));
      // And only the approved plans were applied: once each, audited with who approved them
      expect(histories.map((h, i) => [i, h.apply])).toEqual(plans.map((_, i) => [i, i < APPROVED ? 1 : 0]));
      const audit = (await hub.deps.store.listAudit()).filter((a) => a.runId === runId);
      expect(audit.map((a) => a.planId).sort()).toEqual(
        plans
          .slice(0, APPROVED)
          .map((p) => p.id)
          .sort(),
      );
      expect(new Set(audit.map((a) => a.approvedBy))).toEqual(new Set(['alice@example.com']));
      const iam = seedClients(endpointUrl(), plans[0]?.accountId ?? '').iam;
      for (const plan of plans.slice(0, APPROVED)) {
        const provider = await iam.send(
          new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: plan.resourceArn }),
        );
        expect(provider.ClientIDList?.sort()).toEqual(['other-client', 'sts.amazonaws.com']);
      }
    },
    // A thousand executions of about ten emulator calls each, then the approval window, then a thousand histories.
    budgetFor({ calls: 16_000, otherMs: APPROVAL_TIMEOUT_SECONDS * 1000 }),
  );
});
