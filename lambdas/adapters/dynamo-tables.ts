/**
 * The hub's two DynamoDB tables and their indexes, declared ONCE: the hub stack's storage section builds its tables
 * from these declarations (infra/constructs/hub-tables.ts), the local hub creates them in the emulator from the same ones
 * (dynamo-table-setup.ts, createTableInput), and an infra test asserts that the synthesized tables equal them. Every key attribute is a
 * string.
 *
 * Each index serves one read path by key (no Scan on a request path): see the `purpose` of each.
 */
/** What an index copies of each item: everything, the keys only, or the keys and these attributes. */
export type IndexProjection = 'ALL' | 'KEYS_ONLY' | { readonly include: readonly string[] };

export interface IndexDeclaration {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly projection: IndexProjection;
  /** Which read path it serves, and which items are in it (every index here is sparse). */
  readonly purpose: string;
}

export interface TableDeclaration {
  readonly partitionKey: 'pk';
  readonly sortKey: 'sk';
  /** The TTL attribute (epoch seconds), when items age out. */
  readonly ttlAttribute?: string;
  /** The stream (new images), when functions start on writes. */
  readonly stream?: 'NEW_IMAGE';
  readonly indexes: readonly IndexDeclaration[];
}

/** Decisions waiting for delivery (the deliverer's reconciler). */
export const PENDING_DELIVERY_INDEX = 'pending-delivery';
/** Rollback requests not finished (the rollback step's reconciler). */
export const OPEN_ROLLBACK_INDEX = 'open-rollback';
/** Approval requests with no decision yet, oldest first (the approval API's pending list). */
export const PENDING_APPROVAL_INDEX = 'pending-approval';
/** Plans still open (proposed or awaiting approval), by plan id (analysis: not proposed again while open). */
export const OPEN_PLAN_INDEX = 'open-plan';
/** Runs, suppressions, rejections, rollback requests by time: partition = the item's sort key (RUN, SUPPRESSION...). */
export const STATE_BY_TIME_INDEX = 'by-time';
/** Completed changes by time (the history): partition = the item's sort key (CHANGE), sort = appliedAt. */
export const CHANGES_BY_TIME_INDEX = 'changes-by-time';
/** Write-ahead intents by time (the audit reconciler): partition = the item's sort key (INTENT), sort = intendedAt. */
export const INTENTS_BY_TIME_INDEX = 'intents-by-time';

/** The partition value of the pending-approval index (one partition: requests are ordered by time across runs). */
export const AWAITING_DECISION = 'awaiting';

/**
 * The state table: runs, findings, plans, approvals, decisions, rollback requests, rejections, suppressions, account
 * summaries. Everything ages out by TTL. Its stream starts the deliverer and the rollback step.
 */
export const STATE_TABLE: TableDeclaration = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  stream: 'NEW_IMAGE',
  indexes: [
    {
      name: PENDING_DELIVERY_INDEX,
      partitionKey: 'pendingDelivery',
      projection: 'ALL',
      purpose: 'decisions recorded and not yet delivered (pendingDelivery set from the decision until delivery ends)',
    },
    {
      name: OPEN_ROLLBACK_INDEX,
      partitionKey: 'openRollback',
      projection: 'ALL',
      purpose: 'rollback requests pending or running (openRollback set while they are)',
    },
    {
      name: PENDING_APPROVAL_INDEX,
      partitionKey: 'awaitingDecision',
      sortKey: 'requestedAt',
      projection: 'ALL',
      purpose:
        'approval requests with no decision whose plan still awaits approval (awaitingDecision set when the request ' +
        'is made, removed by the decision or when the plan leaves awaiting-approval)',
    },
    {
      name: OPEN_PLAN_INDEX,
      partitionKey: 'openPlan',
      projection: { include: ['status', 'updatedAt'] },
      purpose: 'plans proposed or awaiting approval, by plan id (openPlan = the plan id while the plan is open)',
    },
    {
      name: STATE_BY_TIME_INDEX,
      partitionKey: 'sk',
      sortKey: 'listedAt',
      projection: 'ALL',
      purpose:
        'runs (sk RUN), suppressions (sk SUPPRESSION), rejections (sk REJECTION) and rollback requests (sk REQUEST) ' +
        'by time (listedAt set on those items only)',
    },
  ],
};

/**
 * The audit table: append-only (every put conditional, nothing updated or deleted), never expires. Its indexes read
 * the history newest first and the intents; they are keyed on attributes every record and intent has carried from
 * the start (sk, appliedAt, intendedAt), so items written before the indexes are in them too. Nothing reads it by
 * Scan.
 */
export const AUDIT_TABLE: TableDeclaration = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    {
      name: CHANGES_BY_TIME_INDEX,
      partitionKey: 'sk',
      sortKey: 'appliedAt',
      projection: 'ALL',
      purpose: 'completed changes (sk CHANGE) by appliedAt; intents and resource entries have no appliedAt',
    },
    {
      name: INTENTS_BY_TIME_INDEX,
      partitionKey: 'sk',
      sortKey: 'intendedAt',
      projection: 'ALL',
      purpose: 'write-ahead intents (sk INTENT) by intendedAt, for the reconciler; records have no intendedAt',
    },
  ],
};

/** Every key attribute of a table and its indexes (all strings), in a stable order. */
export function keyAttributes(table: TableDeclaration): string[] {
  const names: string[] = [table.partitionKey, table.sortKey];
  for (const index of table.indexes) {
    for (const key of [index.partitionKey, index.sortKey]) if (key && !names.includes(key)) names.push(key);
  }
  return names;
}

/**
 * The attributes a decision sets or removes on an approval item (decideApproval), with the item's key: the approval
 * API's role may update these only (hub stack, RecordDecisions).
 */
export const DECISION_ATTRIBUTES = [
  'pk',
  'sk',
  'decision',
  'decidedBy',
  'decidedAt',
  'comment',
  'decidedHash',
  'delivery',
  'deliveryAttempts',
  'pendingDelivery',
  'awaitingDecision',
  'approvals',
  'approvalCount',
] as const;
/** Key prefixes of the items the approval API may put and delete itself (besides decisions): the hub stack's grant. */
export const API_WRITTEN_KEY_PREFIXES = {
  rollbackRequest: 'ROLLBACK#',
  suppression: 'SUPPRESSION#',
  planOpening: 'OPENED#',
} as const;
