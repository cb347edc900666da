/**
 * The browser side of the console's end-to-end tests, shared by every test/integ/console file: Debian's Chromium
 * driven by playwright-core, signing in, and the check each view passes (axe-core finds no serious or critical
 * violation) with a screenshot written to .tmp/screenshots/<name>.png for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '..', '..', '.tmp', 'screenshots');
/** Launching headless Chromium: a few seconds alone. */
export const BROWSER_LAUNCH_MS = 60_000;

/** A person who can sign in to the console (the harness creates them). */
export interface ConsoleUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A new page in its own browser context (its own cookies and session storage: one person), as axe-core's
 * Playwright integration needs (it refuses pages made by `browser.newPage()`). Dialogs are accepted.
 */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

/**
 * Opens the console at `consoleUrl` and signs in as `user` as a person does: "Sign in", the OpenID provider's login
 * page (user name, password), and back to the console with a code (the authorization code flow with PKCE). Then
 * waits for the page after sign-in (`ready`, a test id; the pending plans' first group by default).
 */
export async function signInAs(
  page: Page,
  consoleUrl: string,
  user: ConsoleUser,
  ready: string | null = 'plan-group',
): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByTestId('sign-in').click();
  await fillProviderLogin(page, user);
  await page.waitForURL((url) => url.origin === new URL(consoleUrl).origin && !url.searchParams.has('code'));
  if (ready) await page.getByTestId(ready).first().waitFor();
}

/** The OpenID provider's login page (the local one, or Cognito managed login's fields): user name, password, submit. */
export async function fillProviderLogin(page: Page, user: ConsoleUser): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The axe-core rules' impacts a view may not have. */
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Checks the view on the page now: axe-core (WCAG 2.0/2.1 A and AA, and best practices) finds no serious or critical
 * violation; the error names each one with the elements it found. Writes the screenshot `<name>.png` (full page)
 * first, so a failing view can be looked at.
 */
export async function checkView(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  if (blocking.length > 0) {
    const lines = blocking.map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .slice(0, 5)
          .map((n) => n.target.join(' '))
          .join('; ')})`,
    );
    throw new Error(
      `the ${name} view has ${blocking.length} serious or critical accessibility violation(s):\n${lines.join('\n')}`,
    );
  }
}
