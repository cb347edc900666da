/**
 * DynamoStateStore on the emulator against the StateStore contract (test/support/contracts/state-store-contract.ts),
 * the same assertions the in-memory fake passes (test/unit/support/fakes/state-store.contract.test.ts): what the
 * unit tests of the workflow steps rely on holds for the real store. `scale` (the issue-15 methods) is turned on by
 * the state branch once DynamoStateStore implements them.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLocalHub, type LocalHub } from '../../../infra/local/local-hub';
import { LOCAL_REGION } from '../../../infra/local/synthesized-definition';
import { DynamoStateStore } from '../../../lambdas/adapters/dynamo-state-store';
import { stateStoreContract } from '../../support/contracts/state-store-contract';
import { endpointUrl, useEmulatorCredentials } from '../emulator-env';

let hub: LocalHub;
let client: DynamoDBClient;

beforeAll(async () => {
  useEmulatorCredentials();
  hub = await createLocalHub({
    endpoint: endpointUrl(),
    prefix: `sc${randomUUID().slice(0, 8)}`,
    accounts: [],
    regions: ['us-west-2'],
  });
  client = new DynamoDBClient({ endpoint: endpointUrl(), region: LOCAL_REGION });
});

afterAll(() => client?.destroy());

describe('DynamoStateStore', () => {
  stateStoreContract((clock) => new DynamoStateStore(client, hub.env.stateTable, hub.env.auditTable, clock.now), {
    scale: false,
  });
});
