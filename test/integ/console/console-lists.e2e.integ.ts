/**
 * The console's lists a page at a time, and its mutelist, in a real headless Chromium: the local console server
 * (signing in through its local OpenID provider, the API's handler) over a state store in the emulator holding
 * more pending plans than one page. Next and previous move through the plans; a mute is added with its reason and
 * expiry, listed as the approver's, and removed.
 */
import type { Browser, Page } from 'playwright-core';
import { type LocalConsole, startLocalConsole } from '../../../infra/local/console-server';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../../lambdas/workflow/approver-actions';
import { checkView, launchBrowser, newPage, signInAs } from '../../support/console-browser';
import { freshStateStore, seedPendingPlans } from '../../support/fresh-state-store';
import { budgetFor } from '../budget';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const USER = { username: 'paula', password: 'Approver-passw0rd!', email: 'paula@example.com' };
/** More than one page of the console (50). */
const PLANS = 60;

let server: LocalConsole;
let browser: Browser;

jest.setTimeout(180_000);

beforeAll(
  async () => {
    useEmulatorCredentials();
    const { store } = await freshStateStore(endpointUrl());
    await seedPendingPlans(store, 'run-1', '111111111111', PLANS);
    await store.putRejection({
      planId: 'p-rejected',
      runId: 'run-0',
      accountId: '111111111111',
      resourceArn: 'arn:aws:iam::111111111111:role/legacy',
      action: 'update-trust-policy',
      rejectedBy: 'bob',
      rejectedAt: new Date().toISOString(),
      comment: 'owned by another team',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    // Listing and the mutelist only: nothing is decided or rolled back here, so no callbacks, writers or events.
    const deps = { store, now: () => new Date(), approversGroup: DEFAULT_APPROVERS_GROUP } as unknown as ConsoleDeps;
    server = await startLocalConsole({ deps, users: [{ ...USER, groups: [DEFAULT_APPROVERS_GROUP] }] });
    browser = await launchBrowser();
  },
  budgetFor({ calls: PLANS * 4 + 50, otherMs: 60_000 }),
);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(): Promise<Page> {
  const page = await newPage(browser);
  await signInAs(page, server.url, USER);
  return page;
}

const rowCount = (page: Page) => page.locator('[data-testid^="plan-row-"]').count();

describe('the console, a page at a time', () => {
  it('moves through the pending plans with next and previous', async () => {
    const page = await signedIn();
    // Then the first page holds 50 plans, the oldest first, and says it is page 1
    expect(await rowCount(page)).toBe(50);
    expect(await page.getByTestId('plans-page').textContent()).toBe('Page 1');
    expect(await page.getByTestId('plan-row-p1').count()).toBe(1);
    expect(await page.getByTestId('plans-previous').isDisabled()).toBe(true);
    await checkView(page, 'pending-plans');

    // When next is clicked, the rest; previous goes back
    await page.getByTestId('plans-next').click();
    await page.getByTestId('plan-row-p51').waitFor();
    expect(await rowCount(page)).toBe(PLANS - 50);
    expect(await page.getByTestId('plans-next').isDisabled()).toBe(true);
    await page.getByTestId('plans-previous').click();
    await page.getByTestId('plan-row-p1').waitFor();
    expect(await page.getByTestId('plans-page').textContent()).toBe('Page 1');
    await page.close();
  });

  it('adds a mute with its reason and expiry, lists it as the approver, and removes it; shows rejections remembered', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-muted').click();
    await page.getByTestId('no-mutes').waitFor();
    // Beside the mutelist, the rejections remembered
    const rejection = (await page.getByTestId('rejection-p-rejected').textContent()) ?? '';
    expect(rejection).toContain('arn:aws:iam::111111111111:role/legacy');
    expect(rejection).toContain('owned by another team');

    await page.getByTestId('mute-rule').fill('IRSA-015');
    await page.getByTestId('mute-account').fill('111111111111');
    await page.getByTestId('mute-reason').fill('legacy app <b>not bold</b>');
    await page.getByTestId('mute-days').fill('10');
    await page.getByTestId('mute-add').click();
    await page.getByTestId('muted-view').waitFor();
    await checkView(page, 'muted');

    const row = page.locator('tr[data-testid^="mute-"]').first();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('rule IRSA-015');
    expect(text).toContain('account 111111111111');
    expect(text).toContain('legacy app <b>not bold</b>');
    expect(text).toContain('paula');
    expect(await page.locator('[data-testid="muted-view"] b').count()).toBe(0);

    await page.locator('[data-testid^="unmute-"]').first().click();
    await page.getByTestId('no-mutes').waitFor();
    await page.close();
  });
});
