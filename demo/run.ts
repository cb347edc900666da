/**
 * `npm run demo [-- --yes] [--dry-run]`: the whole product on this machine, no AWS account needed.
 *
 * Starts the local AWS emulator, seeds a broken organization (3 member accounts, 5 clusters in 2 regions, the
 * catalog's faults, one account without the scanner role), creates the hub's resources in it, and runs the state
 * machine CDK synthesizes for the hub stack on the emulator's Step Functions, whose Lambda tasks call the real
 * handlers in this process; each decision resumes the execution through a real SendTaskSuccess/SendTaskFailure.
 * Each plan that waits for approval is shown (finding, diff, proof) and approved or rejected at the terminal
 * (`--yes` approves all; without a terminal, plans are approved as with --yes). Then it prints a before/after
 * summary from a fresh sweep and stops the emulator.
 *
 * `--console` instead serves the approval console on http://127.0.0.1:8787 (`--port`), with a local Cognito user
 * pool: approve, reject and roll back in the browser (or with `irsa-doctor approvals`); Ctrl-C ends it.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { processIo } from '../cli/io';
import { renderFindingsTable } from '../cli/render/findings';
import { styleFor } from '../cli/render/style';
import { terminalFor } from '../cli/render/terminal';
import { EMULATOR_CREDENTIALS, seedClients } from '../emulator/seed';
import { startEmulator } from '../emulator/start';
import { startLocalConsole } from '../infra/local/console-server';
import { createWorkflowHub, synthesizeHubTemplate } from '../infra/local/local-hub';
import { runToSettled } from '../infra/local/local-run';
import { collectEstate } from '../lambdas/adapters/collect-estate';
import { analyzeEstate } from '../lambdas/domain/analyze-estate';
import type { AnalysisResult } from '../lambdas/domain/finding';
import { SEVERITIES } from '../lambdas/domain/finding';
import type { Plan } from '../lambdas/domain/plan/plan-model';
import { logger } from '../lambdas/handlers/make-handler';
import { DEFAULT_APPROVERS_GROUP } from '../lambdas/workflow/approver-actions';
import { decideApproval } from '../lambdas/workflow/decision-delivery';
import { HUB, type OrgEstate, REGIONS, SCANNER_ROLE, seedOrgEstate } from './broken-org';
import { analyzeWithClusterSide, probeOneServiceAccount, seedClusterFaults, startLocalCluster } from './cluster-side';

const { values } = parseArgs({
  options: {
    yes: { type: 'boolean', short: 'y' },
    'dry-run': { type: 'boolean' },
    console: { type: 'boolean' },
    port: { type: 'string', default: '8787' },
  },
});
const DEMO_APPROVER = { username: 'approver', password: 'Irsa-Doctor-demo-1' };
const DEMO_VIEWER = { username: 'viewer', password: 'Irsa-Doctor-demo-2' };
const terminal = terminalFor(processIo);
const style = styleFor(terminal);
const say = (text = '') => process.stdout.write(`${text}\n`);
const step = (text: string) => say(style.bold(`\n== ${text}`));

/** The console, or the terminal asking about each plan, or approving every plan (--yes, or no terminal). */
function demoOptions(): { withConsole: boolean; port: number; interactive: boolean } {
  const withConsole = Boolean(values.console);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port} is not a port number`);
  const interactive = !withConsole && !values.yes && Boolean(process.stdin.isTTY);
  return { withConsole, port, interactive };
}

function sayWhoDecides(withConsole: boolean, interactive: boolean): void {
  if (withConsole) say('each plan now waits for a decision in the console');
  else if (!interactive)
    say(values.yes ? 'approving every plan (--yes)' : 'no terminal to ask at: approving every plan, as with --yes');
}

type LocalHub = Awaited<ReturnType<typeof createWorkflowHub>>;
type LocalConsole = Awaited<ReturnType<typeof startLocalConsole>>;

async function main(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  logger.setLogLevel('SILENT');
  const { withConsole, port, interactive } = demoOptions();

  step('Starting the local AWS emulator (moto, pinned; the first run installs it into .venv/emulator)');
  const emulator = await startEmulator();
  let localCluster: { stop(): void } | undefined;
  try {
    say(`emulator at ${emulator.url}`);

    const { estate, hub } = await setUp(emulator.url);
    const out = { say, step, style, terminal };
    localCluster = startLocalCluster(estate, out);
    await seedClusterFaults(emulator.url, estate, out);
    const before = await sweep(hub, estate);
    const withCluster = await analyzeWithClusterSide(await collect(hub, estate), estate, out);
    await probeOneServiceAccount(emulator.url, withCluster.snapshot, out);
    const approvalConsole = withConsole ? await openConsole(hub, port) : undefined;

    step(`Running the sweep${values['dry-run'] ? ' (dry run: nothing will be written)' : ''}`);
    const runId = `demo-${Date.now()}`;
    let interrupted = false;
    // The sweep, then each plan's own remediation execution (waiting for its approval), to their ends.
    const run = runToSettled(
      hub,
      { mode: 'sweep', trigger: 'demo', ...(values['dry-run'] ? { dryRun: true } : {}) },
      runId,
      { abandoned: () => interrupted },
    );
    let done = false;
    run.finally(() => {
      done = true;
    });
    const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
    sayWhoDecides(withConsole, interactive);
    const interrupt = new Promise<void>((resolve) =>
      process.once('SIGINT', () => {
        interrupted = true;
        resolve();
      }),
    );
    while (!done && withConsole && !interrupted) {
      await Promise.race([run.catch(() => undefined), interrupt, new Promise((r) => setTimeout(r, 200))]);
    }
    if (interrupted) {
      say('\ninterrupted: the run is abandoned (plans still waiting were neither approved nor applied)');
      await approvalConsole?.close();
      return;
    }
    const decided = new Set<string>();
    while (!done) {
      await decideWaitingPlans(hub, runId, decided, rl);
      await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
    }
    rl?.close();
    const result = await run;

    step('Outcome');
    await printOutcome(hub, runId);
    say(
      `sweep: ${result.sweep.transitions} state transitions for ${Object.keys(estate.ids).length + 1} accounts; ` +
        `${result.remediations.length} remediation execution(s), one per plan.`,
    );

    const after = await sweep(hub, estate);
    printBeforeAndAfter(before, after);
    if (approvalConsole) {
      step('The console stays up for the history view and rollback');
      say(`${approvalConsole.url}/#/history  (Ctrl-C stops the console and the emulator)`);
      await interrupt;
      await approvalConsole.close();
    }
  } finally {
    localCluster?.stop();
    await emulator.stop();
    say(`${localCluster ? 'Kubernetes API server and ' : ''}emulator stopped`);
  }
}

