/**
 * The remediation steps at organization scale, over in-memory fakes: execution names, the approval event (no
 * per-plan e-mail), verify on the plan's account and the issuer index, and the release of dependents (started
 * only after all their dependencies are done, skipped with why when one ended without its change, once each).
 */
import { issuerEntry } from '../../../lambdas/domain/estate-shard';
import { planEstate } from '../../../lambdas/domain/plan/plan-estate';
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import { OPT_IN_TAG, OPT_IN_VALUE } from '../../../lambdas/domain/remediation-scope';
import type { PlanRecord, PlanStatus } from '../../../lambdas/ports/state-store';
import {
  releaseDependents,
  remediationExecutionName,
  requestApproval,
  verifyPlan,
} from '../../../lambdas/workflow/plan-steps';
import { account, cluster, estate, irsaStatement, policy, provider, role, sa } from '../../support/estate-builder';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';
import { givenPlan, givenRun, trustPlan } from '../../support/fakes/given';

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

describe('remediationExecutionName', () => {
  it('is deterministic, at most 80 characters of [A-Za-z0-9-_], and tells runs and plans apart', () => {
    const runs = ['run-1', 'x'.repeat(80), 'sweep 2026/11/30 #1 (manual)', 'ünïcode-run', '8f14e45f-ceea-467a-9575'];
    const plans = ['f66875930f203e33', 'e617aee7ea8c1b13', 'p'.repeat(256)];
    const names = new Set<string>();
    for (const run of runs) {
      for (const plan of plans) {
        const name = remediationExecutionName(run, plan);
        expect(name).toMatch(NAME);
        expect(remediationExecutionName(run, plan)).toBe(name);
        names.add(name);
      }
    }
    expect(names.size).toBe(runs.length * plans.length);
    // Runs whose readable parts agree once cleaned or cut stay apart.
    expect(remediationExecutionName('a b', 'p')).not.toBe(remediationExecutionName('a-b', 'p'));
    expect(remediationExecutionName(`${'r'.repeat(40)}1`, 'p')).not.toBe(
      remediationExecutionName(`${'r'.repeat(40)}2`, 'p'),
    );
  });
});

/** Plan records of one run with their dependencies (`dependents` as analyze-account names them). */
async function givenGraph(
  f: Fakes,
  runId: string,
  graph: Record<string, { dependsOn?: string[]; status?: PlanStatus }>,
) {
  const records: PlanRecord[] = Object.entries(graph).map(([id, spec]) => ({
    runId,
    planId: id,
    plan: trustPlan(id, { dependsOn: spec.dependsOn ?? [] }),
    contentHash: 'h',
    status: spec.status ?? 'proposed',
    wave: 0,
    updatedAt: f.clock.iso(),
    dependents: Object.entries(graph)
      .filter(([, other]) => (other.dependsOn ?? []).includes(id))
      .map(([other]) => other),
  }));
  await f.store.putPlans(records);
}

