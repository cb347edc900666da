/**
 * `irsa-doctor scan` against an emulated organization (3 member accounts, 2 regions, 5 clusters with distinct
 * issuers; one account without the scanner role), through the counting fault proxy. The scan's snapshot must analyze
 * exactly like the same estate written as a fixture; throttling and 5xx must not change what is collected; the
 * writers must refuse a plan whose resource changed after planning.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  GetRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { main } from '../../../cli/main';
import { HUB, type OrgEstate, orgEstateFixture, REGIONS, SCANNER_ROLE, seedOrgEstate } from '../../../demo/broken-org';
import { type FaultProxy, startFaultProxy } from '../../../emulator/fault-proxy';
import { EMULATOR_CREDENTIALS, seedClients } from '../../../emulator/seed';
import { AwsClientFactory } from '../../../lambdas/adapters/aws-clients';
import { collectEstate } from '../../../lambdas/adapters/collect-estate';
import { applyPlan } from '../../../lambdas/adapters/fix-actions/fix-action-registry';
import { analyzeEstate } from '../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../lambdas/domain/finding';
import { planEstate } from '../../../lambdas/domain/plan/plan-estate';
import type { EstateSnapshot } from '../../../lambdas/domain/snapshot';
import { parseSnapshot } from '../../../lambdas/shared/schemas';
import { captureIo } from '../../support/cli-io';
import { endpointUrl } from '../emulator-env';

const REMEDIATOR_ROLE = 'IrsaDoctorRemediator';
let estate: OrgEstate;
let proxy: FaultProxy;
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-scan-'));

/** What a finding says, without ids or evidence text that legitimately differ between a live scan and a fixture. */
const gist = (findings: readonly Finding[]) =>
  findings.map((f) => [f.ruleId, f.severity, f.accountId, f.resourceArn, f.cluster ?? ''].join(' | ')).sort();

/** A snapshot without the parts that change from one sweep to the next (times, TLS check times). */
function stable(snapshot: EstateSnapshot): unknown {
  return JSON.parse(
    JSON.stringify(snapshot, (key, value) =>
      ['generatedAt', 'checkedAt', 'lastUsedDate'].includes(key) ? undefined : value,
    ),
  );
}

