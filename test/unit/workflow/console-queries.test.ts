import type { RunRecord } from '../../../lambdas/ports/state-store';
import { type AccountScope, DEFAULT_APPROVERS_GROUP } from '../../../lambdas/workflow/approver-actions';
import {
  executionConsoleUrl,
  MAX_SEARCH_CHARS,
  pageFindings,
  pageProposalViews,
  pageRunPlans,
  pageRunViews,
  parseFindingsQuery,
  parseProposalsQuery,
  proposalGuidance,
  runView,
  showRun,
} from '../../../lambdas/workflow/console-queries';
import { InMemoryStateStore } from '../../support/fakes/state-store';
import { EXECUTION_ARN, LATEST_RUN, PAYMENTS, SEARCH, seedViews } from '../../support/views-seed';

/** The scope the next calls get (undefined: the seam's own answer, every account). */
const mockScope: { current?: AccountScope } = {};
jest.mock('../../../lambdas/workflow/approver-actions', () => {
  const actual = jest.requireActual('../../../lambdas/workflow/approver-actions');
  return {
    ...actual,
    scopeOf: async (deps: never, caller: never) => {
      const all = await actual.scopeOf(deps, caller);
      return mockScope.current ?? all;
    },
  };
});

const alice = { id: 'alice', groups: [DEFAULT_APPROVERS_GROUP] };
const outsider = { id: 'eve', groups: ['readers'] };
const params = (query: string) => new URLSearchParams(query);

async function seeded() {
  const store = new InMemoryStateStore();
  await seedViews(store);
  return { store, now: () => new Date('2030-03-03T00:10:00.000Z'), approversGroup: DEFAULT_APPROVERS_GROUP };
}

describe('the findings query', () => {
  it('reads one severity as a minimum and several as exactly those, in any case', () => {
    expect(parseFindingsQuery(params('severity=HIGH')).severities).toEqual(['critical', 'high']);
    expect(parseFindingsQuery(params('severity=low,critical')).severities).toEqual(['critical', 'low']);
    expect(parseFindingsQuery(params('severity=low&severity=info')).severities).toEqual(['low', 'info']);
    expect(parseFindingsQuery(params('')).severities).toBeUndefined();
  });

  it('takes every filter, the search text in lower case', () => {
    expect(
      parseFindingsQuery(
        params(`rule=KUBE-003&account=${PAYMENTS}&cluster=prod&namespace=shop&q=%20Ledger%20&suppressed=show&limit=5`),
      ),
    ).toEqual({
      ruleId: 'KUBE-003',
      accountId: PAYMENTS,
      cluster: 'prod',
      namespace: 'shop',
      text: 'ledger',
      suppressed: 'show',
    });
  });

  it.each([
    ['colour=red', 'colour'],
    ['severity=urgent', 'severity'],
    ['severity=', 'severity'],
    ['rule=IRSA-1', 'rule'],
    ['account=1234', 'account'],
    ['cluster=-bad', 'cluster'],
    ['namespace=Upper', 'namespace'],
    ['q=', 'q'],
    [`q=${'x'.repeat(MAX_SEARCH_CHARS + 1)}`, 'q'],
    ['suppressed=yes', 'suppressed'],
    ['rule=IRSA-001&rule=IRSA-002', 'rule'],
  ])('refuses %s, naming %s', (query, parameter) => {
    expect(() => parseFindingsQuery(params(query))).toThrow(
      expect.objectContaining({ name: 'InvalidQueryError', parameter }),
    );
  });

  it('refuses on the proposals route what it does not take', () => {
    expect(parseProposalsQuery(params(`account=${SEARCH}&rule=KUBE-001`))).toEqual({
      accountId: SEARCH,
      ruleId: 'KUBE-001',
    });
    expect(() => parseProposalsQuery(params('severity=high'))).toThrow(
      expect.objectContaining({ name: 'InvalidQueryError', parameter: 'severity' }),
    );
  });
});

