/**
 * The sweep's steps over in-memory fakes of the ports, run in the order the sweep state machine runs them: start
 * (targets to a manifest), collect each account, build the issuer index, analyze each account, the digest. Then
 * decision memory across runs (a rejected plan not proposed again, a changed one proposed; a plan open in an earlier
 * run not proposed again) and suppressions with an expiry.
 */
import { OPT_IN_TAG, OPT_IN_VALUE } from '../../../lambdas/domain/remediation-scope';
import type { AccountSnapshot } from '../../../lambdas/domain/snapshot';
import type { PlanRecord, Suppression } from '../../../lambdas/ports/state-store';
import { recordOutcome, releaseDependents, remediationExecutionName } from '../../../lambdas/workflow/plan-steps';
import {
  analyzeAccount,
  buildIssuerIndex,
  collectAccountStep,
  report,
  startRun,
} from '../../../lambdas/workflow/run-steps';
import { account, cluster, estate, irsaStatement, policy, provider, role, sa } from '../../support/estate-builder';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';

const A = '111111111111';
const B = '222222222222';
const GONE = '333333333333';
const tags = { [OPT_IN_TAG]: OPT_IN_VALUE };
const pay = cluster({ name: 'pay', region: 'eu-west-1', accountId: A });
const web = cluster({ name: 'web', region: 'eu-west-1', accountId: A });
const SOLO = `arn:aws:iam::${A}:role/solo`;
const UNTAGGED = `arn:aws:iam::${A}:role/untagged`;

/**
 * Account A: cluster pay without its provider (a provider plan, and two trust plans that depend on it), cluster web
 * with its provider and role `solo` with a stray space in its subject (a trust plan with no dependency), and the
 * same fault on a role not opted in to remediation (a propose-only plan). Account B:
 * healthy. GONE: not reachable.
 */
function accountA(soloSubject = sa('team', 'solo ')): AccountSnapshot {
  return account(A, {
    name: 'payments',
    clusters: [pay.snapshot, web.snapshot],
    oidcProviders: [provider(web)],
    roles: [
      { ...role(A, 'app', policy(irsaStatement(pay, sa('team', 'app ')))), tags },
      { ...role(A, 'other', policy(irsaStatement(pay, sa('team', 'other'), { audience: 'sts.amazonaws.co' }))), tags },
      { ...role(A, 'solo', policy(irsaStatement(web, soloSubject))), tags },
      // Not opted in to remediation: its plan is propose-only.
      role(A, 'untagged', policy(irsaStatement(web, sa('team', 'untagged ')))),
    ],
  });
}
const accountB = account(B, { name: 'shared', clusters: [], oidcProviders: [], roles: [] });

function fakes(accounts: AccountSnapshot[] = [accountA(), accountB]): Fakes {
  return fakeDeps({ estate: { accounts: estate(accounts).accounts }, env: { regions: ['eu-west-1'] } });
}

/** One sweep as the state machine runs it; `skipAnalysis` leaves accounts whose analysis step "failed". */
async function sweep(f: Fakes, runId: string, options: { dryRun?: boolean; skipAnalysis?: string[] } = {}) {
  const context = await startRun(f.deps, {
    input: { mode: 'sweep', accounts: [A, B, GONE], ...(options.dryRun ? { dryRun: true } : {}) },
    executionId: `arn:exec:${runId}`,
    executionName: runId,
    startedAt: f.clock.iso(),
  });
  const targets = f.snapshots.manifest(context.targetsManifest) as Array<{ accountId: string }>;
  for (const target of targets) await collectAccountStep(f.deps, { runId, regions: context.regions, target });
  const index = await buildIssuerIndex(f.deps, { runId });
  const items = f.snapshots.manifest(index.manifest) as Array<{ accountId: string; name?: string }>;
  for (const target of items) {
    if (options.skipAnalysis?.includes(target.accountId)) continue;
    await analyzeAccount(f.deps, { runId, dryRun: options.dryRun === true, target });
  }
  const digest = await report(f.deps, { runId });
  return { context, index, items, digest };
}

