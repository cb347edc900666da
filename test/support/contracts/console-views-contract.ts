/**
 * What the StateStore's console-view reads do (pageLatestFindings, pageProposals, pageAccountSummaries,
 * getAccountSummary, latestRunOf), as assertions run against the in-memory fake
 * (test/unit/support/fakes/console-views.contract.test.ts) and DynamoStateStore on the emulator
 * (test/integ/adapters/console-views.contract.integ.ts). Each store starts empty: the listings span the whole table.
 */
import type { Page, PageRequest, StateStore } from '../../../lambdas/ports/state-store';
import { FILLER, LATEST_RUN, PAYMENTS, SEARCH, seededFindings, seedViews } from '../views-seed';

/** A new, empty store. */
export type MakeEmptyStore = () => Promise<StateStore>;

async function allOf<T>(read: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await read({ limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    out.push(...page.items);
    cursor = page.cursor;
    if (!cursor) return out;
  }
  throw new Error('the listing never ended');
}

const LOWS = Array.from({ length: FILLER }, (_, i) => `f-low-${i + 1}`);

export function consoleViewsContract(make: MakeEmptyStore): void {
  let store: StateStore;
  const ids = async (query: Parameters<StateStore['pageLatestFindings']>[0], limit = 50) =>
    (await allOf((page) => store.pageLatestFindings(query, page), limit)).map((l) => l.finding.id);

  beforeAll(async () => {
    store = await make();
    await seedViews(store);
  });

  describe('the latest findings', () => {
    it('lists every account’s latest open findings, most severe first, then by account and rule, in pages', async () => {
      const all = await ids({});
      expect(all).toEqual(['f-crit', 'f-high', 'f-search-kube', 'f-kube', ...LOWS.slice().sort(), 'f-info']);
      expect(await ids({}, 3)).toEqual(all);
      // The older run's finding, gone from the latest, is not listed.
      expect(all).not.toContain('f-gone');
    });

    it('filters by a severity range, a set with gaps, and one severity with an account and a rule', async () => {
      expect(await ids({ severities: ['critical', 'high'] }, 2)).toEqual(['f-crit', 'f-high', 'f-search-kube']);
      expect(await ids({ severities: ['critical', 'low'] }, 4)).toEqual(['f-crit', ...LOWS.slice().sort()]);
      expect(await ids({ severities: ['high'], accountId: PAYMENTS, ruleId: 'IRSA-015' })).toEqual(['f-high']);
      expect(await ids({ severities: ['high'], accountId: SEARCH })).toEqual(['f-search-kube']);
    });

    it('filters by account, rule, cluster, namespace and text', async () => {
      expect(await ids({ accountId: PAYMENTS })).toEqual(['f-crit', 'f-high', 'f-kube']);
      expect(await ids({ ruleId: 'KUBE-001' })).toEqual(['f-search-kube']);
      expect(await ids({ cluster: 'prod' })).toEqual(['f-crit', 'f-kube']);
      expect(await ids({ cluster: 'search-eks', namespace: 'jobs' }, 4)).toEqual(LOWS.slice().sort());
      expect(await ids({ namespace: 'shop' })).toEqual(['f-kube']);
      expect(await ids({ text: 'ledger' })).toEqual(['f-high']);
      expect(await ids({ text: 'does not exist' })).toEqual(['f-search-kube']);
      expect(await ids({ text: 'nothing matches this' })).toEqual([]);
    });

    it('hides suppressed findings unless asked, and keeps to the reader’s accounts', async () => {
      expect(await ids({ suppressed: 'only' })).toEqual(['f-muted']);
      expect(await ids({ suppressed: 'show', severities: ['high'] })).toEqual(['f-high', 'f-muted', 'f-search-kube']);
      expect(await ids({ accounts: [SEARCH], severities: ['high'] })).toEqual(['f-search-kube']);
      expect(await ids({ accounts: [] })).toEqual([]);
    });

    it('carries the run that recorded each finding and the plan of that run that fixes it', async () => {
      const page = await store.pageLatestFindings({ severities: ['critical', 'high'] });
      expect(page.items.map((l) => [l.finding.id, l.runId, l.planId])).toEqual([
        ['f-crit', LATEST_RUN, 'plan-crit'],
        ['f-high', LATEST_RUN, 'plan-iac'],
        ['f-search-kube', LATEST_RUN, 'plan-kube'],
      ]);
    });
  });

  describe('runs and proposals', () => {
    it('reads a run’s account summaries by key and in pages, and an account’s latest run', async () => {
      const summaries = await allOf((page) => store.pageAccountSummaries(LATEST_RUN, page), 1);
      expect(summaries.map((s) => [s.accountId, s.name])).toEqual([
        [PAYMENTS, 'payments-prod'],
        [SEARCH, 'search-prod'],
      ]);
      expect((await store.getAccountSummary(LATEST_RUN, SEARCH))?.collection).toBe('partial');
      expect(await store.getAccountSummary('no-such-run', SEARCH)).toBeUndefined();
      expect(await store.latestRunOf(PAYMENTS)).toBe(LATEST_RUN);
      const plans = await allOf((page) => store.pageRunPlans(LATEST_RUN, page), 2);
      expect(plans.map((p) => [p.planId, p.status])).toEqual([
        ['plan-crit', 'awaiting-approval'],
        ['plan-iac', 'proposed'],
        ['plan-kube', 'proposed'],
      ]);
      expect(await store.latestRunOf('333333333333')).toBeUndefined();
    });

    it('lists the propose-only plans, filtered by account and rule, and not the applicable ones', async () => {
      const planIds = async (query: Parameters<StateStore['pageProposals']>[0]) =>
        (await allOf((page) => store.pageProposals(query, page), 1)).map((p) => p.planId).sort();
      expect(await planIds({})).toEqual(['plan-iac', 'plan-kube']);
      expect(await planIds({ accountId: PAYMENTS })).toEqual(['plan-iac']);
      expect(await planIds({ ruleId: 'KUBE-001' })).toEqual(['plan-kube']);
      expect(await planIds({ accounts: [SEARCH] })).toEqual(['plan-kube']);
      const [iac] = (await store.pageProposals({ accountId: PAYMENTS })).items;
      expect(iac?.plan.owner?.tool).toBe('eksctl');
    });
  });

  describe('the next run of an account', () => {
    it('replaces the account’s listed findings: the previous run’s others are gone', async () => {
      const own = await make();
      await seedViews(own);
      const kept = seededFindings(PAYMENTS).filter((f) => f.id === 'f-high');
      await own.putAccountFindings('sweep-next', PAYMENTS, kept);
      const listed = (await own.pageLatestFindings({ accountId: PAYMENTS, suppressed: 'show' })).items;
      expect(listed.map((l) => [l.finding.id, l.runId])).toEqual([['f-high', 'sweep-next']]);
      // The other account's findings stay as its latest run left them.
      expect((await own.pageLatestFindings({ accountId: SEARCH })).items).toHaveLength(FILLER + 2);
    });
  });
}
