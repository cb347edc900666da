/**
 * The hub's storage: the state and audit tables, built from their one declaration
 * (lambdas/adapters/dynamo-tables.ts), which the local hub also creates in the emulator. Made directly in the hub
 * construct (ids StateTable and AuditTable; HubStack's hub construct is `Default`, left out of logical ids), not under
 * a construct of their own, so their logical ids, and so the retained tables and their data, stay what they were.
 *
 * CloudFormation adds at most one global secondary index to a table per stack update: a hub deployed before an index
 * was declared gets the new indexes one deployment at a time.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import {
  AUDIT_TABLE,
  type IndexDeclaration,
  STATE_TABLE,
  type TableDeclaration,
} from '../../lambdas/adapters/dynamo-tables';

export interface HubTables {
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
}

/** Creates the state table (TTL, stream) and the audit table (no TTL, deletion protection) in `scope`. */
export function createHubTables(scope: Construct, logicalIdOf: (table: dynamodb.Table) => string): HubTables {
  const stateTable = new dynamodb.Table(scope, 'StateTable', {
    ...tableProps(STATE_TABLE),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  addIndexes(stateTable, STATE_TABLE);
  // Every grant on the state table names its indexes too (CDK adds "<table>/index/*" once a table has one).
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(stateTable)}.Arn>/index/*]`,
    reason:
      `The state table's indexes (${STATE_TABLE.indexes.map((i) => i.name).join(', ')}); CDK grants on a table ` +
      'with indexes name "<table>/index/*", which is those only (read-only: indexes cannot be written).',
  });
  const auditTable = new dynamodb.Table(scope, 'AuditTable', {
    ...tableProps(AUDIT_TABLE),
    // No TTL: the record of every applied change is kept.
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  addIndexes(auditTable, AUDIT_TABLE);
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(auditTable)}.Arn>/index/*]`,
    reason:
      `The audit table's index (${AUDIT_TABLE.indexes.map((i) => i.name).join(', ')}); CDK read grants on a table ` +
      'with indexes name "<table>/index/*", which is that one only (read-only: indexes cannot be written).',
  });
  return { stateTable, auditTable };
}

function tableProps(table: TableDeclaration): dynamodb.TableProps {
  return {
    partitionKey: { name: table.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: table.sortKey, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    ...(table.ttlAttribute ? { timeToLiveAttribute: table.ttlAttribute } : {}),
    ...(table.stream ? { stream: dynamodb.StreamViewType[table.stream] } : {}),
  };
}

function addIndexes(target: dynamodb.Table, table: TableDeclaration): void {
  for (const index of table.indexes) target.addGlobalSecondaryIndex(indexProps(index));
}

function indexProps(index: IndexDeclaration): dynamodb.GlobalSecondaryIndexProps {
  const projection =
    typeof index.projection === 'string'
      ? { projectionType: dynamodb.ProjectionType[index.projection] }
      : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.include] };
  return {
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
    ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
    ...projection,
  };
}
