/**
 * The plan page an approver decides from, in a real headless Chromium in front of a real run waiting for approval
 * (test/support/console-harness.ts): the API refuses to approve a plan its approver never opened; the pending list
 * shows severity, counts and time left, and filters the page; the plan page shows the word diff (wrapping, changed
 * words in <del>/<ins>), the proof in sentences, the short content hash with the full one, the time left and links
 * to the AWS console; selecting plans shows each one's diff inline before deciding; the history shows the change as
 * a diff with its verify result, and rollback goes through a preview naming the finding it reopens. Every view
 * passes checkView (axe-core, screenshot into .tmp/screenshots).
 */
import type { Browser, Page } from 'playwright-core';
import { logger } from '../../../lambdas/handlers/make-handler';
import type { PlanRecord } from '../../../lambdas/ports/state-store';
import { BROWSER_LAUNCH_MS, checkView, launchBrowser, newPage, signInAs } from '../../support/console-browser';
import {
  APPROVER,
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  startConsoleHarness,
} from '../../support/console-harness';
import { seedWorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let h: ConsoleHarness;
let browser: Browser;

jest.setTimeout(240_000);

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  const estate = await seedWorkflowEstate(endpointUrl());
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1']);
  browser = await launchBrowser();
}, HARNESS_START_MS + BROWSER_LAUNCH_MS);

afterAll(async () => {
  await browser?.close();
  await closeConsoleHarnesses();
});

/** The independent trust-policy plans waiting now (no dependency: each can be approved alone). */
async function trustPlans(): Promise<PlanRecord[]> {
  const plans = (await h.pending()).filter(
    (p) => p.plan.action === 'update-trust-policy' && p.plan.dependsOn.length === 0,
  );
  if (plans.length < 3) throw new Error(`expected three independent trust-policy plans, got ${plans.length}`);
  return plans;
}

async function approveUnopened(
  plan: PlanRecord,
): Promise<{ status: number; json: { error?: string; message?: string } }> {
  const token = await h.pool.signIn(APPROVER.username, APPROVER.password);
  const res = await fetch(`${h.console.url}/api/plans/${plan.runId}/${plan.planId}/approve`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-irsa-doctor-request': '1',
      origin: h.console.url,
    },
    body: JSON.stringify({ contentHash: plan.contentHash }),
  });
  return { status: res.status, json: (await res.json()) as { error?: string; message?: string } };
}

/** Whether the element scrolls sideways (a long line hidden behind horizontal scroll). */
const scrollsSideways = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((el) => el.scrollWidth > el.clientWidth + 1);