/** Seeds the broken organization, creates the hub's resources and synthesizes its state machine. */
async function setUp(emulatorUrl: string) {
  step('Seeding a broken organization');
  const estate = await seedOrgEstate(emulatorUrl, { remediatorRole: 'IrsaDoctorRemediator', hubMemberRoles: true });
  const org = await seedClients(emulatorUrl, HUB).organizations.send(new DescribeOrganizationCommand({}));
  say(
    `accounts: ${Object.entries(estate.ids)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (sandbox has no scanner role)`,
  );
  say(`clusters: ${Object.keys(estate.issuers).join(', ')} in ${REGIONS.join(' and ')}`);

  step('Creating the hub (tables, bucket, topic, bus) and its state machines, synthesized with CDK, in the emulator');
  const template = synthesizeHubTemplate({
    organization: true,
    organizationId: org.Organization?.Id ?? 'o-exampleorgid',
    regions: [...REGIONS],
  });
  const hub = await createWorkflowHub({
    endpoint: emulatorUrl,
    prefix: 'irsa-doctor-demo',
    accounts: [],
    organization: true,
    regions: [...REGIONS],
    template,
  });
  for (const machine of hub.workflow.workflow.machines) {
    say(`state machine ${machine.name}: ${Object.keys(machine.definition.States as object).length} top-level states`);
  }
  say(`${hub.workflow.workflow.functions.size} Lambda functions, each run by its real handler in this process`);

  return { estate, hub };
}

/** A fresh sweep of the hub and every member account (the AWS side). */
function collect(hub: LocalHub, estate: OrgEstate) {
  return collectEstate(
    hub.readers,
    [HUB, ...Object.values(estate.ids)].map((accountId) => ({ accountId })),
    { regions: REGIONS },
  );
}

/** A fresh sweep, analyzed. */
async function sweep(hub: LocalHub, estate: OrgEstate) {
  return analyzeEstate(await collect(hub, estate));
}

