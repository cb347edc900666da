/**
 * A run waiting for approval with the console in front of it: the workflow estate seeded in the emulator, the
 * hub's resources, the synthesized state machine running in the emulator (every approval request waits for a person), the
 * local console server with its local OpenID provider (an approver and a non-approver can sign in). Used by the API
 * tests, the CLI test and the browser end-to-end tests.
 */

import { randomUUID } from 'node:crypto';
import { type LocalConsole, startLocalConsole } from '../../infra/local/console-server';
import { createWorkflowHub, synthesizeHubTemplate, type WorkflowHub } from '../../infra/local/local-hub';
import type { LocalOidcProvider, LocalOidcUser } from '../../infra/local/local-oidc-provider';
import { runToSettled } from '../../infra/local/local-run';
import type { PlanRecord } from '../../lambdas/ports/state-store';
import { type ApiDeps, type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../lambdas/workflow/approver-actions';
import { decideApproval } from '../../lambdas/workflow/decision-delivery';
import { budgetFor } from '../integ/budget';
import type { ConsoleUser } from './console-browser';

export const APPROVER = { username: 'alice', password: 'Approver-passw0rd!', email: 'alice@example.com' };
export const VIEWER = { username: 'victor', password: 'Viewer-passw0rd!', email: 'victor@example.com' };

/**
 * The budget of a beforeAll that seeds the workflow estate and starts a harness: one synthesis and at most 500
 * emulator calls (the whole of test/integ/api/approval-api.integ.ts makes 346, counted in the emulator's request log).
 */
export const HARNESS_START_MS = budgetFor({ calls: 500, syntheses: 1 });

export interface ConsoleHarness {
  readonly hub: WorkflowHub;
  readonly deps: ConsoleDeps;
  readonly runId: string;
  /** The OpenID provider the console signs in with; `signIn(username, password)` returns an ID token. */
  readonly provider: LocalOidcProvider;
  /** The same provider, by its former name (a user pool): `h.pool.signIn(username, password)`. */
  readonly pool: LocalOidcProvider;
  readonly console: LocalConsole;
  /** Plans waiting for approval now. */
  pending(): Promise<PlanRecord[]>;
  /** Waits until the plan reaches one of `statuses` (the test's budget bounds the wait; closing the harness ends it). */
  waitForStatus(planId: string, statuses: readonly string[]): Promise<PlanRecord>;
  /** Rejects whatever waits now or later, until the run ends. */
  settle(): Promise<void>;
  /** settle(), then stops the console. */
  finish(): Promise<void>;
}

/**
 * The closes of the harnesses this test file started (jest loads this module once per file), for
 * closeConsoleHarnesses. A hook whose budget runs out is abandoned by jest, not stopped: its start goes on after
 * afterAll, so once closed, a start still under way closes what it has made and stops instead of leaving a run and a
 * server open, which would keep jest from exiting after the failure.
 */
const open = new Set<() => Promise<void>>();
let closed = false;

/** Closes every harness this file started or is starting (its afterAll): settles each run and stops its console. */
export async function closeConsoleHarnesses(): Promise<void> {
  closed = true;
  for (const close of [...open]) await close();
}

/**
 * The scoped estate of the scope tests (API and browser): amy and abe approve account A only, rita every account;
 * every trust-policy plan (and every plan of high risk) needs two approvers.
 */
export const SCOPED_USERS: Readonly<Record<'amy' | 'abe' | 'rita', LocalOidcUser & ConsoleUser>> = {
  amy: { username: 'amy', password: 'Scoped-passw0rd!', email: 'amy@example.com', groups: ['a-approvers'] },
  abe: { username: 'abe', password: 'Scoped-passw0rd!', email: 'abe@example.com', groups: ['a-approvers'] },
  rita: {
    username: 'rita',
    password: 'Global-passw0rd!',
    email: 'rita@example.com',
    groups: [DEFAULT_APPROVERS_GROUP],
  },
};

/** The harness options of the scoped estate: SCOPED_USERS, `a-approvers` scoped to `accountA`, a second approval. */
export function scopedHarness(accountA: string): HarnessOptions {
  return {
    users: Object.values(SCOPED_USERS),
    access: {
      approvers: [{ group: DEFAULT_APPROVERS_GROUP }, { group: 'a-approvers', accounts: [accountA] }],
      secondApproval: { risks: ['high'], actions: ['update-trust-policy'] },
    },
  };
}

/** The people who can sign in when a test names none: an approver and a viewer (in no group). */
export const DEFAULT_USERS: readonly LocalOidcUser[] = [
  { ...APPROVER, groups: [DEFAULT_APPROVERS_GROUP] },
  { ...VIEWER, groups: [] },
];

/** Who signs in (default: DEFAULT_USERS), how long their tokens last, and the access rules the API runs with
 * (default: one group, every account, no second approval). */
export interface HarnessOptions {
  readonly users?: readonly LocalOidcUser[];
  readonly tokenTtlSeconds?: number;
  readonly access?: Pick<ApiDeps, 'approvers' | 'secondApproval'>;
}

export async function startConsoleHarness(
  endpoint: string,
  accounts: readonly string[],
  regions: readonly string[],
  options: HarnessOptions = {},
): Promise<ConsoleHarness> {
  if (closed) throw new Error('console harness: the file is closing');
  const hub = await createWorkflowHub({
    endpoint,
    prefix: `c${randomUUID().slice(0, 8)}`,
    accounts,
    regions,
    template: synthesizeHubTemplate({}),
  });
  const deps: ConsoleDeps = { ...hub.deps, approversGroup: DEFAULT_APPROVERS_GROUP };
  const runId = `run-${randomUUID()}`;
  let settled = false;
  // The run: the sweep, then each plan's remediation execution, to their ends.
  const run = runToSettled(hub, { mode: 'sweep', trigger: 'test' }, runId).finally(() => {
    settled = true;
  });
  run.catch(() => undefined);
  let server: LocalConsole | undefined;
  const close = async () => {
    open.delete(close);
    await settle();
    await server?.close();
    hub.workflow.close();
  };
  open.add(close);
  /** Stops the start when it failed or the file is closing, closing what it made first. */
  const abandon = async (reason: string): Promise<never> => {
    await close();
    throw new Error(`console harness: ${reason}`);
  };
  if (closed) await abandon('the file is closing');
  server = await startLocalConsole({
    deps,
    users: options.users ?? DEFAULT_USERS,
    ...(options.tokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.tokenTtlSeconds } : {}),
    ...(options.access ? { access: options.access } : {}),
  });
  const pending = async () => {
    const out: PlanRecord[] = [];
    for (const a of await hub.deps.store.listPendingApprovals()) {
      if (a.runId !== runId) continue;
      const p = await hub.deps.store.getPlan(runId, a.planId);
      if (p) out.push(p);
    }
    return out;
  };
  // Wait for the first wave's approval requests: the run either asks or ends; the hook's budget bounds the wait.
  try {
    while ((await pending()).length === 0) {
      if (settled) await abandon('the run never asked for an approval');
      if (closed) await abandon('the file is closing');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    if (open.has(close)) await close();
    throw error;
  }
  return {
    hub,
    deps,
    runId,
    provider: server.provider,
    pool: server.provider,
    console: server,
    pending,
    async waitForStatus(planId, statuses) {
      for (;;) {
        const p = await hub.deps.store.getPlan(runId, planId);
        if (p && statuses.includes(p.status)) return p;
        if (closed || !open.has(close)) {
          throw new Error(`plan ${planId} is ${p?.status ?? 'missing'}, not ${statuses.join('|')}: harness closed`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    settle,
    finish: close,
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
          await hub.deps.callbacks.fail(a.taskToken, 'PlanRejected', 'test teardown').catch(() => undefined);
        });
      }
      await Promise.race([run.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
    }
  }
}