const byAction = (plans: readonly PlanRecord[], action: string, resource?: string) =>
  plans.filter((p) => p.plan.action === action && (resource === undefined || p.plan.resourceArn === resource));
const one = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0] as T;
};

async function reject(f: Fakes, runId: string, planId: string) {
  const record = await f.store.getPlan(runId, planId);
  await f.store.putApproval({
    runId,
    planId,
    taskToken: 'token',
    contentHash: record?.contentHash ?? '',
    requestedAt: f.clock.iso(),
    expiresAt: f.clock.iso(),
    decision: 'rejected',
    decidedBy: 'bob',
    decidedAt: f.clock.iso(),
    comment: 'not this quarter',
  });
  await recordOutcome(f.deps, { runId, planId, outcome: 'rejected' });
}

describe('the sweep steps at organization scale', () => {
  it('start-run writes the targets to a manifest and returns their count, not the list', async () => {
    const f = fakes();
    const context = await startRun(f.deps, {
      input: { accounts: [B, A] },
      executionId: 'arn:exec:r1',
      executionName: 'r1',
      startedAt: f.clock.iso(),
    });
    expect(context).not.toHaveProperty('targets');
    expect(context).toMatchObject({ runId: 'r1', duplicate: false, accounts: 2, regions: ['eu-west-1'] });
    expect(context.targetsManifest).toEqual({ bucket: 'fake-snapshots', key: 'runs/r1/manifests/targets.json' });
    expect(f.snapshots.manifest(context.targetsManifest)).toEqual([{ accountId: A }, { accountId: B }]);
    expect((await f.store.getRun('r1'))?.targets).toEqual([A, B]);
  });

  it('indexes every account, analyzes each one, starts the plans without dependencies, sends one digest', async () => {
    const f = fakes();
    const { index, items, digest } = await sweep(f, 'run-1');
    expect(index).toMatchObject({ accounts: 3, unreachable: 1 });
    expect(items.map((t) => t.accountId)).toEqual([A, B, GONE]);
    const stored = await f.snapshots.getIndex('run-1');
    expect(stored?.accounts.map((e) => e.accountId)).toEqual([A, B, GONE]);
    expect(stored?.accounts.every((e) => !('roles' in e))).toBe(true);

    const plans = await f.store.listPlans('run-1');
    const providerPlan = one(byAction(plans, 'create-oidc-provider'));
    const solo = one(byAction(plans, 'update-trust-policy', SOLO));
    const dependent = byAction(plans, 'update-trust-policy').filter((p) => p.plan.dependsOn.length > 0);
    expect(dependent).toHaveLength(2);
    expect([...(providerPlan.dependents ?? [])].sort()).toEqual(dependent.map((p) => p.planId).sort());
    // Started: the provider and solo (no dependency); the two trust plans wait for the provider's remediation.
    expect(f.remediations.started.map((e) => e.name).sort()).toEqual(
      [remediationExecutionName('run-1', providerPlan.planId), remediationExecutionName('run-1', solo.planId)].sort(),
    );
    expect(f.remediations.inputOf(remediationExecutionName('run-1', solo.planId))).toEqual({
      runId: 'run-1',
      planId: solo.planId,
      dryRun: false,
    });

    const summaries = await f.store.listAccountSummaries('run-1');
    const a = one(summaries.filter((s) => s.accountId === A));
    expect(a).toMatchObject({ collection: 'complete', plans: 5, started: 2, proposeOnly: 1, newFindings: a.findings });
    const proposeOnly = one(byAction(plans, 'update-trust-policy', UNTAGGED));
    expect(proposeOnly).toMatchObject({ status: 'proposed', plan: { applicable: false } });
    expect(proposeOnly.detail).toMatch(/^propose-only: /);
    expect(a.bySeverity.critical).toBe(1);
    expect(one(summaries.filter((s) => s.accountId === GONE)).collection).toBe('unreachable');

    // One digest, once, with the run's numbers; the run is done; one Run Completed event.
    expect(f.notifier.sent).toHaveLength(1);
    expect(f.notifier.sent[0]?.message).toContain('Unreachable accounts (1): 333333333333');
    expect(digest).toMatchObject({
      accounts: 3,
      analyzed: 3,
      plans: 5,
      plansWaiting: 4,
      proposeOnly: 1,
      started: 2,
      failed: [],
    });
    expect((await f.store.getRun('run-1'))?.status).toBe('done');
    expect(f.events.ofType('IRSA Doctor Run Completed')).toHaveLength(1);
    // The sweep's metrics, from the same numbers: accounts swept and unreachable, findings by severity.
    expect(f.telemetry.total('AccountsSwept')).toBe(3);
    expect(f.telemetry.total('AccountsUnreachable')).toBe(1);
    expect(f.telemetry.total('AccountsFailed')).toBe(0);
    expect(f.telemetry.total('Findings')).toBe(summaries.reduce((n, s) => n + s.findings, 0));
    expect(f.telemetry.total('Findings', { Severity: 'high' })).toBe(
      summaries.reduce((n, s) => n + s.bySeverity.high, 0),
    );
    // And the digest as a chat card, with the unreachable account among its facts.
    expect(f.notifier.sent[0]?.chat?.facts).toContainEqual(['Unreachable accounts', GONE]);
    const findingEvents = f.events.ofType('IRSA Doctor Finding');
    expect(findingEvents.length).toBe(summaries.reduce((n, s) => n + s.findings, 0));
    // New and resolved are against each account's previous run: the same estate again gives none of either.
    await sweep(f, 'run-2');
    const again = one((await f.store.listAccountSummaries('run-2')).filter((s) => s.accountId === A));
    expect(again).toMatchObject({ newFindings: 0, resolvedFindings: 0 });
  });

  it('reports an account whose analysis failed as failed, from its missing summary', async () => {
    const f = fakes();
    const { digest } = await sweep(f, 'run-1', { skipAnalysis: [B] });
    expect(digest.failed).toEqual([B]);
    expect(f.telemetry.total('AccountsFailed')).toBe(1);
    expect(f.notifier.sent[0]?.message).toContain(
      `Accounts whose analysis failed (1; see the execution history): ${B}`,
    );
  });

  it('does not propose a rejected plan again while the rejection is remembered; a changed plan is proposed', async () => {
    const f = fakes();
    await sweep(f, 'run-1');
    const solo = one(byAction(await f.store.listPlans('run-1'), 'update-trust-policy', SOLO));
    await reject(f, 'run-1', solo.planId);
    const remembered = await f.store.getRejection(solo.planId);
    expect(remembered).toMatchObject({ rejectedBy: 'bob', comment: 'not this quarter', accountId: A });
    expect(Date.parse(remembered?.expiresAt ?? '')).toBe(f.clock.now().getTime() + 30 * 86_400_000);

    await sweep(f, 'run-2');
    const again = one(byAction(await f.store.listPlans('run-2'), 'update-trust-policy', SOLO));
    expect(again.planId).toBe(solo.planId);
    expect(again.status).toBe('skipped');
    expect(again.detail).toContain('rejected by bob in run run-1');
    expect(f.remediations.calls.map((c) => c.name)).not.toContain(remediationExecutionName('run-2', solo.planId));
    const summary = one((await f.store.listAccountSummaries('run-2')).filter((s) => s.accountId === A));
    expect(summary.rememberedRejections).toBe(1);
    expect(f.notifier.sent[1]?.message).toContain('1 rejected before (remembered)');

    // The role changed (it trusts another service account now): another plan, proposed and started.
    const changed = fakes([accountA(sa('team', 'solo-2 ')), accountB]);
    await changed.store.putRejection(remembered as NonNullable<typeof remembered>);
    await sweep(changed, 'run-3');
    const fresh = one(byAction(await changed.store.listPlans('run-3'), 'update-trust-policy', SOLO));
    expect(fresh.planId).not.toBe(solo.planId);
    expect(fresh.status).toBe('proposed');
    expect(changed.remediations.started.map((e) => e.name)).toContain(remediationExecutionName('run-3', fresh.planId));

    // Once the rejection expires, the same plan is proposed again.
    f.clock.advance(31 * 86_400_000);
    await sweep(f, 'run-4');
    const back = one(byAction(await f.store.listPlans('run-4'), 'update-trust-policy', SOLO));
    expect(back.planId).toBe(solo.planId);
    expect(back.status).toBe('proposed');
  });

  it('does not propose again a plan still open in an earlier run, nor the plans that depend on it', async () => {
    const f = fakes();
    await sweep(f, 'run-1');
    const first = await f.store.listPlans('run-1');
    const providerPlan = one(byAction(first, 'create-oidc-provider'));
    await f.store.updatePlan('run-1', providerPlan.planId, { status: 'awaiting-approval' });
    const solo = one(byAction(first, 'update-trust-policy', SOLO));
    await f.store.updatePlan('run-1', solo.planId, { status: 'verified' });

    await sweep(f, 'run-2');
    const second = await f.store.listPlans('run-2');
    const held = one(byAction(second, 'create-oidc-provider'));
    expect(held).toMatchObject({ status: 'skipped' });
    expect(held.detail).toContain('still awaiting-approval in run run-1');
    // The trust plans that wait for it are still open in run-1 too (never started): not proposed again either.
    for (const p of byAction(second, 'update-trust-policy').filter((r) => r.plan.dependsOn.length > 0)) {
      expect(p.status).toBe('skipped');
      expect(p.detail).toContain('in run run-1');
    }
    // Solo's plan was verified in run-1 (not open): proposed again in run-2 since the estate is unchanged; a
    // propose-only plan waits for nobody and is shown again every run.
    expect(one(byAction(second, 'update-trust-policy', SOLO)).status).toBe('proposed');
    expect(one(byAction(second, 'update-trust-policy', UNTAGGED)).status).toBe('proposed');
    const started = f.remediations.started.map((e) => e.name);
    expect(started).not.toContain(remediationExecutionName('run-2', held.planId));
    const summary = one((await f.store.listAccountSummaries('run-2')).filter((s) => s.accountId === A));
    expect(summary).toMatchObject({ waitingElsewhere: 3, plans: 2, proposeOnly: 1, started: 1 });
  });

  it('skips the plans that depend on a rejected plan, in its run and while its rejection is remembered', async () => {
    const f = fakes();
    await sweep(f, 'run-1');
    const providerPlan = one(byAction(await f.store.listPlans('run-1'), 'create-oidc-provider'));
    await reject(f, 'run-1', providerPlan.planId);
    const released = await releaseDependents(f.deps, { runId: 'run-1', planId: providerPlan.planId });
    expect(released.started).toEqual([]);
    expect([...released.skipped].sort()).toEqual([...(providerPlan.dependents ?? [])].sort());

    await sweep(f, 'run-2');
    const second = await f.store.listPlans('run-2');
    expect(one(byAction(second, 'create-oidc-provider')).detail).toContain('rejected by bob');
    const dependents = byAction(second, 'update-trust-policy').filter((p) => p.plan.dependsOn.length > 0);
    expect(dependents).toHaveLength(2);
    for (const p of dependents) {
      expect(p).toMatchObject({
        status: 'skipped',
        detail: `depends on plan ${providerPlan.planId}, which is not proposed in this run`,
      });
    }
    const names = f.remediations.started.map((e) => e.name);
    for (const p of dependents) expect(names).not.toContain(remediationExecutionName('run-2', p.planId));
  });

  it('records suppressed findings as suppressed and does not plan them, until the suppression expires', async () => {
    const f = fakes();
    const suppression: Suppression = {
      id: 'solo-later',
      ruleId: 'IRSA-015',
      resource: SOLO,
      reason: 'team migrating to Pod Identity',
      createdBy: 'alice',
      createdAt: f.clock.iso(),
      expiresAt: new Date(f.clock.now().getTime() + 10 * 86_400_000).toISOString(),
    };
    await f.store.putSuppression(suppression);
    await sweep(f, 'run-1');
    const latest = await f.store.latestAccountFindings(A);
    const covered = (latest?.findings ?? []).filter((x) => x.suppressed);
    expect(covered.map((x) => [x.ruleId, x.resourceArn, x.suppressed?.by])).toEqual([['IRSA-015', SOLO, 'solo-later']]);
    expect(byAction(await f.store.listPlans('run-1'), 'update-trust-policy', SOLO)).toHaveLength(0);
    const summary = one((await f.store.listAccountSummaries('run-1')).filter((s) => s.accountId === A));
    expect(summary.suppressed).toBe(1);
    expect(
      f.events
        .ofType('IRSA Doctor Finding')
        .some((e) => (e as { finding: { id: string } }).finding.id === covered[0]?.id),
    ).toBe(false);

    f.clock.advance(11 * 86_400_000);
    await sweep(f, 'run-2');
    expect(byAction(await f.store.listPlans('run-2'), 'update-trust-policy', SOLO)).toHaveLength(1);
    expect(one((await f.store.listAccountSummaries('run-2')).filter((s) => s.accountId === A)).suppressed).toBe(0);
  });

  it('a retried analysis keeps the plans whose remediation moved on, and starts nothing twice', async () => {
    const f = fakes();
    await sweep(f, 'run-1');
    const solo = one(byAction(await f.store.listPlans('run-1'), 'update-trust-policy', SOLO));
    await f.store.updatePlan('run-1', solo.planId, { status: 'awaiting-approval' });
    const before = f.remediations.started.length;
    await analyzeAccount(f.deps, { runId: 'run-1', dryRun: false, target: { accountId: A } });
    expect((await f.store.getPlan('run-1', solo.planId))?.status).toBe('awaiting-approval');
    expect(f.remediations.started).toHaveLength(before);
    expect(f.remediations.calls.filter((c) => !c.started)).toHaveLength(2);
    // The retried summary still counts the remediations running for the account.
    expect(one((await f.store.listAccountSummaries('run-1')).filter((s) => s.accountId === A)).started).toBe(2);
  });

  it('a dry run starts its remediations as dry runs', async () => {
    const f = fakes();
    await sweep(f, 'dry-1', { dryRun: true });
    expect(f.remediations.started.length).toBeGreaterThan(0);
    for (const e of f.remediations.started) expect(e.input).toMatchObject({ runId: 'dry-1', dryRun: true });
    expect(f.notifier.sent[0]?.message).toContain('(dry run: nothing will be written)');
  });
});

