/**
 * Single sign-on in a real headless Chromium: the console signs in through the authorization code flow with PKCE
 * against the local OpenID provider (oidc-provider, standing in for Cognito managed login), with short-lived tokens
 * so that the page refreshes them with the refresh token. The requests on the wire are recorded: the authorization
 * request carries an S256 code challenge, the token request the verifier that hashes to it. The API accepts the
 * token; signing out ends the tab's session and the provider's; a signed-in person outside the approvers group is
 * refused (403); a callback the page did not start is refused with a message.
 */
import { createHash } from 'node:crypto';
import type { Browser, Page, Request } from 'playwright-core';
import { type LocalConsole, startLocalConsole } from '../../../infra/local/console-server';
import { type ConsoleDeps, DEFAULT_APPROVERS_GROUP } from '../../../lambdas/workflow/approver-actions';
import { checkView, fillProviderLogin, launchBrowser, newPage, signInAs } from '../../support/console-browser';
import { freshStateStore, seedPendingPlans } from '../../support/fresh-state-store';
import { budgetFor } from '../budget';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const APPROVER = { username: 'sara', password: 'Approver-passw0rd!', email: 'sara@example.com' };
const VIEWER = { username: 'vic', password: 'Viewer-passw0rd!', email: 'vic@example.com' };
/** Shorter than the page's refresh margin (60 s): every API call refreshes first. */
const TOKEN_TTL_SECONDS = 30;

let server: LocalConsole;
let browser: Browser;

jest.setTimeout(180_000);

beforeAll(
  async () => {
    useEmulatorCredentials();
    const { store } = await freshStateStore(endpointUrl());
    await seedPendingPlans(store, 'run-1', '111111111111', 3);
    // Listing only: nothing is decided here, so no callbacks, writers or events.
    const deps = { store, now: () => new Date(), approversGroup: DEFAULT_APPROVERS_GROUP } as unknown as ConsoleDeps;
    server = await startLocalConsole({
      deps,
      users: [
        { ...APPROVER, groups: [DEFAULT_APPROVERS_GROUP] },
        { ...VIEWER, groups: ['readers'] },
      ],
      tokenTtlSeconds: TOKEN_TTL_SECONDS,
    });
    browser = await launchBrowser();
  },
  budgetFor({ calls: 50, otherMs: 60_000 }),
);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Seen {
  readonly url: URL;
  readonly method: string;
  readonly form: URLSearchParams;
  readonly authorization: string | undefined;
  status?: number;
  body?: Record<string, unknown>;
}

/** Every request the page makes, with its form body, status and (for the token endpoint) its JSON answer. */
function record(page: Page): Seen[] {
  const seen: Seen[] = [];
  const byRequest = new Map<Request, Seen>();
  page.on('request', (r) => {
    const s: Seen = {
      url: new URL(r.url()),
      method: r.method(),
      form: new URLSearchParams(r.postData() ?? ''),
      authorization: r.headers().authorization,
    };
    byRequest.set(r, s);
    seen.push(s);
  });
  page.on('response', async (res) => {
    const s = byRequest.get(res.request());
    if (!s) return;
    s.status = res.status();
    if (s.url.pathname === '/token') s.body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  });
  return seen;
}

const tokenRequests = (seen: Seen[], grant: string) =>
  seen
    .filter((s) => s.url.origin === server.provider.issuer && s.url.pathname === '/token')
    .filter((s) => s.form.get('grant_type') === grant);
const apiCalls = (seen: Seen[]) => seen.filter((s) => s.url.pathname.startsWith('/api/'));

