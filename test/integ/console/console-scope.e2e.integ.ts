/**
 * Approvers scoped by account and a second approver, in a real headless Chromium in front of a real run of the
 * synthesized state machine: an approver of account A approves a plan of A (it is applied); the same approver opening
 * a plan of account B is refused (403, the page says which account and which groups); with a second approval on for
 * trust-policy plans, the first approval leaves the plan waiting ("1 of 2 approvals"), the same person again is
 * refused, and a second person's approval applies it. Screenshot: plan-second-approval.
 */
import type { Browser, Page } from 'playwright-core';
import { logger } from '../../../lambdas/handlers/make-handler';
import { BROWSER_LAUNCH_MS, checkView, launchBrowser, newPage, signInAs } from '../../support/console-browser';
import {
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  SCOPED_USERS,
  scopedHarness,
  startConsoleHarness,
} from '../../support/console-harness';
import { seedWorkflowEstate, type WorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const { amy: AMY, abe: ABE } = SCOPED_USERS;

let h: ConsoleHarness;
let estate: WorkflowEstate;
let browser: Browser;

jest.setTimeout(180_000);

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  estate = await seedWorkflowEstate(endpointUrl());
  const [a] = estate.accounts;
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1'], scopedHarness(a));
  browser = await launchBrowser();
}, HARNESS_START_MS + BROWSER_LAUNCH_MS);

afterAll(async () => {
  await browser?.close();
  await closeConsoleHarnesses();
});

/** A waiting plan of the account with no dependency (the test's budget bounds the wait for the run to ask). */
async function waitingPlan(accountId: string, pick: (action: string) => boolean) {
  for (;;) {
    const plan = (await h.pending()).find(
      (p) => p.plan.accountId === accountId && pick(p.plan.action) && p.plan.dependsOn.length === 0,
    );
    if (plan) return plan;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signedIn(user: typeof AMY): Promise<Page> {
  const page = await newPage(browser);
  await signInAs(page, h.console.url, user);
  return page;
}

async function openPlan(page: Page, runId: string, planId: string): Promise<void> {
  await page.goto(`${h.console.url}/#/plans/${runId}/${planId}`);
  await page.getByTestId('plan-view').waitFor();
}

const bannerText = async (page: Page) => {
  await page.locator('#banner.error').waitFor();
  return (await page.locator('#banner').textContent()) ?? '';
};

describe('the console, scoped approvers and a second approval', () => {
  it('lets an approver of account A approve a plan of A, and refuses them a plan of B (403)', async () => {
    const [a, b] = estate.accounts;
    const page = await signedIn(AMY);
    // The pending list holds only account A's plans
    const groups = await page.getByTestId('plan-group').allTextContents();
    expect(groups.length).toBeGreaterThan(0);
    expect(groups.every((g) => g.includes(a) && !g.includes(b))).toBe(true);
    // and says that plans of accounts outside the scope were left out
    expect(await page.getByTestId('plan-count').textContent()).toMatch(
      /[1-9]\d* plan\(s\) of accounts outside your approver scope are not listed/,
    );

    // A plan of A that needs one approver: approved and applied
    const plan = await waitingPlan(a, (action) => action !== 'update-trust-policy');
    await openPlan(page, plan.runId, plan.planId);
    await page.getByTestId('approve').click();
    await page.getByTestId('decision').waitFor();
    expect(await page.getByTestId('decision').textContent()).toMatch(/^approved by amy/);
    await h.waitForStatus(plan.planId, ['verified', 'unverified', 'applied']);

    // A plan of B: the API refuses, and the page says which account and which groups
    const other = await waitingPlan(b, () => true);
    await page.goto(`${h.console.url}/#/plans/${other.runId}/${other.planId}`);
    const message = await bannerText(page);
    expect(message).toContain(`account ${b}`);
    expect(message).toContain('a-approvers');
    expect(await page.getByTestId('approve').count()).toBe(0);
    expect((await h.deps.store.getApproval(other.runId, other.planId))?.decision).toBeUndefined();
    await page.close();
  });

  it('keeps a high-risk plan waiting after one approval, refuses the same person again, and applies it on a second', async () => {
    const [a] = estate.accounts;
    const plan = await waitingPlan(a, (action) => action === 'update-trust-policy');
    const amy = await signedIn(AMY);
    await openPlan(amy, plan.runId, plan.planId);
    expect(await amy.getByTestId('approval-progress').textContent()).toContain('0 of 2 approvals');
    await amy.getByTestId('comment').fill('the subject is right');
    await amy.getByTestId('approve').click();
    await amy.getByTestId('approval-progress').filter({ hasText: '1 of 2 approvals (by amy' }).waitFor();
    expect(await amy.locator('#banner').textContent()).toContain('needs a second approval');
    await checkView(amy, 'plan-second-approval');
    expect((await h.deps.store.getPlan(plan.runId, plan.planId))?.status).toBe('awaiting-approval');
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();

    // The same person again is refused
    await amy.getByTestId('approve').click();
    expect(await bannerText(amy)).toMatch(/already approved .* another approver/);
    await amy.close();

    // A second person approves: decided, and applied
    const abe = await signedIn(ABE);
    // The pending list shows the approvals so far beside the plan's risk
    expect(await abe.getByTestId(`approvals-${plan.planId}`).textContent()).toContain('1 of 2 approvals (by amy');
    await openPlan(abe, plan.runId, plan.planId);
    expect(await abe.getByTestId('approval-progress').textContent()).toContain('1 of 2 approvals (by amy');
    await abe.getByTestId('approve').click();
    await abe.getByTestId('decision').waitFor();
    expect(await abe.getByTestId('decision').textContent()).toMatch(/^approved by amy.* and abe/);
    const applied = await h.waitForStatus(plan.planId, ['verified', 'unverified']);
    expect((await h.deps.store.getAudit(applied.changeId ?? ''))?.approvedBy).toMatch(/^amy.* and abe/);
    await abe.close();
  });
});