describe('the sweep in the hub partition', () => {
  // An account with one healthy China cluster, its provider and a role trusting it
  const china = cluster({
    name: 'prod',
    region: 'cn-north-1',
    accountId: A,
    partition: 'aws-cn',
    dnsSuffix: 'amazonaws.com.cn',
  });
  const healthy = account(A, {
    clusters: [china.snapshot],
    oidcProviders: [provider(china)],
    roles: [role(A, 'app', policy(irsaStatement(china, sa('apps', 'app'))), { partition: 'aws-cn', tags })],
  });
  const sweepIn = async (partition: 'aws' | 'aws-cn', runId: string) => {
    const f = fakeDeps({ estate: { accounts: [healthy] }, env: { regions: [], partition } });
    const { context } = await sweep(f, runId);
    const findings = (await f.store.listFindings(runId)).filter((x) => x.accountId === A);
    return { context, index: await f.snapshots.getIndex(runId), rules: [...new Set(findings.map((x) => x.ruleId))] };
  };

  it('indexes and analyzes a China estate as aws-cn when the hub is there: the healthy cluster has no finding', async () => {
    const { context, index, rules } = await sweepIn('aws-cn', 'cn-1');

    expect(context.regions).toEqual(['cn-north-1', 'cn-northwest-1']);
    expect(index?.partition).toBe('aws-cn');
    expect(rules).toEqual([]);
  });

  it('would report its role as trusting a foreign provider if the hub were in aws (what the partition fixes)', async () => {
    const { context, index, rules } = await sweepIn('aws', 'aws-1');

    expect(context.regions).toHaveLength(17);
    expect(index?.partition).toBe('aws');
    expect(rules).toContain('IRSA-044');
  });
});
