/**
 * The console's views of findings, runs and propose-only plans in a real headless Chromium: the local console server
 * (tokens from a local OpenID provider through the code flow with PKCE, the API's handler) over a state store in the emulator seeded
 * with findings of every severity in two named accounts (AWS side and Kubernetes side, one suppressed, one with a
 * plan waiting), a third account with more findings than a page, three runs and two propose-only plans. The filters
 * live in the URL fragment (Back returns to the previous ones), lists page, long ARNs wrap, and every view passes
 * axe-core.
 */
import type { Browser, Page } from 'playwright-core';
import { type LocalConsole, startLocalConsole } from '../../../infra/local/console-server';
import type { Finding } from '../../../lambdas/domain/finding';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../../lambdas/workflow/approver-actions';
import { checkView, launchBrowser, newPage, signInAs } from '../../support/console-browser';
import { freshStateStore } from '../../support/fresh-state-store';
import { FILLER, LATEST_RUN, PAYMENTS, SEEDED_FINDINGS, seedViews } from '../../support/views-seed';
import { budgetFor } from '../budget';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const USER = { username: 'vera', password: 'Approver-passw0rd!', email: 'vera@example.com' };
const BATCH = '333333333333';
/** More than one page of the console (50). */
const BATCH_FINDINGS = 55;

let server: LocalConsole;
let browser: Browser;

jest.setTimeout(180_000);

function batchFinding(n: number): Finding {
  return {
    id: `f-batch-${String(n).padStart(2, '0')}`,
    ruleId: 'IRSA-016',
    severity: 'low',
    accountId: BATCH,
    resourceArn: `arn:aws:iam::${BATCH}:role/batch-${n}`,
    resourceType: 'service-account',
    cluster: 'batch-eks',
    region: 'eu-west-1',
    kubernetesObject: { kind: 'ServiceAccount', namespace: 'batch', name: `job-${n}` },
    title: `Session longer than needed (${n})`,
    message: 'the role allows 12 hours',
    remediation: 'r',
    references: [],
    evidence: {},
  } as unknown as Finding;
}

beforeAll(
  async () => {
    useEmulatorCredentials();
    const { store } = await freshStateStore(endpointUrl());
    await seedViews(store);
    await store.putAccountFindings(
      LATEST_RUN,
      BATCH,
      Array.from({ length: BATCH_FINDINGS }, (_, i) => batchFinding(i + 1)),
    );
    // Read-only views: nothing is decided or rolled back here, so no callbacks, writers or events.
    const deps = { store, now: () => new Date(), approversGroup: DEFAULT_APPROVERS_GROUP } as unknown as ConsoleDeps;
    server = await startLocalConsole({ deps, users: [{ ...USER, groups: [DEFAULT_APPROVERS_GROUP] }] });
    browser = await launchBrowser();
  },
  budgetFor({ calls: BATCH_FINDINGS * 2 + 200, otherMs: 60_000 }),
);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function signedIn(): Promise<Page> {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1024, height: 900 });
  await signInAs(page, server.url, USER, null);
  await page.getByTestId('nav-findings').waitFor();
  return page;
}

const rows = (page: Page) => page.getByTestId('finding-row');
const rowIds = async (page: Page) =>
  page.getByTestId('finding-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-finding')));
/** Whether the page scrolls sideways (a long ARN that does not wrap would make it). */
const scrollsSideways = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: Element } }).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });
/** The page's elements as a function run in the page sees them (functions, not strings: the CSP allows no eval). */
type Element = {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  getAttribute(name: string): string | null;
};
type PageDocument = { querySelectorAll(selector: string): ArrayLike<Element> };

/**
 * Waits until the view shows exactly these rows of the test id, in this order, by their `attribute` (a view re-drawn
 * after a filter or a page: the previous rows may still be there for a moment).
 */
const rowsAre = (page: Page, testId: string, attribute: string, ids: readonly string[]) =>
  page.waitForFunction(
    ([id, name, want]) => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      const got = Array.from(doc.querySelectorAll(`[data-testid="${id}"]`)).map((e) => e.getAttribute(name));
      return got.join('\n') === want.join('\n');
    },
    [testId, attribute, ids] as const,
  );
const findingsAre = (page: Page, ids: readonly string[]) => rowsAre(page, 'finding-row', 'data-finding', ids);
const batchIds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `f-batch-${String(from + i).padStart(2, '0')}`);