describe('the console queries', () => {
  it('lists findings with account names and their open plan', async () => {
    const deps = await seeded();
    const page = await pageFindings(deps, alice, { severities: ['critical'] });
    expect(page.findings).toEqual([
      expect.objectContaining({
        accountName: 'payments-prod',
        plan: { runId: LATEST_RUN, planId: 'plan-crit', status: 'awaiting-approval' },
      }),
    ]);
    // A propose-only plan is open too (proposed): the finding links to it.
    const high = await pageFindings(deps, alice, { severities: ['high'], accountId: PAYMENTS });
    expect(high.findings.map((f) => f.plan?.planId)).toEqual(['plan-iac']);
  });

  it('refuses a caller outside the approvers group', async () => {
    const deps = await seeded();
    await expect(pageFindings(deps, outsider, {})).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(pageRunViews(deps, outsider)).rejects.toMatchObject({ name: 'ForbiddenError' });
    await expect(pageProposalViews(deps, outsider, {})).rejects.toMatchObject({ name: 'ForbiddenError' });
  });

  it('shows runs newest first with counts, duration and the execution link; a run with its accounts', async () => {
    const deps = await seeded();
    const { runs } = await pageRunViews(deps, alice);
    expect(runs.map((r) => r.run.runId)).toEqual(['cluster-2030-03-03', LATEST_RUN, 'sweep-2030-03-01']);
    const latest = runs[1];
    expect(latest?.durationSeconds).toBe(450);
    expect(latest?.counts).toMatchObject({ proposeOnly: 2, partial: [SEARCH] });
    expect(latest?.executionUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${encodeURIComponent(EXECUTION_ARN)}`,
    );
    expect(runs[0]?.durationSeconds).toBeUndefined();
    const detail = await showRun(deps, alice, LATEST_RUN, { limit: 1 });
    expect(detail.accounts.map((a) => a.accountId)).toEqual([PAYMENTS]);
    expect(detail.cursor).toBeDefined();
    await expect(showRun(deps, alice, 'nope')).rejects.toMatchObject({ name: 'RunNotFoundError' });
  });

  it('lists propose-only plans with guidance to copy, and drops one its account’s next run did not propose', async () => {
    const deps = await seeded();
    const { proposals } = await pageProposalViews(deps, alice, { accountId: PAYMENTS });
    expect(proposals).toHaveLength(1);
    const [iac] = proposals;
    expect(iac).toMatchObject({ planId: 'plan-iac', accountName: 'payments-prod', owner: { tool: 'eksctl' } });
    expect(iac?.guidance).toContain('How to change it there: edit iam.serviceAccounts[ledger]');
    expect(iac?.guidance).toContain('+  "aud": "sts.amazonaws.com"');
    await deps.store.putAccountFindings('sweep-later', PAYMENTS, []);
    expect((await pageProposalViews(deps, alice, { accountId: PAYMENTS })).proposals).toEqual([]);
    expect((await pageProposalViews(deps, alice, {})).proposals.map((p) => p.planId)).toEqual(['plan-kube']);
  });
});

describe('a caller scoped to some accounts (the scopeOf seam)', () => {
  beforeEach(() => {
    mockScope.current = { all: false, accounts: new Set([SEARCH]) };
  });
  afterEach(() => {
    mockScope.current = undefined;
  });

  it('sees findings, runs, plans and proposals of those accounts only, and is refused another account', async () => {
    const deps = await seeded();
    const findings = await pageFindings(deps, alice, {});
    expect(new Set(findings.findings.map((f) => f.finding.accountId))).toEqual(new Set([SEARCH]));
    await expect(pageFindings(deps, alice, { accountId: PAYMENTS })).rejects.toMatchObject({ name: 'ForbiddenError' });
    const { runs } = await pageRunViews(deps, alice);
    // The cluster run touched the payments account only; the sweeps' org-wide counts are not shown.
    expect(runs.map((r) => [r.run.runId, r.counts])).toEqual([
      [LATEST_RUN, undefined],
      ['sweep-2030-03-01', undefined],
    ]);
    expect((await showRun(deps, alice, LATEST_RUN)).accounts.map((a) => a.accountId)).toEqual([SEARCH]);
    expect((await pageRunPlans(deps, alice, LATEST_RUN)).plans.map((p) => p.planId)).toEqual(['plan-kube']);
    await expect(showRun(deps, alice, 'cluster-2030-03-03')).rejects.toMatchObject({ name: 'RunNotFoundError' });
    expect((await pageProposalViews(deps, alice, {})).proposals.map((p) => p.planId)).toEqual(['plan-kube']);
  });
});

describe('the execution link', () => {
  it('uses the partition’s console host, and none for an id that is not an execution ARN', () => {
    expect(executionConsoleUrl('arn:aws-cn:states:cn-north-1:1:execution:m:e')).toMatch(
      /^https:\/\/cn-north-1\.console\.amazonaws\.cn\/states\/home\?region=cn-north-1#/,
    );
    expect(executionConsoleUrl('arn:aws-us-gov:states:us-gov-west-1:1:execution:m:e')).toMatch(
      /^https:\/\/us-gov-west-1\.console\.amazonaws-us-gov\.com\//,
    );
    expect(executionConsoleUrl('local-run-1')).toBeUndefined();
    expect(executionConsoleUrl('arn:aws:iam::1:role/x')).toBeUndefined();
  });

  it('leaves counts out for a scoped reader and has no duration while running', () => {
    const run = { runId: 'r', executionId: 'x', startedAt: '2030-01-01T00:00:00Z', summary: { findings: 3 } };
    expect(runView(run as unknown as RunRecord, false).counts).toBeUndefined();
    expect(runView(run as unknown as RunRecord).counts).toEqual({ findings: 3 });
  });

  it('writes guidance without an owner for a cluster-side change', () => {
    const text = proposalGuidance({
      runId: 'r',
      planId: 'p',
      contentHash: 'h',
      status: 'proposed',
      wave: 0,
      updatedAt: 'now',
      plan: {
        action: 'update-service-account',
        resourceArn: 'arn:aws:iam::1:role/a',
        proposeOnlyReason: 'a Kubernetes change',
        rationale: 'why',
        diff: 'kubectl annotate',
      },
    } as never);
    expect(text.split('\n')).toEqual([
      'update-service-account on arn:aws:iam::1:role/a',
      'Why a person makes this change: a Kubernetes change',
      'Rationale: why',
      '',
      'kubectl annotate',
    ]);
  });
});