describe('the plan page an approver decides from', () => {
  let approved: PlanRecord;

  it('refuses, in the API, to approve a plan its approver never opened', async () => {
    const [plan] = await trustPlans();
    if (!plan) throw new Error('no plan');
    const res = await approveUnopened(plan);
    expect([res.status, res.json.error]).toEqual([409, 'PlanNotOpenedError']);
    expect(res.json.message).toContain('open the plan and read its diff before deciding');
    expect((await h.deps.store.getApproval(plan.runId, plan.planId))?.decision).toBeUndefined();
  });

  it('lists plans with severity and time left, shows one with its word diff, proof, short hash and links, and approves it', async () => {
    const [plan] = await trustPlans();
    if (!plan) throw new Error('no plan');
    approved = plan;
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await signInAs(page, h.console.url, APPROVER);

    // The pending list: a count, each plan's severity and time left with the zone named
    expect(await page.getByTestId('plan-count').textContent()).toMatch(/^\d+ of \d+ plan\(s\) on page 1 shown/);
    const row = (await page.getByTestId(`plan-row-${plan.planId}`).textContent()) ?? '';
    expect(row).toMatch(/critical|high|medium|low|info/);
    expect(row).toMatch(/ left/);
    await checkView(page, 'pending');

    // Search narrows the page loaded to the plans that match
    const role = plan.plan.resourceArn.split('/').pop() ?? '';
    const all = await page.locator('[data-testid^="plan-row-"]').count();
    await page.getByTestId('filter-text').fill(role);
    await page.getByTestId(`plan-row-${plan.planId}`).waitFor();
    const shown = await page.locator('[data-testid^="plan-row-"]').allTextContents();
    expect(shown.length).toBeLessThan(all);
    expect(shown.every((t) => t.includes(role))).toBe(true);

    // The plan page: focus on its heading, the word diff wrapping with changed words marked
    await page.getByTestId(`open-${plan.planId}`).click();
    await page.getByTestId('plan-view').waitFor();
    expect(await page.locator('h1').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await page.locator('[data-testid="diff"] ins').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="diff"] del').count()).toBeGreaterThan(0);
    expect(await scrollsSideways(page, 'diff')).toBe(false);
    // The proof in sentences, each request once, no raw decision
    const proof = (await page.getByTestId('proof').textContent()) ?? '';
    expect(proof).toMatch(/Before: .* After: they can\./);
    expect(proof).not.toContain('ImplicitDeny');
    const requests = await page.getByTestId('proof-row').allTextContents();
    expect(new Set(requests).size).toBe(requests.length);
    // The hash short, the full one to copy; time left; risk explained; links to the AWS console in a new tab
    expect(await page.getByTestId('content-hash').textContent()).toBe(plan.contentHash.slice(0, 12));
    expect(await page.getByTestId('content-hash-full').textContent()).toBe(plan.contentHash);
    expect(await page.getByTestId('time-left').textContent()).toMatch(/left \(.+\)/);
    expect(await page.getByTestId('risk').textContent()).toMatch(/Risk is not severity/);
    const roleLink = page.getByTestId('console-link-role');
    expect(await roleLink.getAttribute('href')).toBe(
      `https://console.aws.amazon.com/iam/home#/roles/details/${encodeURIComponent(role)}`,
    );
    expect(await roleLink.getAttribute('target')).toBe('_blank');
    expect(await roleLink.getAttribute('rel')).toContain('noopener');
    expect(await page.getByTestId('console-link-oidc-provider').count()).toBeGreaterThan(0);
    await checkView(page, 'plan');

    // Opening it lets its reader decide
    await page.getByTestId('comment').fill('read the diff');
    await page.getByTestId('approve').click();
    await page.getByTestId('decision').waitFor();
    expect(await page.getByTestId('decision').textContent()).toMatch(/^approved by alice/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows each selected plan its diff inline, with a comment per plan or one for all', async () => {
    const [, first, second] = await trustPlans();
    if (!first || !second) throw new Error('no plans');
    const page = await newPage(browser);
    await signInAs(page, h.console.url, APPROVER);
    await page.getByTestId(`select-${first.planId}`).check();
    await page.getByTestId(`select-${second.planId}`).check();
    // Each selected plan's diff, fetched (opened), before the decision buttons are enabled
    await page.getByTestId(`bulk-diff-${first.planId}`).waitFor();
    await page.getByTestId(`bulk-diff-${second.planId}`).waitFor();
    expect(await page.getByTestId(`bulk-diff-${first.planId}`).textContent()).toContain(
      'sts:AssumeRoleWithWebIdentity',
    );
    expect(await page.getByTestId('approve-selected').isEnabled()).toBe(true);
    // One comment given to all, explicitly; each stays editable
    await page.getByTestId('selection-comment').fill('reviewed together');
    await page.getByTestId('comment-all').click();
    expect(await page.getByTestId(`bulk-comment-${first.planId}`).inputValue()).toBe('reviewed together');
    expect(await page.getByTestId(`bulk-comment-${second.planId}`).inputValue()).toBe('reviewed together');
    await checkView(page, 'bulk');
    await page.close();
  });

  it('shows the change in the history as a diff with its verify result, and previews a rollback before it', async () => {
    const done = await h.waitForStatus(approved.planId, ['verified', 'unverified', 'verify-failed']);
    const changeId = done.changeId ?? '';
    const findings = (await h.deps.store.listFindings(approved.runId, approved.plan.accountId)).filter((f) =>
      approved.plan.findingIds.includes(f.id),
    );
    const page = await newPage(browser);
    await signInAs(page, h.console.url, APPROVER);
    await page.getByTestId('nav-history').click();
    await page.getByTestId(`change-${changeId}`).waitFor();
    expect(await page.locator(`[data-testid="change-diff-${changeId}"] ins`).count()).toBeGreaterThan(0);
    expect(await page.getByTestId(`change-verify-${changeId}`).textContent()).toContain(done.status);
    expect(await page.getByTestId(`change-plan-${changeId}`).getAttribute('href')).toBe(
      `#/plans/${approved.runId}/${approved.planId}`,
    );
    expect(await page.getByTestId(`change-run-${changeId}`).getAttribute('href')).toBe(`#/runs/${approved.runId}`);
    await checkView(page, 'history');

    // The rollback preview: what it writes back, and the finding it reopens; nothing happens until confirmed
    await page.getByTestId(`rollback-${changeId}`).click();
    await page.getByTestId('rollback-preview').waitFor();
    const back = (await page.getByTestId('rollback-diff').textContent()) ?? '';
    expect(back).toContain('sts:AssumeRoleWithWebIdentity');
    const reopened = (await page.getByTestId('rollback-findings').textContent()) ?? '';
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(reopened).toContain(f.title);
    expect(await h.deps.store.getRollbackRequest(changeId)).toBeUndefined();
    await checkView(page, 'rollback-preview');
    await page.getByTestId('rollback-comment').fill('undo after the preview');
    await page.getByTestId('rollback-confirm').click();
    await page.getByText('Rolled back by alice').waitFor();

    await page.getByTestId('nav-muted').click();
    await page.getByTestId('rejections-view').waitFor();
    await checkView(page, 'muted');
    // The skip link: on screen when focused, it moves focus to the view's heading and keeps the route
    await page.getByTestId('skip-link').focus();
    expect(await page.getByTestId('skip-link').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.locator('h1').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(page.url()).toMatch(/#\/muted$/);
    await page.close();
  });
});