describe('the findings view', () => {
  it('lists the latest findings most severe first, filters through the URL, pages, and goes Back', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-findings').click();
    await page.getByTestId('findings-view').waitFor();
    // Then the first page holds 50 findings, the critical one first, its account named and its plan linked
    expect(await rows(page).count()).toBe(50);
    expect((await rowIds(page))[0]).toBe('f-crit');
    const first = rows(page).first();
    expect(await first.textContent()).toContain('payments-prod');
    expect(await first.getByTestId('finding-plan').getAttribute('href')).toBe(`#/plans/${LATEST_RUN}/plan-crit`);
    expect(await page.getByTestId('result-count').textContent()).toContain('more on the next page');
    expect(await scrollsSideways(page)).toBe(false);
    await checkView(page, 'findings');

    // When filtered by namespace (Enter in a field submits), the batch account's 55 findings, 50 and then 5
    await page.getByTestId('filter-findings-namespace').fill('batch');
    await page.getByTestId('filter-findings-namespace').press('Enter');
    await page.waitForURL(/#\/findings\?namespace=batch$/);
    await findingsAre(page, batchIds(1, 50));
    await page.getByTestId('findings-next').click();
    await findingsAre(page, batchIds(51, BATCH_FINDINGS));
    expect(await page.getByTestId('findings-page').textContent()).toBe('Page 2');

    // And a search with a severity minimum: the one high finding about the ledger role
    await page.getByTestId('filter-findings-namespace').fill('');
    await page.getByTestId('filter-findings-severity').selectOption('high');
    await page.getByTestId('filter-findings-q').fill('Ledger');
    await page.getByTestId('filter-findings-apply').click();
    await page.waitForURL(/severity=high&q=Ledger/);
    await findingsAre(page, ['f-high']);
    expect(await page.getByTestId('result-count').textContent()).toBe('1 finding on page 1');
    await checkView(page, 'findings-filtered');

    // Back returns to the namespace filter, from its first page
    await page.goBack();
    await page.waitForURL(/#\/findings\?namespace=batch$/);
    await findingsAre(page, batchIds(1, 50));
    expect(await page.getByTestId('filter-findings-namespace').inputValue()).toBe('batch');
    await page.close();
  });

  it('shows suppressed findings only when asked, marked; says when nothing matches', async () => {
    const page = await signedIn();
    await page.goto(`${server.url}#/findings?suppressed=only`);
    await findingsAre(page, ['f-muted']);
    expect(await page.getByTestId('suppressed').textContent()).toContain('accepted until the migration');
    await page.goto(`${server.url}#/findings?cluster=prod&namespace=shop`);
    await findingsAre(page, ['f-kube']);
    await page.goto(`${server.url}#/findings?q=nothing%20like%20this`);
    await page.getByTestId('no-findings').waitFor();
    expect(await page.getByTestId('result-count').textContent()).toBe('No findings');
    // A bad filter in a shared link is a clear error, not a crash
    await page.goto(`${server.url}#/findings?account=12`);
    await page.getByTestId('banner').filter({ hasText: 'account' }).waitFor();
    await page.close();
  });
});

describe('the runs and propose-only views', () => {
  it('lists runs with counts, duration and links, and a run with its accounts', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-runs').click();
    await page.getByTestId('runs-view').waitFor();
    const runIds = await page.getByTestId('run-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
    expect(runIds).toEqual(['cluster-2030-03-03', LATEST_RUN, 'sweep-2030-03-01']);
    const latest = page.locator(`[data-run="${LATEST_RUN}"]`);
    const text = (await latest.textContent()) ?? '';
    expect(text).toContain(`${SEEDED_FINDINGS.length - 1}: 1 critical, 2 high, 1 medium, ${FILLER} low, 1 info`);
    expect(text).toContain('3 proposed, 1 started, 2 propose-only');
    expect(text).toContain('1 complete, 1 partial, 0 unreachable');
    expect(text).toContain('7m 30s');
    expect(await latest.getByRole('link', { name: 'Step Functions execution' }).getAttribute('href')).toContain(
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/',
    );
    await checkView(page, 'runs');

    await latest.getByTestId('run-link').click();
    await page.getByTestId('run-view').waitFor();
    const accounts = await page
      .getByTestId('account-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-account')));
    expect(accounts).toEqual([PAYMENTS, '222222222222']);
    expect(await page.getByTestId('account-row').first().textContent()).toContain('payments-prod');
    const runPlans = await page
      .getByTestId('run-plan-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-plan')));
    expect(runPlans).toEqual(['plan-crit', 'plan-iac', 'plan-kube']);
    expect(await page.locator('[data-plan="plan-crit"] a').getAttribute('href')).toBe(
      `#/plans/${LATEST_RUN}/plan-crit`,
    );
    await checkView(page, 'run');
    await page.close();
  });

  it('lists propose-only plans with their IaC guidance to copy, filtered by account', async () => {
    const page = await signedIn();
    await page.getByTestId('nav-proposals').click();
    await page.getByTestId('proposals-view').waitFor();
    const plans = await page
      .getByTestId('proposal')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-plan')).sort());
    expect(plans).toEqual(['plan-iac', 'plan-kube']);
    const iac = page.locator('[data-plan="plan-iac"]');
    expect(await iac.getByTestId('how-to-change').textContent()).toContain('eksctl update iamserviceaccount');
    expect(await iac.getByTestId('guidance').textContent()).toContain('Owned by eksctl');
    expect(await scrollsSideways(page)).toBe(false);
    await checkView(page, 'proposals');

    await page.getByTestId('filter-proposals-account').fill('222222222222');
    await page.getByTestId('filter-proposals-apply').click();
    await page.waitForURL(/#\/proposals\?account=222222222222$/);
    await rowsAre(page, 'proposal', 'data-plan', ['plan-kube']);
    await page.close();
  });
});