describe('signing in to the console', () => {
  it('uses the code flow with PKCE, sends the ID token to the API, refreshes it, and signs out', async () => {
    const page = await newPage(browser);
    const seen = record(page);
    // Given the console, signed out: the sign-in page, with no password field of its own
    await page.goto(server.url);
    await page.getByTestId('sign-in-view').waitFor();
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    await checkView(page, 'sign-in');

    // When the approver signs in on the provider's page
    await page.getByTestId('sign-in').click();
    await fillProviderLogin(page, APPROVER);
    await page.getByTestId('plan-group').first().waitFor();

    // Then the authorization request carried an S256 challenge, and the token request the verifier that hashes to it
    const auth = seen.find((s) => s.url.origin === server.provider.issuer && s.url.pathname === '/auth');
    expect(auth?.url.searchParams.get('response_type')).toBe('code');
    expect(auth?.url.searchParams.get('code_challenge_method')).toBe('S256');
    const [exchange] = tokenRequests(seen, 'authorization_code');
    const verifier = exchange?.form.get('code_verifier') ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      auth?.url.searchParams.get('code_challenge'),
    );
    expect(exchange?.form.get('client_secret')).toBeNull();
    // And the provider saw the same on its side
    expect(server.provider.requests.some((r) => r.endpoint === 'token' && r.params.code_verifier === verifier)).toBe(
      true,
    );

    // And the tokens live in this tab's sessionStorage, not localStorage or cookies of the console
    const storage = (await page.evaluate(
      'JSON.stringify({ session: Object.keys(sessionStorage), local: Object.keys(localStorage).length })',
    )) as string;
    const { session, local } = JSON.parse(storage) as { session: string[]; local: number };
    expect(session.some((k) => k.startsWith('oidc.user:'))).toBe(true);
    expect(local).toBe(0);

    // And with tokens shorter-lived than the refresh margin, the page refreshed before calling the API, and the API
    // accepted the refreshed ID token (not the first one)
    const refreshes = tokenRequests(seen, 'refresh_token');
    expect(refreshes.length).toBeGreaterThan(0);
    const firstId = String(exchange?.body?.id_token ?? 'none');
    const plans = apiCalls(seen).find((s) => s.url.pathname === '/api/plans');
    expect(plans?.status).toBe(200);
    expect(plans?.authorization).toMatch(/^Bearer /);
    expect(plans?.authorization).not.toBe(`Bearer ${firstId}`);
    expect(refreshes.some((r) => plans?.authorization === `Bearer ${String(r.body?.id_token)}`)).toBe(true);
    expect(await page.getByTestId('who').textContent()).toBe(APPROVER.username);

    // When another view loads, another refresh, and the API accepts it too
    const before = refreshes.length;
    await page.getByTestId('nav-history').click();
    await page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/changes'));
    expect(tokenRequests(seen, 'refresh_token').length).toBeGreaterThan(before);
    expect(apiCalls(seen).every((s) => s.status === undefined || s.status === 200)).toBe(true);

    // When the approver signs out (the provider asks to confirm, then sends the browser back)
    await page.locator('#sign-out').click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByTestId('sign-in-view').waitFor();
    // Then the tab holds no tokens, and signing in again asks for the password again (the provider's session ended)
    const after = await page.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:')).length");
    expect(after).toBe(0);
    await page.getByTestId('sign-in').click();
    await page.getByLabel('Password').waitFor();
    await page.close();
  });

  it('refuses a signed-in person outside the approvers group (403)', async () => {
    const page = await newPage(browser);
    const seen = record(page);
    await signInAs(page, server.url, VIEWER, null);
    await page.getByTestId('banner').filter({ hasText: 'approvers' }).waitFor();
    const plans = apiCalls(seen).find((s) => s.url.pathname === '/api/plans' && s.status !== undefined);
    expect(plans?.status).toBe(403);
    expect(await page.getByTestId('banner').textContent()).toMatch(
      new RegExp(`^${VIEWER.username} .*is not in the "${DEFAULT_APPROVERS_GROUP}" group`),
    );
    await page.close();
  });

  it('refuses a callback it did not start, and a wrong password stays on the provider', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/?code=forged&state=not-mine`);
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/Sign-in did not complete/);
    expect(new URL(page.url()).search).toBe('');

    await page.getByTestId('sign-in').click();
    await fillProviderLogin(page, { ...APPROVER, password: 'not-the-password' });
    await page.getByRole('alert').filter({ hasText: 'Incorrect username or password.' }).waitFor();
    expect(new URL(page.url()).origin).toBe(server.provider.issuer);
    await page.close();
  });
});
