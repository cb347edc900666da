/**
 * DynamoStateStore on the emulator against the console-view contract (test/support/contracts/console-views-contract.ts):
 * the latest-findings listing, the propose-only plans and the run's account summaries, each store on fresh tables.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { consoleViewsContract } from '../../support/contracts/console-views-contract';
import { freshStateStore } from '../../support/fresh-state-store';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

const clients: DynamoDBClient[] = [];

afterAll(() => {
  for (const c of clients) c.destroy();
});

describe('DynamoStateStore: console views', () => {
  consoleViewsContract(async () => {
    useEmulatorCredentials();
    const fresh = await freshStateStore(endpointUrl());
    clients.push(fresh.client);
    return fresh.store;
  });
});
