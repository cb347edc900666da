/**
 * The approval console in a real headless Chromium (Debian's chromium, driven by playwright-core), in front of a
 * real run of the synthesized state machine waiting for approvals in the emulator: sign in, review a plan's
 * findings, diff and proof, approve one plan and reject another, check in the emulator that exactly the approved
 * change was written, then roll it back from the history view and check the original document is back.
 * Screenshots of the plan view and the history view go to .tmp/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import type { Browser, Page } from 'playwright-core';
import { seedClients } from '../../../emulator/seed';
import { logger } from '../../../lambdas/handlers/make-handler';
import { BROWSER_LAUNCH_MS, launchBrowser, SCREENSHOTS, signInAs } from '../../support/console-browser';
import {
  APPROVER,
  type ConsoleHarness,
  closeConsoleHarnesses,
  HARNESS_START_MS,
  startConsoleHarness,
} from '../../support/console-harness';
import { OPTED_IN, seedWorkflowEstate, type WorkflowEstate } from '../../support/workflow-estate';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

/** Text that would run if the page ever rendered policy text as HTML. */
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

let h: ConsoleHarness;
let estate: WorkflowEstate;
let browser: Browser;

jest.setTimeout(180_000);

beforeAll(async () => {
  useEmulatorCredentials();
  logger.setLogLevel('SILENT');
  estate = await seedWorkflowEstate(endpointUrl());
  // A broken role whose trust policy carries markup and script in its subject condition.
  const [a] = estate.accounts;
  await seedClients(endpointUrl(), a).iam.send(
    new CreateRoleCommand({
      RoleName: 'hostile-text',
      Tags: [OPTED_IN],
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${a}:oidc-provider/${estate.issuers.prod}` },
            Action: 'sts:AssumeRole',
            Condition: {
              StringEquals: {
                [`${estate.issuers.prod}:sub`]: `system:serviceaccount:apps:${HOSTILE}`,
                [`${estate.issuers.prod}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ],
      }),
    }),
  );
  h = await startConsoleHarness(endpointUrl(), estate.accounts, ['us-west-2', 'eu-west-1']);
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await launchBrowser();
}, HARNESS_START_MS + BROWSER_LAUNCH_MS);

afterAll(async () => {
  await browser?.close();
  await closeConsoleHarnesses();
});

/** Every role trust policy and OIDC provider of the estate's accounts, by ARN. */
async function iamState(): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const account of estate.accounts) {
    const { iam } = seedClients(endpointUrl(), account);
    for (const role of (await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles ?? []) {
      const { Role } = await iam.send(new GetRoleCommand({ RoleName: role.RoleName }));
      state.set(role.Arn ?? '', decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''));
    }
    for (const p of (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []) {
      const out = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: p.Arn }));
      state.set(p.Arn ?? '', JSON.stringify([out.Url, out.ClientIDList, out.ThumbprintList]));
    }
  }
  return state;
}

async function signIn(page: Page): Promise<void> {
  await signInAs(page, h.console.url, APPROVER);
}

describe('the approval console in a browser', () => {
  it('shows a plan with its diff and proof, approves one, rejects another, applies exactly the approved change, and rolls it back', async () => {
    // Given a run waiting for approvals, and the IAM state before any decision
    const before = await iamState();
    const pending = await h.pending();
    const hostile = pending.find((p) => p.plan.resourceArn.endsWith(':role/hostile-text'));
    const other = pending.find(
      (p) => p.plan.action === 'update-trust-policy' && p.plan.dependsOn.length === 0 && p !== hostile,
    );
    if (!hostile || !other) {
      throw new Error(
        `expected two independent trust-policy plans; got ${pending.map((p) => `${p.plan.action} ${p.plan.resourceArn}`).join(', ')}`,
      );
    }
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    // When the approver signs in, the pending plans are grouped by account and cluster
    await signIn(page);
    const groups = await page.getByTestId('plan-group').allTextContents();
    expect(groups.some((g) => g.includes(`Account ${hostile.plan.accountId}`))).toBe(true);

    // And the plan view shows the findings, the error pods see, the exact diff and the proof
    await page.getByTestId(`open-${hostile.planId}`).click();
    await page.getByTestId('plan-view').waitFor();
    const diff = (await page.getByTestId('diff').textContent()) ?? '';
    expect(diff).toContain('-      "Action": "sts:AssumeRole"');
    expect(diff).toContain('+      "Action": "sts:AssumeRoleWithWebIdentity"');
    expect(await page.getByTestId('pod-error').first().textContent()).toMatch(/AssumeRoleWithWebIdentity/);
    const proof = (await page.getByTestId('proof').textContent()) ?? '';
    expect(proof).toContain('holds');
    expect(await page.getByTestId('proof-row').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('content-hash-full').textContent()).toBe(hostile.contentHash);

    // And policy text is shown as text: the markup is visible, nothing of it became an element or ran
    expect(diff).toContain('<script>window.__pwned=2</script>');
    expect(await page.locator('[data-testid="diff"] img, [data-testid="diff"] script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.screenshot({ path: join(SCREENSHOTS, 'plan-view.png'), fullPage: true });

    // When the approver approves this plan with a comment
    await page.getByTestId('comment').fill('checked: web needs its role');
    await page.getByTestId('approve').click();
    await page.getByTestId('decision').waitFor();
    expect(await page.getByTestId('decision').textContent()).toMatch(/^approved by alice/);

    // And rejects another one
    await page.goto(`${h.console.url}/#/plans/${other.runId}/${other.planId}`);
    await page.getByTestId('reject').click();
    await page.getByTestId('decision').waitFor();
    expect(await page.getByTestId('decision').textContent()).toMatch(/^rejected by alice/);

    // Then the workflow applies the approved plan, and only it: every other role and provider is as it was
    const applied = await h.waitForStatus(hostile.planId, ['verified', 'unverified']);
    await h.settle();
    expect((await h.hub.deps.store.getPlan(other.runId, other.planId))?.status).toBe('rejected');
    const after = await iamState();
    const changed = [...after.keys()].filter((arn) => after.get(arn) !== before.get(arn));
    expect(changed).toEqual([hostile.plan.resourceArn]);
    expect(JSON.parse(after.get(hostile.plan.resourceArn) ?? '')).toEqual(hostile.plan.after);

    // When the approver rolls the change back from the history view
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-view').waitFor();
    await page.getByTestId(`rollback-${applied.changeId}`).click();
    await page.getByTestId('rollback-preview').waitFor();
    await page.getByTestId('rollback-comment').fill('undo for the demo');
    await page.getByTestId('rollback-confirm').click();
    await page.getByText('Rolled back by alice').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'history-view.png'), fullPage: true });

    // Then the original document is restored, and the whole estate is as it was before any decision
    const restored = await iamState();
    expect(JSON.parse(restored.get(hostile.plan.resourceArn) ?? '')).toEqual(hostile.plan.before);
    expect([...restored.keys()].filter((arn) => restored.get(arn) !== before.get(arn))).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
