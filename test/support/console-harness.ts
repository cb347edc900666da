/**
 * A run waiting for approval with the console in front of it: the workflow estate seeded in the emulator, the
 * hub's resources, the synthesized state machine running (every approval request waits for a person), a Cognito
 * user pool with an approver and a non-approver, and the local console server. Used by the API tests and the
 * browser end-to-end test.
 */
import { randomUUID } from 'node:crypto';
import { type LocalConsole, startLocalConsole } from '../../infra/local/console-server';
import { createLocalUserPool, type LocalUserPool } from '../../infra/local/local-cognito';
import { createLocalHub, type LocalHub, synthesizeLocalWorkflow } from '../../infra/local/local-hub';
import { runLocalWorkflow } from '../../infra/local/local-workflow';
import type { PlanRecord } from '../../lambdas/ports/state-store';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../lambdas/workflow/approver-actions';
import { decideApproval } from '../../lambdas/workflow/decision-delivery';

export const APPROVER = { username: 'alice', password: 'Approver-passw0rd!', email: 'alice@example.com' };
export const VIEWER = { username: 'victor', password: 'Viewer-passw0rd!', email: 'victor@example.com' };

export interface ConsoleHarness {
  readonly hub: LocalHub;
  readonly deps: ConsoleDeps;
  readonly runId: string;
  readonly pool: LocalUserPool;
  readonly console: LocalConsole;
  /** Plans waiting for approval now. */
  pending(): Promise<PlanRecord[]>;
  /** Waits until the plan reaches one of `statuses`. */
  waitForStatus(planId: string, statuses: readonly string[], timeoutMs?: number): Promise<PlanRecord>;
  /** Rejects whatever waits now or later, until the run ends. */
  settle(): Promise<void>;
  /** settle(), then stops the console. */
  finish(): Promise<void>;
}

export async function startConsoleHarness(
  endpoint: string,
  accounts: readonly string[],
  regions: readonly string[],
): Promise<ConsoleHarness> {
  const hub = await createLocalHub({ endpoint, prefix: `c${randomUUID().slice(0, 8)}`, accounts, regions });
  const deps: ConsoleDeps = { ...hub.deps, approversGroup: DEFAULT_APPROVERS_GROUP };
  const runId = `run-${randomUUID()}`;
  let settled = false;
  const run = runLocalWorkflow({
    workflow: synthesizeLocalWorkflow({}),
    deps: hub.deps,
    callbacks: hub.callbacks,
    input: { mode: 'sweep', trigger: 'test' },
    executionName: runId,
  }).finally(() => {
    settled = true;
  });
  run.catch(() => undefined);
  const pool = await createLocalUserPool(endpoint, {
    name: `pool-${runId.slice(4, 12)}`,
    approversGroup: DEFAULT_APPROVERS_GROUP,
    users: [
      { ...APPROVER, groups: [DEFAULT_APPROVERS_GROUP] },
      { ...VIEWER, groups: [] },
    ],
  });
  const server = await startLocalConsole({ deps, emulatorUrl: endpoint, userPool: pool });
  const pending = async () => {
    const out: PlanRecord[] = [];
    for (const a of await hub.deps.store.listPendingApprovals()) {
      if (a.runId !== runId) continue;
      const p = await hub.deps.store.getPlan(runId, a.planId);
      if (p) out.push(p);
    }
    return out;
  };
  // Wait for the first wave's approval requests.
  const deadline = Date.now() + 45_000;
  while ((await pending()).length === 0) {
    if (settled || Date.now() > deadline) throw new Error('the run never asked for an approval');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    hub,
    deps,
    runId,
    pool,
    console: server,
    pending,
    async waitForStatus(planId, statuses, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const p = await hub.deps.store.getPlan(runId, planId);
        if (p && statuses.includes(p.status)) return p;
        if (Date.now() > end) throw new Error(`plan ${planId} is ${p?.status ?? 'missing'}, not ${statuses.join('|')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    settle,
    async finish() {
      await settle();
      await server.close();
    },
  };

  async function settle(): Promise<void> {
    while (!settled) {
      for (const a of await hub.deps.store.listPendingApprovals()) {
        if (a.runId !== runId) continue;
        await decideApproval(hub.deps, {
          runId,
          planId: a.planId,
          decision: 'rejected',
          by: 'test-teardown',
          contentHash: a.contentHash,
        }).catch(async () => {
          // A plan a test tampered with cannot be decided through the API; end its wait directly.
          await hub.callbacks.fail(a.taskToken, 'PlanRejected', 'test teardown').catch(() => undefined);
        });
      }
      await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
    }
  }
}
