/**
 * A DynamoDB state store on tables of its own in the emulator, created from the hub's one declaration
 * (lambdas/adapters/dynamo-tables.ts): listings by time span a whole table, so a test that counts them starts empty.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../../lambdas/adapters/dynamo-state-store';
import { createHubTables } from '../../lambdas/adapters/dynamo-tables';

export interface FreshStore {
  readonly store: DynamoStateStore;
  readonly client: DynamoDBClient;
  readonly stateTable: string;
  readonly auditTable: string;
}

export async function freshStateStore(
  endpoint: string,
  options: { now?: () => Date; client?: DynamoDBClient } = {},
): Promise<FreshStore> {
  const prefix = `s${randomUUID().slice(0, 8)}`;
  const client = options.client ?? new DynamoDBClient({ endpoint, region: 'us-east-1' });
  const names = { stateTable: `${prefix}-state`, auditTable: `${prefix}-audit` };
  await createHubTables(client, names);
  const store = new DynamoStateStore(client, names.stateTable, names.auditTable, options.now);
  return { store, client, ...names };
}