describe('releaseDependents', () => {
  it('starts a dependent only once all its dependencies are done, and once', async () => {
    const f = fakeDeps();
    await givenRun(f, 'r1');
    await givenGraph(f, 'r1', {
      p: { status: 'verified' },
      q: { status: 'awaiting-approval' },
      d1: { dependsOn: ['p'] },
      d2: { dependsOn: ['p', 'q'] },
    });
    expect(await releaseDependents(f.deps, { runId: 'r1', planId: 'p' })).toEqual({ started: ['d1'], skipped: [] });
    expect(f.remediations.started.map((e) => e.name)).toEqual([remediationExecutionName('r1', 'd1')]);
    expect(f.remediations.inputOf(remediationExecutionName('r1', 'd1'))).toEqual({
      runId: 'r1',
      planId: 'd1',
      dryRun: false,
    });
    // q ends with its change: d2 goes; d1 (still `proposed` while its execution starts) is not started twice.
    await f.store.updatePlan('r1', 'q', { status: 'applied' });
    expect(await releaseDependents(f.deps, { runId: 'r1', planId: 'q' })).toEqual({ started: ['d2'], skipped: [] });
    // p and q ending together: both releases try d2; the execution name makes the second a no-op.
    expect(await releaseDependents(f.deps, { runId: 'r1', planId: 'p' })).toEqual({ started: [], skipped: [] });
    expect(f.remediations.started.map((e) => e.name).sort()).toEqual(
      [remediationExecutionName('r1', 'd1'), remediationExecutionName('r1', 'd2')].sort(),
    );
    expect(f.remediations.calls.filter((c) => !c.started).length).toBeGreaterThan(0);
  });

  it('skips the dependents of a rejected plan, with why, and theirs in turn', async () => {
    const f = fakeDeps();
    await givenRun(f, 'r1');
    await givenGraph(f, 'r1', {
      p: { status: 'rejected' },
      d: { dependsOn: ['p'] },
      e: { dependsOn: ['d'] },
      free: {},
    });
    expect(await releaseDependents(f.deps, { runId: 'r1', planId: 'p' })).toEqual({ started: [], skipped: ['d', 'e'] });
    expect(await f.store.getPlan('r1', 'd')).toMatchObject({
      status: 'skipped',
      detail: 'depends on plan p, which ended rejected without its change',
    });
    expect(await f.store.getPlan('r1', 'e')).toMatchObject({
      status: 'skipped',
      detail: 'depends on plan d, which ended skipped without its change',
    });
    expect((await f.store.getPlan('r1', 'free'))?.status).toBe('proposed');
    expect(f.remediations.started).toEqual([]);
  });

  it('counts a dry-run outcome as done in a dry run', async () => {
    const f = fakeDeps();
    await givenRun(f, 'dry', true);
    await givenGraph(f, 'dry', { p: { status: 'dry-run' }, d: { dependsOn: ['p'] } });
    expect(await releaseDependents(f.deps, { runId: 'dry', planId: 'p' })).toEqual({ started: ['d'], skipped: [] });
    expect(f.remediations.inputOf(remediationExecutionName('dry', 'd'))).toEqual({
      runId: 'dry',
      planId: 'd',
      dryRun: true,
    });
  });
});

describe('requestApproval', () => {
  it('keeps the token server-side and publishes an Approval Requested event, no e-mail', async () => {
    const f = fakeDeps({ env: { consoleUrl: 'https://console.example/' } });
    await givenRun(f, 'r1');
    const plan = trustPlan('plan-1');
    const record = await givenPlan(f, 'r1', plan);
    await requestApproval(f.deps, { runId: 'r1', planId: plan.id, taskToken: 'secret-token' });
    expect((await f.store.getApproval('r1', plan.id))?.taskToken).toBe('secret-token');
    expect(f.notifier.sent).toEqual([]);
    const [event] = f.events.ofType('IRSA Doctor Approval Requested');
    expect(event).toMatchObject({
      runId: 'r1',
      planId: plan.id,
      accountId: plan.accountId,
      action: 'update-trust-policy',
      contentHash: record.contentHash,
      review: 'https://console.example/#/plans/r1/plan-1',
    });
    expect(JSON.stringify(f.events.events)).not.toContain('secret-token');
  });
});

describe('verifyPlan', () => {
  it('re-reads the plan’s account against the issuer index, without reading every account', async () => {
    const A = '111111111111';
    const web = cluster({ name: 'web', region: 'eu-west-1', accountId: A });
    const a = account(A, {
      clusters: [web.snapshot],
      oidcProviders: [provider(web)],
      roles: [
        { ...role(A, 'solo', policy(irsaStatement(web, sa('team', 'solo ')))), tags: { [OPT_IN_TAG]: OPT_IN_VALUE } },
      ],
    });
    const other = account('222222222222');
    const f = fakeDeps();
    await givenRun(f, 'r1');
    await f.snapshots.putAccount('r1', a);
    await f.snapshots.putAccount('r1', other);
    await f.snapshots.putIndex('r1', { accounts: [issuerEntry(a), issuerEntry(other)] });
    const plan = planEstate(estate([a])).plans.find((p) => p.action === 'update-trust-policy') as Plan & {
      after: Record<string, unknown>;
    };
    await givenPlan(f, 'r1', plan);
    f.snapshots.getAccounts = () => Promise.reject(new Error('verify must not read every account'));

    // Not written yet: the finding is still there.
    f.fixes.set(plan.resourceArn, JSON.parse(decodeURIComponent(a.roles[0]?.trustPolicy as string)));
    expect(await verifyPlan(f.deps, { runId: 'r1', planId: plan.id })).toEqual({
      verified: false,
      remaining: plan.findingIds,
    });
    // Written: verified.
    f.fixes.set(plan.resourceArn, plan.after);
    expect(await verifyPlan(f.deps, { runId: 'r1', planId: plan.id })).toEqual({ verified: true, remaining: [] });
    expect((await f.store.getPlan('r1', plan.id))?.status).toBe('verified');
  });
});
