/**
 * The analysis step's Security Hub import and finding-life events over in-memory fakes of the ports: a first sweep
 * imports every finding NEW, a second after a fix archives the fixed one (RESOLVED) and keeps the others' first
 * sighting without touching their workflow; an account not read completely resolves nothing; no import when off.
 */
import type { AsffFinding } from '../../../lambdas/domain/asff';
import { OPT_IN_TAG, OPT_IN_VALUE } from '../../../lambdas/domain/remediation-scope';
import type { AccountSnapshot } from '../../../lambdas/domain/snapshot';
import type { FindingsHub } from '../../../lambdas/ports/findings-hub';
import type { WorkflowEnv } from '../../../lambdas/shared/env';
import { analyzeAccount, buildIssuerIndex, collectAccountStep, startRun } from '../../../lambdas/workflow/run-steps';
import { account, cluster, estate, irsaStatement, policy, provider, role, sa } from '../../support/estate-builder';
import { type Fakes, fakeDeps } from '../../support/fakes/fake-deps';

const A = '111111111111';
const tags = { [OPT_IN_TAG]: OPT_IN_VALUE };
const web = cluster({ name: 'web', region: 'eu-west-1', accountId: A });
const SOLO = `arn:aws:iam::${A}:role/solo`;

/** Cluster web with its provider; role solo with a stray space in its subject unless fixed; role keep with another. */
function accountA(fixed = false): AccountSnapshot {
  return account(A, {
    clusters: [web.snapshot],
    oidcProviders: [provider(web)],
    roles: [
      { ...role(A, 'solo', policy(irsaStatement(web, sa('team', fixed ? 'solo' : 'solo ')))), tags },
      { ...role(A, 'keep', policy(irsaStatement(web, sa('team', 'keep ')))), tags },
    ],
  });
}

/** Records every import, as the hub's Security Hub would receive it. */
class RecordingHub implements FindingsHub {
  readonly imports: AsffFinding[][] = [];
  async importFindings(findings: readonly AsffFinding[]) {
    this.imports.push([...findings]);
    return { imported: findings.length };
  }
}

function fakes(env: Partial<WorkflowEnv> = {}): Fakes & { hub: RecordingHub } {
  const f = fakeDeps({
    estate: { accounts: estate([accountA()]).accounts },
    env: { regions: ['eu-west-1'], securityHubRegion: 'eu-west-1', consoleUrl: 'https://irsa.example.com', ...env },
  });
  const hub = new RecordingHub();
  return { ...f, hub, deps: { ...f.deps, findingsHub: hub } };
}

async function sweep(f: Fakes, runId: string) {
  const context = await startRun(f.deps, {
    input: { mode: 'sweep', accounts: [A] },
    executionId: `arn:exec:${runId}`,
    executionName: runId,
    startedAt: f.clock.iso(),
  });
  await collectAccountStep(f.deps, { runId, regions: context.regions, target: { accountId: A } });
  await buildIssuerIndex(f.deps, { runId });
  return analyzeAccount(f.deps, { runId, dryRun: true, target: { accountId: A } });
}

const about = (findings: readonly AsffFinding[], arn: string) => findings.filter((f) => f.Resources[0]?.Id === arn);

describe('analyze-account: Security Hub and finding life', () => {
  it('imports a first sweep NEW, with the plan link; the next sweep after a fix archives the fixed finding', async () => {
    const f = fakes();
    const first = await sweep(f, 'run-1');
    const firstImport = f.hub.imports.flat();
    expect(first.imported).toBe(firstImport.length);
    expect(firstImport.length).toBeGreaterThanOrEqual(2);
    expect(new Set(firstImport.map((x) => [x.RecordState, x.Workflow?.Status, x.AwsAccountId].join()))).toEqual(
      new Set(['ACTIVE,NEW,000000000000']),
    );
    const soloFirst = about(firstImport, SOLO);
    expect(soloFirst.length).toBeGreaterThan(0);
    expect(soloFirst[0]?.Remediation.Recommendation.Url).toMatch(/^https:\/\/irsa\.example\.com\/#\/plans\/run-1\//);
    expect(f.events.ofType('IRSA Doctor Finding New')).toHaveLength(firstImport.length);
    const firstSeen = f.clock.iso();

    // When solo is fixed and a later sweep runs
    f.estate.setAccount(accountA(true));
    f.clock.advanceSeconds(3600);
    f.hub.imports.length = 0;
    await sweep(f, 'run-2');

    // Then solo's findings are archived and RESOLVED; keep's are active, workflow untouched, first sighting kept
    const second = f.hub.imports.flat();
    for (const x of about(second, SOLO)) expect([x.RecordState, x.Workflow?.Status]).toEqual(['ARCHIVED', 'RESOLVED']);
    expect(
      about(second, SOLO)
        .map((x) => x.Id)
        .sort(),
    ).toEqual(soloFirst.map((x) => x.Id).sort());
    const kept = second.filter((x) => x.Resources[0]?.Id !== SOLO);
    expect(kept.length).toBeGreaterThan(0);
    for (const x of kept) {
      expect([x.RecordState, x.Workflow, x.CreatedAt, x.UpdatedAt]).toEqual([
        'ACTIVE',
        undefined,
        firstSeen,
        f.clock.iso(),
      ]);
    }
    expect(f.events.ofType('IRSA Doctor Finding Resolved')).toHaveLength(soloFirst.length);
    expect(f.events.ofType('IRSA Doctor Finding New')).toHaveLength(firstImport.length);
    // And the recorded findings carry their first sighting
    const recorded = (await f.store.latestAccountFindings(A))?.findings ?? [];
    expect(new Set(recorded.map((r) => r.firstSeenAt))).toEqual(new Set([firstSeen]));
  });

  it('resolves nothing for an account not read completely', async () => {
    const f = fakes();
    await sweep(f, 'run-1');
    f.estate.setAccount({
      ...accountA(true),
      collection: { status: 'partial', errors: [{ operation: 'ListRoles', code: 'Throttling', message: 'slow down' }] },
    });
    f.hub.imports.length = 0;
    await sweep(f, 'run-2');
    expect(f.hub.imports.flat().filter((x) => x.RecordState === 'ARCHIVED')).toEqual([]);
    expect(f.events.ofType('IRSA Doctor Finding Resolved')).toEqual([]);
  });

  it('imports nothing when the hub does not import (no SECURITY_HUB_REGION)', async () => {
    const f = fakes({ securityHubRegion: undefined });
    const out = await sweep(f, 'run-1');
    expect(f.hub.imports).toEqual([]);
    expect(out.imported).toBe(0);
  });
});
