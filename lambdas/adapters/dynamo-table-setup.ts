/**
 * Creates the hub's tables from their declarations (dynamo-tables.ts) in the emulator: the local hub and the tests.
 * A file of its own, so that the declarations, which the hub construct builds its tables from, name no SDK package,
 * at run time or in their types (the published `irsa-doctor/cdk` requires none).
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE, keyAttributes, STATE_TABLE, type TableDeclaration } from './dynamo-tables';

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

/** CreateTable's input for a declaration (on-demand billing), as the local hub makes the table in the emulator. */
export function createTableInput(table: TableDeclaration, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: keyAttributes(table).map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
    ...(table.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
            ],
            Projection:
              typeof index.projection === 'string'
                ? { ProjectionType: index.projection }
                : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.include] },
          })),
        }
      : {}),
  };
}
