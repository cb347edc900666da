/**
 * Creates the hub's tables from their declarations (dynamo-tables.ts) in the emulator: the local hub and the tests.
 * A file of its own, so that the declarations, which the hub construct builds its tables from, need no SDK client
 * at run time (the published `irsa-doctor/cdk` requires none).
 */
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE, createTableInput, STATE_TABLE } from './dynamo-tables';

/** Creates the state and audit tables (and the state table's TTL) from their declarations. */
export async function createHubTables(
  client: DynamoDBClient,
  names: { readonly stateTable: string; readonly auditTable: string },
): Promise<void> {
  for (const [table, name] of [
    [STATE_TABLE, names.stateTable],
    [AUDIT_TABLE, names.auditTable],
  ] as const) {
    await client.send(new CreateTableCommand(createTableInput(table, name)));
    if (table.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
  }
}