async function scan(
  args: string[],
): Promise<{ code: number; snapshot: EstateSnapshot; stdout: string; stderr: string }> {
  const output = join(dir, `snapshot-${Math.random().toString(36).slice(2)}.json`);
  const { io, out, err } = captureIo('', { env: {} });
  const code = await main(
    [
      'scan',
      '--endpoint-url',
      proxy.url,
      '--regions',
      REGIONS.join(','),
      '--save-snapshot',
      output,
      '--output',
      'json',
      ...args,
    ],
    io,
  );
  return {
    code,
    snapshot: parseSnapshot(JSON.parse(readFileSync(output, 'utf8')), output),
    stdout: out(),
    stderr: err(),
  };
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  estate = await seedOrgEstate(endpointUrl());
  // The member stack's remediator role, in the accounts whose fixes the test applies
  for (const account of [estate.ids.platform, estate.ids.payments]) {
    await seedClients(endpointUrl(), account).iam.send(
      new CreateRoleCommand({
        RoleName: REMEDIATOR_ROLE,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
  }
  proxy = await startFaultProxy({ target: endpointUrl(), seed: 7 });
});

afterAll(async () => {
  await proxy.close();
});

beforeEach(() => {
  proxy.setFaults(undefined);
  proxy.reset();
});

describe('irsa-doctor scan --organization', () => {
  it('sweeps every active account but the excluded hub, and its snapshot analyzes exactly like the fixture', async () => {
    // When the organization is scanned, the hub excluded
    const { code, snapshot, stdout } = await scan(['--organization', '--exclude', HUB]);

    // Then the three member accounts were swept: two completely, the one without the scanner role unreachable
    expect(code).toBe(0);
    expect(snapshot.accounts.map((a) => [a.name, a.collection?.status])).toEqual(
      orgEstateFixture(estate).accounts.map((a) => [a.name, a.collection?.status]),
    );
    expect(snapshot.accounts.find((a) => a.name === 'sandbox')?.clusters).toEqual([]);
    // And its findings are the fixture's, one for one
    const scanned = analyzeEstate(snapshot).findings;
    expect(gist(scanned)).toEqual(gist(analyzeEstate(orgEstateFixture(estate)).findings));
    // And they cover the seeded faults
    const rules = new Set(scanned.map((f) => f.ruleId));
    for (const rule of [
      'IRSA-001',
      'IRSA-003',
      'IRSA-010',
      'IRSA-011',
      'IRSA-015',
      'IRSA-017',
      'IRSA-019',
      'IRSA-021',
      'IRSA-038',
      'PI-050',
      'SWEEP-001',
    ]) {
      expect(rules).toContain(rule);
    }
    expect(
      scanned.filter(
        (f) => f.resourceArn.endsWith(':role/healthy-lbc') || f.resourceArn.endsWith(':role/healthy-batch'),
      ),
    ).toEqual([]);
    // And the printed JSON is the same analysis
    expect(gist(JSON.parse(stdout).findings)).toEqual(gist(scanned));
    // And it took the fewest calls: one identity check, one account listing, one AssumeRole per account (the
    // sandbox's refused, after which nothing else is asked of it), and for each reachable account its reads
    expect(proxy.counts()).toEqual({
      'sts:GetCallerIdentity': 1,
      'organizations:ListAccounts': 1,
      'sts:AssumeRole': 3,
      'iam:GetAccountAuthorizationDetails': 2,
      'iam:ListOpenIDConnectProviders': 2,
      'iam:GetOpenIDConnectProvider': 3,
      'eks:ListClusters': 4,
      'eks:DescribeCluster': 4,
      'eks:ListAddons': 4,
      'eks:DescribeAddon': 2,
      'eks:DescribeAddonConfiguration': 1,
      'eks:ListPodIdentityAssociations': 4,
      'eks:DescribePodIdentityAssociation': 1,
    });
  });

  it('limits the sweep to an OU', async () => {
    const { snapshot } = await scan(['--organization', '--ou', estate.ouId]);
    expect(snapshot.accounts.map((a) => a.accountId)).toEqual([estate.ids.platform, estate.ids.payments].sort());
  });

  it('collects the same estate when a quarter of all calls are throttled or fail with 5xx', async () => {
    // Given a clean sweep for reference
    const factory = () =>
      new AwsClientFactory({
        endpoint: proxy.url,
        roleName: SCANNER_ROLE,
        hubAccountId: HUB,
        credentials: EMULATOR_CREDENTIALS,
        maxAttempts: 10,
      });
    const targets = [estate.ids.platform, estate.ids.payments, estate.ids.sandbox].map((accountId) => ({ accountId }));
    const clean = await collectEstate(factory(), targets, { regions: REGIONS, tls: undefined });
    // When 20% of calls are throttled and 5% answer 503
    proxy.setFaults({ throttle: 0.2, serverError: 0.05 });
    const faulty = await collectEstate(factory(), targets, { regions: REGIONS });
    // Then faults were injected and retried, and the snapshot is the clean one
    expect(Object.keys(proxy.injected()).length).toBeGreaterThan(0);
    expect(stable(faulty)).toEqual(stable(clean));
  });

  it('rejects unusable credentials with a clear message and exit 2', async () => {
    const { io, err } = captureIo('', { env: {} });
    const code = await main(
      ['scan', '--endpoint-url', 'http://127.0.0.1:9', '--regions', 'us-west-2', '--max-attempts', '1'],
      io,
    );
    expect(code).toBe(2);
    expect(err()).toMatch(/cannot use the AWS credentials \(sts:GetCallerIdentity failed/);
  });
});

describe('writers against the emulator', () => {
  const remediator = () =>
    new AwsClientFactory({
      endpoint: proxy.url,
      roleName: REMEDIATOR_ROLE,
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
      access: 'write',
    });
  const scanner = () =>
    new AwsClientFactory({
      endpoint: proxy.url,
      roleName: SCANNER_ROLE,
      hubAccountId: HUB,
      credentials: EMULATOR_CREDENTIALS,
    });

  async function plansFor(accountId: string) {
    const snapshot = await collectEstate(scanner(), [{ accountId }], { regions: REGIONS });
    return planEstate(snapshot).plans;
  }

  it('creates the missing provider once: re-applying is a no-op, and the scanner credentials may not write', async () => {
    const plan = (await plansFor(estate.ids.platform)).find((p) => p.action === 'create-oidc-provider');
    expect(plan?.resourceArn).toBe(`arn:aws:iam::${estate.ids.platform}:oidc-provider/${estate.issuers.stage}`);
    if (!plan) return;
    await expect(applyPlan(scanner(), plan)).rejects.toMatchObject({ name: 'PlanNotApplicableError' });

    const first = await applyPlan(remediator(), plan);
    expect(first).toMatchObject({ status: 'applied', replaced: null, writes: ['iam:CreateOpenIDConnectProvider'] });
    proxy.reset();
    const second = await applyPlan(remediator(), plan);
    expect(second).toMatchObject({ status: 'already-applied', writes: [] });
    expect(Object.keys(proxy.counts()).filter((op) => !/:(Get|List|AssumeRole)/.test(op))).toEqual([]);

    // And a new sweep no longer finds the provider missing
    const after = await collectEstate(scanner(), [{ accountId: estate.ids.platform }], { regions: REGIONS });
    expect(analyzeEstate(after).findings.filter((f) => f.ruleId === 'IRSA-001')).toEqual([]);
  });

  it('adds the missing audience, and refuses when the provider changed after planning', async () => {
    const plan = (await plansFor(estate.ids.payments)).find((p) => p.action === 'add-client-id');
    expect(plan?.resourceArn).toBe(`arn:aws:iam::${estate.ids.payments}:oidc-provider/${estate.issuers.pay}`);
    if (!plan) return;
    // Given someone replaced the thumbprints after planning
    const seed = seedClients(endpointUrl(), estate.ids.payments);
    await seed.iam.send(
      new UpdateOpenIDConnectProviderThumbprintCommand({
        OpenIDConnectProviderArn: plan.resourceArn,
        ThumbprintList: ['b'.repeat(40)],
      }),
    );
    // Then the plan is refused
    await expect(applyPlan(remediator(), plan)).rejects.toMatchObject({ name: 'StalePlanError' });
    // And once re-planned, it applies, once
    const fresh = (await plansFor(estate.ids.payments)).find((p) => p.action === 'add-client-id');
    if (!fresh) throw new Error('no add-client-id plan after re-planning');
    expect(await applyPlan(remediator(), fresh)).toMatchObject({
      status: 'applied',
      writes: ['iam:AddClientIDToOpenIDConnectProvider'],
      current: { clientIds: ['sts.amazonaws.com'], thumbprints: ['b'.repeat(40)] },
    });
    expect((await applyPlan(remediator(), fresh)).status).toBe('already-applied');
  });

  it('refuses a trust-policy plan when the policy was edited after planning, and keeps the edit', async () => {
    // Given a plan for the role with the stray space
    const plan = (await plansFor(estate.ids.platform)).find(
      (p) => p.action === 'update-trust-policy' && p.resourceArn.endsWith(':role/stray-space'),
    );
    expect(plan).toBeDefined();
    if (!plan) return;
    // When someone edits the policy before the write
    const seed = seedClients(endpointUrl(), estate.ids.platform);
    const edited = {
      ...(plan.before as object),
      Statement: [...((plan.before as { Statement: object[] }).Statement ?? [])],
    };
    const editedText = JSON.stringify({ ...edited, Id: 'edited-by-a-person' });
    await seed.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'stray-space', PolicyDocument: editedText }));

    // Then the writer refuses with StalePlanError and nothing is written
    await expect(applyPlan(remediator(), plan)).rejects.toMatchObject({
      name: 'StalePlanError',
      resourceArn: plan.resourceArn,
    });
    const { Role } = await seed.iam.send(new GetRoleCommand({ RoleName: 'stray-space' }));
    expect(JSON.parse(decodeURIComponent(Role?.AssumeRolePolicyDocument ?? ''))).toEqual(JSON.parse(editedText));
  });

  it('applies a trust-policy plan whose before still holds, and records the document it replaced', async () => {
    const plan = (await plansFor(estate.ids.platform)).find(
      (p) => p.action === 'update-trust-policy' && p.resourceArn.endsWith(':role/assume-role-action'),
    );
    expect(plan).toBeDefined();
    if (!plan) return;
    const outcome = await applyPlan(remediator(), plan);
    expect(outcome.status).toBe('applied');
    expect(outcome.replaced).toEqual(plan.before);
    expect(outcome.current).toEqual(plan.after);
    expect((await applyPlan(remediator(), plan)).status).toBe('already-applied');
  });
});
