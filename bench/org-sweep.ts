/**
 * The workflow at organization scale on the local runtime (the emulator's Step Functions running the hub's
 * synthesized state machines, Lambda tasks dispatched to the real handlers): an organization of `accounts` member
 * accounts (few roles each; every `brokenEvery`-th with a role the planner fixes) is seeded, then swept with
 * `latencyMs` added to every AWS call the handlers make (the fault proxy in front of the emulator). Reports the wall
 * time of the sweep, the events of each execution (the sweep's own history, the Distributed Maps' item counts, each
 * remediation execution's history) and their extrapolation to 10,000 accounts and 10,000 plans against Step
 * Functions' 25,000-event limit. The plans' executions are settled by rejecting every approval request.
 */
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { startFaultProxy } from '../emulator/fault-proxy';
import { EMULATOR_CREDENTIALS, seedClients } from '../emulator/seed';
import { startEmulator } from '../emulator/start';
import { createWorkflowHub, synthesizeHubTemplate, type WorkflowHub } from '../infra/local/local-hub';
import { REMEDIATION_MACHINE, runSweep, settleRemediations } from '../infra/local/local-run';
import { OPT_IN_TAG, OPT_IN_VALUE } from '../lambdas/domain/remediation-scope';
import { logger } from '../lambdas/handlers/make-handler';
import { mapLimit } from '../lambdas/shared/concurrency';
import { decideApproval } from '../lambdas/workflow/decision-delivery';

export interface OrgSweepShape {
  readonly accounts: number;
  readonly latencyMs: number;
  /** Every n-th account has a role with a fault the planner fixes (a plan, so a remediation execution). */
  readonly brokenEvery: number;
  /** The Distributed Maps' MaxConcurrency (hub config accountConcurrency and analysisConcurrency). */
  readonly concurrency: number;
}

export interface OrgSweepResult {
  readonly shape: OrgSweepShape;
  readonly seedSeconds: number;
  readonly sweepSeconds: number;
  readonly sweepStatus: string;
  readonly sweepEvents: number;
  readonly mapRuns: readonly { readonly items: number; readonly failed: number; readonly status: string }[];
  readonly plans: number;
  readonly remediationEventsMax: number;
  readonly settleSeconds: number;
  readonly awsCalls: number;
  readonly lambdaInvocations: number;
  /** Events of the largest execution at 10,000 accounts and with 10,000 plans (the limit is 25,000 per execution). */
  readonly extrapolated: { readonly sweepAt10kAccounts: number; readonly remediationAt10kPlans: number };
}

