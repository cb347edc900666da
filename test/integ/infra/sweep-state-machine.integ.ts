/**
 * The state machine CDK synthesizes into the hub stack, created in the emulator and run by its Step Functions
 * interpreter (the local runtime: infra/local/emulator-workflow.ts), whose Lambda tasks call the real handlers
 * against the emulator. Approvals go through decideApproval, as the CLI and console do, and resume the execution
 * through a real SendTaskSuccess/SendTaskFailure.
 */

import { randomUUID } from 'node:crypto';
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { statesEntered } from '../../../infra/local/emulator-workflow';
import { createWorkflowHub, synthesizeHubTemplate, type WorkflowHub } from '../../../infra/local/local-hub';
import { runToSettled } from '../../../infra/local/local-run';
import type { SynthesizedTemplate } from '../../../infra/local/synthesized-definition';
import { collectEstate } from '../../../lambdas/adapters/collect-estate';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import { atLeast } from '../../../lambdas/domain/finding';
import { logger } from '../../../lambdas/handlers/make-handler';
import { type Decide, driveApprovals } from '../../support/drive-approvals';
import { seedHealthyAccount, seedWorkflowEstate, type WorkflowEstate } from '../../support/workflow-estate';
import { budgetFor } from '../budget';
import { endpointUrl } from '../emulator-env';

const REGIONS = ['us-west-2', 'eu-west-1'];
let template: SynthesizedTemplate;
/** A cluster that is still CREATING is checked again after a second, not a minute. */
const QUICK = { clusterPollInterval: 1 };

beforeAll(
  () => {
    process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    process.env.POWERTOOLS_DEV = 'true';
    logger.setLogLevel('SILENT');
    template = synthesizeHubTemplate(QUICK);
  },
  budgetFor({ calls: 0, syntheses: 1 }),
);

async function hubFor(
  accounts: readonly string[],
  options: { approvalTimeoutSeconds?: number; template?: SynthesizedTemplate } = {},
): Promise<WorkflowHub> {
  return createWorkflowHub({
    template,
    endpoint: endpointUrl(),
    prefix: `t${randomUUID().slice(0, 8)}`,
    accounts,
    regions: REGIONS,
    // The estate's wildcard-under-StringEquals role is fixed only where configuration allows that widening class
    // (the default allows none: the plan would be propose-only and the finding would stay).
    allowWidening: ['wildcard-meant'],
    ...options,
  });
}

async function sweep(hub: WorkflowHub, decide: Decide, input: object = {}) {
  const executionName = `run-${randomUUID()}`;
  const run = runToSettled(hub, { mode: 'sweep', trigger: 'test', ...input }, executionName);
  const { sweep: result, remediations } = await driveApprovals(hub.deps, run, executionName, decide);
  // (error and cause shown when it did not)
  expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({ status: 'SUCCEEDED' });
  // Every remediation execution ended through Release Dependents (a failed release fails the execution)
  expect(remediations.filter((r) => r.status !== 'SUCCEEDED')).toEqual([]);
  return { ...result, remediations, runId: executionName, plans: await hub.deps.store.listPlans(executionName) };
}

async function findingsNow(hub: WorkflowHub, estate: WorkflowEstate) {
  const snapshot = await collectEstate(
    hub.readers,
    estate.accounts.map((accountId) => ({ accountId })),
    { regions: REGIONS },
  );
  return analyzeEstate(snapshot).findings;
}

