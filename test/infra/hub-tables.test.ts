/**
 * The hub stack's tables are the declared ones (lambdas/adapters/dynamo-tables.ts), which the local hub creates in
 * the emulator: keys, attribute types, indexes and their projections, TTL and stream, compared whole.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { HubStack } from '../../infra/stacks/hub-stack';
import { createTableInput } from '../../lambdas/adapters/dynamo-table-setup';
import { AUDIT_TABLE, STATE_TABLE, type TableDeclaration } from '../../lambdas/adapters/dynamo-tables';
import { HUB_ENV, testApp } from './helpers';

type Json = Record<string, unknown>;

const template = Template.fromStack(
  new HubStack(testApp(), 'Hub', { env: HUB_ENV, config: resolveConfig({ accounts: ['111111111111'] }) }),
);
const tables = template.findResources('AWS::DynamoDB::Table') as Record<string, { Properties: Json }>;
const tableNamed = (prefix: string) => {
  const found = Object.entries(tables).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one table ${prefix}, found ${found.length}`);
  return (found[0] as [string, { Properties: Json }])[1].Properties;
};

const byName = (a: { IndexName?: string }, b: { IndexName?: string }) =>
  String(a.IndexName).localeCompare(String(b.IndexName));
const byAttribute = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
  String(a.AttributeName).localeCompare(String(b.AttributeName));

/** What a CreateTable input and a synthesized AWS::DynamoDB::Table both say, in one shape. */
function shapeOfDeclaration(table: TableDeclaration) {
  const input = createTableInput(table, 'x');
  return {
    KeySchema: input.KeySchema,
    AttributeDefinitions: [...(input.AttributeDefinitions ?? [])].sort(byAttribute),
    GlobalSecondaryIndexes: [...(input.GlobalSecondaryIndexes ?? [])].sort(byName),
    BillingMode: input.BillingMode,
    TimeToLive: table.ttlAttribute ? { AttributeName: table.ttlAttribute, Enabled: true } : undefined,
    Stream: input.StreamSpecification?.StreamViewType,
  };
}

function shapeOfSynthesized(p: Json) {
  return {
    KeySchema: p.KeySchema,
    AttributeDefinitions: [...((p.AttributeDefinitions as Json[]) ?? [])].sort(byAttribute),
    GlobalSecondaryIndexes: [...((p.GlobalSecondaryIndexes as Json[]) ?? [])].sort(byName),
    BillingMode: p.BillingMode,
    TimeToLive: p.TimeToLiveSpecification,
    Stream: (p.StreamSpecification as Json | undefined)?.StreamViewType,
  };
}

describe('the hub tables', () => {
  it('are exactly the declared state and audit tables, indexes included', () => {
    // Given the synthesized hub stack and the one declaration the local hub creates tables from
    // When each table is compared with its declaration
    // Then keys, attribute types, indexes (keys, projections), TTL and stream are the same
    expect(Object.keys(tables)).toHaveLength(2);
    expect(shapeOfSynthesized(tableNamed('StateTable'))).toEqual(shapeOfDeclaration(STATE_TABLE));
    expect(shapeOfSynthesized(tableNamed('AuditTable'))).toEqual(shapeOfDeclaration(AUDIT_TABLE));
  });

  it('declares only sparse indexes with a purpose, and the audit table without TTL', () => {
    for (const table of [STATE_TABLE, AUDIT_TABLE]) {
      for (const index of table.indexes) {
        expect(index.purpose.length).toBeGreaterThan(20);
        // No index is keyed on an attribute every item has but the sort key (a partition per record type).
        expect(['pk']).not.toContain(index.partitionKey);
      }
    }
    expect(AUDIT_TABLE.ttlAttribute).toBeUndefined();
    expect(new Set(STATE_TABLE.indexes.map((i) => i.name)).size).toBe(STATE_TABLE.indexes.length);
  });
});