const HUB = '123456789012';
const REGION = 'us-west-2';
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const hubTrust = (role: string) =>
  doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:role/${role}` }, Action: 'sts:AssumeRole' });

async function seedAccount(endpoint: string, accountId: string, broken: boolean): Promise<void> {
  const s = seedClients(endpoint, accountId);
  await s.iam.send(
    new CreateRoleCommand({ RoleName: 'IrsaDoctorScanner', AssumeRolePolicyDocument: hubTrust('IrsaDoctorHubReader') }),
  );
  await s.iam.send(
    new CreateRoleCommand({
      RoleName: 'IrsaDoctorRemediator',
      AssumeRolePolicyDocument: hubTrust('IrsaDoctorHubWriter'),
    }),
  );
  const out = await s.eks(REGION).send(
    new CreateClusterCommand({
      name: 'c0',
      roleArn: `arn:aws:iam::${accountId}:role/eks`,
      resourcesVpcConfig: { subnetIds: ['s'] },
    }),
  );
  const issuer = (out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
  await s.iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: `https://${issuer}`, ClientIDList: ['sts.amazonaws.com'] }),
  );
  for (let i = 0; i < 3; i++) {
    const condition = {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:apps:app-${i}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    };
    await s.iam.send(
      new CreateRoleCommand({
        RoleName: `app-${i}`,
        Tags: [{ Key: OPT_IN_TAG, Value: OPT_IN_VALUE }],
        AssumeRolePolicyDocument: doc({
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${issuer}` },
          // The broken one names the wrong action: a plan rewrites it to AssumeRoleWithWebIdentity
          Action: broken && i === 0 ? 'sts:AssumeRole' : 'sts:AssumeRoleWithWebIdentity',
          Condition: condition,
        }),
      }),
    );
  }
}

/** Rejects every approval request of the run until its remediation executions have all ended. */
async function rejectAll(hub: WorkflowHub, runId: string): Promise<void> {
  let done = false;
  const settled = settleRemediations(hub, runId, { pollMs: 1000 }).finally(() => {
    done = true;
  });
  while (!done) {
    const pending = (await hub.deps.store.listPendingApprovals()).filter((a) => a.runId === runId && !a.decision);
    await mapLimit(pending, 8, (a) =>
      decideApproval(hub.deps, {
        runId,
        planId: a.planId,
        decision: 'rejected',
        by: 'bench',
        contentHash: a.contentHash,
      }),
    );
    await Promise.race([settled, new Promise((r) => setTimeout(r, 1000))]);
  }
  await settled;
}

export async function runOrgSweepBench(
  shape: OrgSweepShape,
  log: (line: string) => void = () => {},
): Promise<OrgSweepResult> {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  logger.setLogLevel('SILENT');
  const emulator = await startEmulator();
  try {
    log(`org: seeding ${shape.accounts} accounts (1 cluster, 3 roles each; every ${shape.brokenEvery}th broken)...`);
    let t = performance.now();
    const accounts = Array.from({ length: shape.accounts }, (_, i) => String(300000000000 + i));
    await mapLimit(accounts, 8, (id, i) => seedAccount(emulator.url, id, i % shape.brokenEvery === 0));
    const seedSeconds = (performance.now() - t) / 1000;
    const proxy = await startFaultProxy({ target: emulator.url, faults: { latencyMs: shape.latencyMs } });
    try {
      const template = synthesizeHubTemplate({
        accountConcurrency: shape.concurrency,
        analysisConcurrency: shape.concurrency,
      });
      const hub = await createWorkflowHub({
        endpoint: proxy.url,
        prefix: 'org-bench',
        accounts,
        regions: [REGION],
        template,
      });
      proxy.reset();
      log(`org: sweeping with ${shape.latencyMs} ms added to every AWS call, concurrency ${shape.concurrency}...`);
      const runId = `org-${Date.now()}`;
      t = performance.now();
      const sweep = await runSweep(hub, { mode: 'sweep', trigger: 'bench' }, runId, { pollMs: 1000 });
      const sweepSeconds = (performance.now() - t) / 1000;
      const mapRuns = await hub.workflow.mapRuns(sweep.executionArn);
      log(`org: sweep ${sweep.status} in ${sweepSeconds.toFixed(1)} s; settling the plans' executions (rejecting)...`);
      t = performance.now();
      await rejectAll(hub, runId);
      const settleSeconds = (performance.now() - t) / 1000;
      const remediations = hub.workflow.has(REMEDIATION_MACHINE)
        ? (await hub.workflow.executions(REMEDIATION_MACHINE)).filter((e) => e.name.startsWith(`${runId}-`))
        : [];
      const remediationEvents = await mapLimit(
        remediations,
        8,
        async (e) => (await hub.workflow.history(e.arn)).length,
      );
      const remediationEventsMax = Math.max(0, ...remediationEvents);
      const awsCalls = Object.values(proxy.counts()).reduce((n, v) => n + v, 0);
      const lambdaInvocations = hub.workflow.invocations;
      hub.workflow.close();
      return {
        shape,
        seedSeconds,
        sweepSeconds,
        sweepStatus: sweep.status,
        sweepEvents: sweep.events.length,
        mapRuns: mapRuns.map(({ items, failed, status }) => ({ items, failed, status })),
        plans: remediations.length,
        remediationEventsMax,
        settleSeconds,
        awsCalls,
        lambdaInvocations,
        // The sweep's own history does not depend on the number of accounts (each account is a Distributed Map item,
        // in a child execution of its own), nor a remediation execution's on the number of plans (one per plan).
        extrapolated: { sweepAt10kAccounts: sweep.events.length, remediationAt10kPlans: remediationEventsMax },
      };
    } finally {
      await proxy.close();
    }
  } finally {
    await emulator.stop();
  }
}

if (require.main === module) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  runOrgSweepBench(
    {
      accounts: arg('accounts', 1000),
      latencyMs: arg('latency', 100),
      brokenEvery: arg('broken-every', 100),
      concurrency: arg('concurrency', 40),
    },
    (line) => process.stderr.write(`${line}\n`),
  ).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (err) => {
      process.stderr.write(`org bench: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