describe('the synthesized sweep state machine', () => {
  it('sweep, approve every plan, apply, verify: no finding of medium or above remains, and every write is audited', async () => {
    // Given an estate with fixable faults in two accounts
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    expect((await findingsNow(hub, estate)).filter((f) => atLeast(f.severity, 'medium')).length).toBeGreaterThan(5);

    // When a sweep runs and a person approves every plan
    const run = await sweep(hub, () => 'approved');

    // Then every plan was applied and verified
    expect(run.plans.map((p) => [p.plan.action, p.status])).toEqual(run.plans.map((p) => [p.plan.action, 'verified']));
    expect(run.plans.length).toBeGreaterThanOrEqual(7);
    // And a fresh look at the estate finds nothing of medium severity or above
    expect((await findingsNow(hub, estate)).filter((f) => atLeast(f.severity, 'medium'))).toEqual([]);
    // And each write has an audit record with the document it replaced and who approved it
    const audit = await hub.deps.store.listAudit();
    expect(audit.map((a) => a.planId).sort()).toEqual(run.plans.map((p) => p.planId).sort());
    for (const record of audit) {
      const plan = run.plans.find((p) => p.planId === record.planId)?.plan;
      expect(record.replaced).toEqual(plan?.before);
      expect(record.approvedBy).toBe('test-approver@example.com');
    }
    // And the run's digest counted them (the sweep reports before the plans' own executions end)
    expect((run.output as { report?: { plans?: number } }).report?.plans).toBe(run.plans.length);
    // And each plan had its own remediation execution
    expect(run.remediations).toHaveLength(run.plans.length);
  });

  it('reject applies nothing, and the rejection is recorded with who and why', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const before = await findingsNow(hub, estate);

    const run = await sweep(hub, () => 'rejected');

    // Wave-0 plans are rejected; plans depending on them are skipped, never applied
    expect(new Set(run.plans.map((p) => p.status))).toEqual(new Set(['rejected']));
    expect(run.plans.every((p) => p.detail?.startsWith('rejected by test-approver@example.com: not now'))).toBe(true);
    expect(await hub.deps.store.listAudit()).toEqual([]);
    expect((await findingsNow(hub, estate)).map((f) => f.id).sort()).toEqual(before.map((f) => f.id).sort());
  });

  it('a rejected plan is not proposed again by the next run; the same fix with changed content is', async () => {
    // Given a sweep whose every plan a person rejected
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const first = await sweep(hub, () => 'rejected');
    const rejected = first.plans.filter((p) => p.status === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(5);
    const stray = rejected.find((p) => p.plan.resourceArn.endsWith(':role/stray-space'));
    expect(stray).toBeDefined();

    // When one of those roles changes (a statement added beside the fault: the fix must keep it, so its plan differs)
    const seedA = seedClients(endpointUrl(), estate.accounts[0]);
    const { Role } = await seedA.iam.send(new GetRoleCommand({ RoleName: 'stray-space' }));
    const trust = JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}'));
    trust.Statement.push({
      Sid: 'AddedByAPerson',
      Effect: 'Allow',
      Principal: { Service: 'ec2.amazonaws.com' },
      Action: 'sts:AssumeRole',
    });
    await seedA.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'stray-space', PolicyDocument: JSON.stringify(trust) }),
    );
    // And the next sweep runs
    const asked: string[] = [];
    const second = await sweep(hub, (_approval, plan) => {
      asked.push(plan.resourceArn);
      return 'rejected';
    });

    // Then only the changed role's plan is put to a person again, under a new id
    expect(asked).toEqual([stray?.plan.resourceArn]);
    const again = second.plans.find((p) => p.plan.resourceArn === stray?.plan.resourceArn && p.status === 'rejected');
    expect(again?.planId).not.toBe(stray?.planId);
    // And every other rejected plan is recorded as remembered, saying who rejected it, never started
    const unchanged = rejected.filter((p) => p !== stray).map((p) => p.planId);
    const held = second.plans.filter((p) => unchanged.includes(p.planId));
    expect(held.map((p) => p.status)).toEqual(unchanged.map(() => 'skipped'));
    expect(held.every((p) => /rejected by test-approver@example\.com/.test(p.detail ?? ''))).toBe(true);
    expect(second.remediations.map((r) => r.name)).toHaveLength(1);
    // And the run's digest counts them
    const summaries = await hub.deps.store.listAccountSummaries(second.runId);
    expect(summaries.reduce((n, s) => n + s.rememberedRejections, 0)).toBe(unchanged.length);
    expect(await hub.deps.store.listAudit()).toEqual([]);
  });

  it(
    'an approval that times out applies nothing and is recorded as timed out',
    async () => {
      const estate = await seedWorkflowEstate(endpointUrl());
      const hub = await hubFor(estate.accounts, {
        approvalTimeoutSeconds: 1,
        template: synthesizeHubTemplate({ ...QUICK, approvalTimeout: 1 }),
      });

      const run = await sweep(hub, () => 'wait', {});

      expect(new Set(run.plans.map((p) => p.status))).toEqual(new Set(['timed-out']));
      expect(await hub.deps.store.listAudit()).toEqual([]);
    },
    // Seeding the workflow estate and one sweep: approval-api.integ.ts, which does that and more, makes 346 calls.
    budgetFor({ calls: 500, syntheses: 1 }),
  );

  it('does not overwrite a trust policy edited between plan and apply, and reports the drift', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const seedA = seedClients(endpointUrl(), estate.accounts[0]);
    const edited = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EditedByAPerson',
          Effect: 'Allow',
          Principal: { Service: 'ec2.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });

    // When a person edits the role with the stray space while its plan waits for approval, then it is approved
    const run = await sweep(hub, async (_approval, plan): Promise<'approved'> => {
      if (plan.resourceArn.endsWith(':role/stray-space')) {
        await seedA.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'stray-space', PolicyDocument: edited }));
      }
      return 'approved';
    });

    // Then that plan is recorded as drift, the edit stands, and the other plans went through
    const stray = run.plans.find((p) => p.plan.resourceArn.endsWith(':role/stray-space'));
    expect(stray?.status).toBe('drift');
    expect(stray?.error?.Error).toBe('StalePlanError');
    const { Role } = await seedA.iam.send(new GetRoleCommand({ RoleName: 'stray-space' }));
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''))).toEqual(JSON.parse(edited));
    expect(run.plans.filter((p) => p !== stray).every((p) => p.status === 'verified')).toBe(true);
  });

  it('applies only the actions configuration allows without approval; everything else still waits for a person', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await createWorkflowHub({
      template,
      endpoint: endpointUrl(),
      prefix: `t${randomUUID().slice(0, 8)}`,
      accounts: estate.accounts,
      regions: REGIONS,
      autoApplyActions: ['create-oidc-provider'],
      allowWidening: ['wildcard-meant'],
    });
    const asked: string[] = [];

    const run = await sweep(hub, (_approval, plan) => {
      asked.push(plan.action);
      return 'rejected';
    });

    // The provider was created without asking anyone, and audited as approved by configuration
    const provider = run.plans.find((p) => p.plan.action === 'create-oidc-provider');
    expect(provider?.status).toBe('verified');
    expect((await hub.deps.store.listAudit()).map((a) => [a.action, a.approvedBy])).toEqual([
      ['create-oidc-provider', 'configuration'],
    ]);
    // Every other plan was put to a person (and rejected), none applied
    expect(asked).not.toContain('create-oidc-provider');
    expect(asked.length).toBe(run.plans.length - 1);
    expect(run.plans.filter((p) => p !== provider).every((p) => p.status === 'rejected')).toBe(true);
  });

  it('a dry run approves and records, but writes nothing', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const run = await sweep(hub, () => 'approved', { dryRun: true });
    expect(new Set(run.plans.map((p) => p.status))).toEqual(new Set(['dry-run']));
    expect(await hub.deps.store.listAudit()).toEqual([]);
  });

  it('a second trigger for the same cluster does not start a duplicate run', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const input = {
      mode: 'cluster',
      trigger: 'cluster-created',
      cluster: { accountId: estate.accounts[1], region: 'us-west-2', name: 'pay' },
    };

    const first = await sweep(hub, () => 'rejected', input);
    const second = await sweep(hub, () => 'approved', input);

    expect(first.plans.length).toBeGreaterThan(0);
    expect((first.output as { duplicate: boolean }).duplicate).toBe(false);
    expect((second.output as { duplicate: boolean }).duplicate).toBe(true);
    expect(second.plans).toEqual([]);
    expect(second.transitions).toBeLessThan(5);
  });

  it('a trigger for a new cluster waits while it is CREATING, then checks its account', async () => {
    // Given a cluster that answers CREATING to its first two DescribeCluster calls, as new EKS clusters do
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    await seedClients(endpointUrl(), estate.accounts[0])
      .eks('us-west-2')
      .send(
        new CreateClusterCommand({
          name: 'brand-new',
          roleArn: `arn:aws:iam::${estate.accounts[0]}:role/eks`,
          resourcesVpcConfig: { subnetIds: ['subnet-1'] },
          tags: { 'emulator:describes-until-active': '2' },
        }),
      );
    const input = {
      mode: 'cluster',
      cluster: { accountId: estate.accounts[0], region: 'us-west-2', name: 'brand-new' },
    };

    // When its CreateCluster trigger runs
    const run = await sweep(hub, () => 'rejected', input);

    // Then it checked three times, waiting twice, and then swept the cluster's account and region
    const entered = statesEntered(run.events);
    expect(entered.filter((n) => n === 'Check Cluster Status')).toHaveLength(3);
    expect(entered.filter((n) => n === 'Wait For Cluster')).toHaveLength(2);
    expect((run.output as { clusterCheck: object }).clusterCheck).toMatchObject({
      ready: true,
      status: 'ACTIVE',
      attempt: 3,
    });
    expect((await hub.deps.snapshots.getAccounts(run.runId)).map((a) => [a.accountId, a.collection?.regions])).toEqual([
      [estate.accounts[0], ['us-west-2']],
    ]);
  });

  it('a trigger for a cluster that never becomes active gives up after checking, collects nothing, and reports', async () => {
    const estate = await seedWorkflowEstate(endpointUrl());
    const hub = await hubFor(estate.accounts);
    const input = {
      mode: 'cluster',
      cluster: { accountId: estate.accounts[0], region: 'us-west-2', name: 'deleted-meanwhile' },
    };

    const run = await sweep(hub, () => 'approved', input);

    const output = run.output as {
      clusterCheck: { giveUp: boolean; status: string; reason: string };
      report: { findings: number };
    };
    expect(output.clusterCheck).toMatchObject({ giveUp: true, status: 'NOT_FOUND' });
    expect(output.clusterCheck.reason).toContain('deleted-meanwhile not found');
    expect(run.plans).toEqual([]);
    expect(await hub.deps.snapshots.getAccounts(run.runId)).toEqual([]);
    expect(output.report.findings).toBe(0);
  });

  it("the sweep execution's own history does not grow with accounts, roles or clusters: each account is an item of its Distributed Maps", async () => {
    const small = [await seedHealthyAccount(endpointUrl(), 1, 2), await seedHealthyAccount(endpointUrl(), 1, 2)];
    const large = [await seedHealthyAccount(endpointUrl(), 3, 60), await seedHealthyAccount(endpointUrl(), 3, 60)];
    const a = await sweep(await hubFor(small), () => 'approved');
    const b = await sweep(await hubFor(large), () => 'approved');
    expect(a.plans).toEqual([]);
    expect(b.plans).toEqual([]);
    expect(b.transitions).toBe(a.transitions);
    // One more account: the same history, one more item in each Distributed Map (collect, then analyze)
    const hub = await hubFor([...small, await seedHealthyAccount(endpointUrl(), 1, 2)]);
    const c = await sweep(hub, () => 'approved');
    expect(c.transitions).toBe(a.transitions);
    const maps = await hub.workflow.mapRuns(c.executionArn);
    expect(maps.map((m) => [m.status, m.items, m.failed])).toEqual([
      ['SUCCEEDED', 3, 0],
      ['SUCCEEDED', 3, 0],
    ]);
  });
});
