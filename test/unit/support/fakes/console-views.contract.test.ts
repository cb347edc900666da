/** The in-memory StateStore against the console-view contract (test/support/contracts/console-views-contract.ts). */
import { consoleViewsContract } from '../../../support/contracts/console-views-contract';
import { InMemoryStateStore } from '../../../support/fakes/state-store';

describe('InMemoryStateStore: console views', () => {
  consoleViewsContract(async () => new InMemoryStateStore());
});