/**
 * Serves the approval console with its local OpenID provider (standing in for Cognito managed login; an approver
 * and a viewer can sign in) and says how to sign in.
 */
async function openConsole(hub: LocalHub, port: number): Promise<LocalConsole> {
  const approvalConsole = await startLocalConsole({
    deps: { ...hub.deps, approversGroup: DEFAULT_APPROVERS_GROUP },
    users: [
      { ...DEMO_APPROVER, groups: [DEFAULT_APPROVERS_GROUP] },
      { ...DEMO_VIEWER, groups: [] },
    ],
    port,
  });
  step('The approval console');
  say(`open ${style.bold(approvalConsole.url)} and press "Sign in": single sign-on, as in AWS`);
  say(
    `the sign-in page is the local OpenID provider's (${approvalConsole.provider.issuer}, standing in for Cognito managed login and your identity provider); the console never sees the password`,
  );
  say(`sign in there as "${DEMO_APPROVER.username}", password "${DEMO_APPROVER.password}" (an approver)`);
  say(`or as "${DEMO_VIEWER.username}", password "${DEMO_VIEWER.password}" (signed in, not an approver: refused)`);
  say(
    style.dim(
      `from a terminal: npx irsa-doctor login --console-url ${approvalConsole.url} (opens the same sign-in in your browser); then npx irsa-doctor approvals list --console-url ${approvalConsole.url}`,
    ),
  );
  return approvalConsole;
}

/** Shows each plan of the run now waiting for approval and decides it: asked at the terminal, or approved. */
async function decideWaitingPlans(
  hub: LocalHub,
  runId: string,
  decided: Set<string>,
  rl: ReturnType<typeof createInterface> | undefined,
): Promise<void> {
  const pending = (await hub.deps.store.listPendingApprovals()).filter(
    (a) => a.runId === runId && !decided.has(a.planId),
  );
  for (const approval of pending) {
    const record = await hub.deps.store.getPlan(runId, approval.planId);
    if (!record) continue;
    showPlan(record.plan);
    let answer = 'y';
    if (rl) answer = (await rl.question('  Approve this change? [y/N] ')).trim().toLowerCase();
    decided.add(approval.planId);
    const approved = answer === 'y' || answer === 'yes';
    await decideApproval(hub.deps, {
      runId,
      planId: approval.planId,
      decision: approved ? 'approved' : 'rejected',
      by: `${process.env.USER ?? 'demo'}@terminal`,
      contentHash: approval.contentHash,
    });
    say(`  ${approved ? 'approved' : 'rejected'}`);
  }
}

function showPlan(p: Plan): void {
  say();
  say(style.bold(`Plan ${p.id}: ${p.action} on ${p.resourceArn}`));
  say(`  fixes ${p.ruleIds.join(', ')}${p.cluster ? ` (cluster ${p.cluster}, ${p.region})` : ''}`);
  say(`  ${p.rationale}`);
  if (p.diff)
    say(
      p.diff
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  for (const line of p.proof?.summary ?? []) say(style.dim(`  proof: ${line}`));
}

/** Each plan's status, and how many changes were written. */
async function printOutcome(hub: LocalHub, runId: string): Promise<void> {
  const plans = await hub.deps.store.listPlans(runId);
  for (const p of plans) {
    say(
      `${p.status.padEnd(12)} ${p.plan.action.padEnd(22)} ${p.plan.resourceArn}${p.detail ? style.dim(`  (${p.detail})`) : ''}`,
    );
  }
  const audit = await hub.deps.store.listAudit();
  say(`\n${audit.length} change(s) written, each in the audit table with the document it replaced.`);
}

function printBeforeAndAfter(before: AnalysisResult, after: AnalysisResult): void {
  step('Before and after (a fresh sweep of the emulator)');
  say(`${'severity'.padEnd(10)} ${'before'.padStart(6)} ${'after'.padStart(6)}`);
  for (const s of SEVERITIES) {
    say(
      `${s.padEnd(10)} ${String(before.summary.findingsBySeverity[s]).padStart(6)} ${String(after.summary.findingsBySeverity[s]).padStart(6)}`,
    );
  }
  say('\nWhat is left, and why:');
  process.stdout.write(renderFindingsTable(after, terminal));
  say(`\nThe scanner role is "${SCANNER_ROLE}"; sandbox stays unreachable until the member stack is deployed there.`);
}

main().catch((err) => {
  process.stderr.write(`demo: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
