/**
 * The in-memory StateStore against the port's contract (the same assertions run against DynamoStateStore in
 * test/integ/adapters/state-store.contract.integ.ts), and what only the fake is asked here: its paging bounds.
 */
import { contractApproval, stateStoreContract } from '../../../support/contracts/state-store-contract';
import { FakeClock } from '../../../support/fakes/clock';
import { InMemoryStateStore, MAX_PAGE_LIMIT } from '../../../support/fakes/state-store';

describe('InMemoryStateStore', () => {
  stateStoreContract((clock) => new InMemoryStateStore(clock.now), { scale: true });

  describe('pages', () => {
    it('fails when the limit is not a whole number from 1, or the cursor is not one it returned', async () => {
      const store = new InMemoryStateStore(new FakeClock().now);
      await expect(store.pageRuns({ limit: 0 })).rejects.toMatchObject({ name: 'InvalidPayloadError' });
      await expect(store.pageRuns({ limit: 1.5 })).rejects.toMatchObject({ name: 'InvalidPayloadError' });
      await expect(store.pageRuns({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ name: 'InvalidPayloadError' });
    });

    it('gives at most 500 items a page, and continues after the last one when items are added between pages', async () => {
      const clock = new FakeClock('2026-11-30T00:00:00.000Z');
      const store = new InMemoryStateStore(clock.now);
      for (let i = 0; i < 600; i++) {
        await store.putApproval(contractApproval('run', `p${String(i).padStart(3, '0')}`, clock.iso()));
        clock.advance(1000);
      }
      const first = await store.pagePendingApprovals({ limit: 10_000 });
      expect(first.items).toHaveLength(MAX_PAGE_LIMIT);
      // An older request arriving between the pages does not shift the next page.
      await store.putApproval(contractApproval('run', 'early', '2026-01-01T00:00:00.000Z'));
      const second = await store.pagePendingApprovals({ cursor: first.cursor as string });
      expect(second.items[0]?.planId).toBe('p500');
      expect(second.items).toHaveLength(50);
      expect(second.cursor).toBeDefined();
    });

    it('copies records in and out: changing what a caller holds changes nothing stored', async () => {
      const store = new InMemoryStateStore(new FakeClock().now);
      const approval = contractApproval('run', 'p', '2026-11-30T00:00:00.000Z');
      await store.putApproval(approval);
      (approval as { contentHash: string }).contentHash = 'changed';
      const read = await store.getApproval('run', 'p');
      (read as { taskToken: string }).taskToken = 'changed';
      expect(await store.getApproval('run', 'p')).toMatchObject({ contentHash: 'hash-p', taskToken: 'token-p' });
    });
  });
});
