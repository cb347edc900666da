import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  paginateScan,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Finding } from '../domain/finding';
import { planChangeProblems } from '../domain/plan/plan-model';
import type {
  AccountRunSummary,
  ApprovalRecord,
  AuditIntent,
  AuditRecord,
  AuditReference,
  Page,
  PlanRecord,
  PlanStatus,
  RejectionRecord,
  RollbackRequest,
  RunRecord,
  StateStore,
  Suppression,
} from '../ports/state-store';
import { InvalidPayloadError } from '../shared/errors';

/** Runs, findings, plans and approvals age out after this long; audit records never do. */
export const STATE_TTL_DAYS = 90;
/**
 * Sparse index of decisions waiting for delivery: only approval items whose `pendingDelivery` attribute is set (from
 * the decision until the delivery ends) are in it, so the reconciler reads what is pending, not the whole table.
 */
export const PENDING_DELIVERY_INDEX = 'pending-delivery';
/**
 * Sparse index of rollback requests not finished: only request items whose `openRollback` attribute is set (while
 * `pending` or `running`) are in it, so the rollback reconciler reads those, not the whole table.
 */
export const OPEN_ROLLBACK_INDEX = 'open-rollback';
/** Rollback request statuses under which the request is in OPEN_ROLLBACK_INDEX. */
const OPEN_ROLLBACK_STATUSES: readonly string[] = ['pending', 'running'];

type Item = Record<string, AttributeValue>;
const notYet = (what: string): never => {
  throw new Error(`${what}: not implemented yet`);
};
/** Audit table items: a change's record (its completion), its intent, and the resource index. Every put is conditional. */
const CHANGE_SK = 'CHANGE';
const INTENT_SK = 'INTENT';
const RESOURCE_PREFIX = 'RESOURCE#';
const S = (value: string): AttributeValue => ({ S: value });
const json = (value: unknown): AttributeValue => ({ S: JSON.stringify(value) });
const parse = <T>(item: Item | undefined, attribute = 'data'): T | undefined => {
  const text = item?.[attribute]?.S;
  return text === undefined ? undefined : (JSON.parse(text) as T);
};

/**
 * The StateStore on two DynamoDB tables (hub stack): the state table (pk/sk, TTL attribute `ttl`) and the audit
 * table (pk/sk, no TTL; append-only: every put is conditional on attribute_not_exists, nothing is updated or
 * deleted). Records are JSON in a `data` attribute, with the fields that change kept beside it so an
 * update never rewrites the whole record.
 */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly stateTable: string,
    private readonly auditTable: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private ttl(days = STATE_TTL_DAYS): AttributeValue {
    return { N: String(Math.floor(this.now().getTime() / 1000) + days * 86400) };
  }

  async claimTrigger(key: string, runId: string, ttlSeconds: number) {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.stateTable,
          Item: {
            pk: S(`TRIGGER#${key}`),
            sk: S('TRIGGER'),
            runId: S(runId),
            ttl: { N: String(nowSeconds + ttlSeconds) },
          },
          // DynamoDB deletes expired items lazily: an expired claim counts as free.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return { claimed: true };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.client.send(
        new GetItemCommand({ TableName: this.stateTable, Key: { pk: S(`TRIGGER#${key}`), sk: S('TRIGGER') } }),
      );
      const heldBy = existing.Item?.runId?.S;
      return heldBy ? { claimed: false, heldBy } : { claimed: false };
    }
  }

  async putRun(run: RunRecord) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: { pk: S(`RUN#${run.runId}`), sk: S('RUN'), data: json(run), ttl: this.ttl() },
      }),
    );
  }

  async getRun(runId: string) {
    return parse<RunRecord>(await this.getItem(this.stateTable, S(`RUN#${runId}`), S('RUN')));
  }

  async updateRun(runId: string, patch: Partial<Pick<RunRecord, 'status' | 'summary'>>) {
    const run = await this.getRun(runId);
    if (!run) throw new Error(`run ${runId} not found`);
    await this.putRun({ ...run, ...patch });
  }

  async putFindings(runId: string, findings: readonly Finding[]) {
    const items = findings.map((f) => ({
      PutRequest: { Item: { pk: S(`RUN#${runId}`), sk: S(`FINDING#${f.id}`), data: json(f), ttl: this.ttl() } },
    }));
    await this.batchWrite(items);
  }

  async listFindings(runId: string) {
    return this.queryPrefix<Finding>(`RUN#${runId}`, 'FINDING#');
  }

  async putPlans(plans: readonly PlanRecord[]) {
    await this.batchWrite(
      plans.map((p) => ({
        PutRequest: {
          Item: {
            pk: S(`RUN#${p.runId}`),
            sk: S(`PLAN#${p.planId}`),
            data: json(p),
            status: S(p.status),
            updatedAt: S(p.updatedAt),
            ttl: this.ttl(),
          },
        },
      })),
    );
  }

  async getPlan(runId: string, planId: string) {
    const item = await this.getItem(this.stateTable, S(`RUN#${runId}`), S(`PLAN#${planId}`));
    return item ? planFromItem(item) : undefined;
  }

  async listPlans(runId: string) {
    const items: PlanRecord[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(`RUN#${runId}`), ':sk': S('PLAN#') },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) items.push(planFromItem(item));
    }
    return items;
  }

  async updatePlan(
    runId: string,
    planId: string,
    patch: Partial<Pick<PlanRecord, 'status' | 'detail' | 'error' | 'changeId'>>,
  ) {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Item = { ':updatedAt': S(this.now().toISOString()) };
    const sets = ['#updatedAt = :updatedAt'];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = typeof value === 'string' ? S(value) : json(value);
      sets.push(`#${key} = :${key}`);
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.stateTable,
        Key: { pk: S(`RUN#${runId}`), sk: S(`PLAN#${planId}`) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async putApproval(approval: ApprovalRecord) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`RUN#${approval.runId}`),
          sk: S(`APPROVAL#${approval.planId}`),
          kind: S('approval'),
          data: json(approval),
          ttl: this.ttl(),
        },
      }),
    );
  }

  async getApproval(runId: string, planId: string) {
    const item = await this.getItem(this.stateTable, S(`RUN#${runId}`), S(`APPROVAL#${planId}`));
    return item ? approvalFromItem(item) : undefined;
  }

  async listPendingApprovals() {
    const items = (await this.scanKind('approval', 'attribute_not_exists(decision)')).map(approvalFromItem);
    return items.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
  }

  // ---- approval delivery and rollback requests ----

  async decideApproval(
    runId: string,
    planId: string,
    decision: Required<Pick<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt' | 'decidedHash'>> & {
      comment?: string;
    },
  ) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          // delivery = pending with no attempts yet: the state table's stream starts the deliverer on exactly this.
          UpdateExpression:
            'SET decision = :d, decidedBy = :by, decidedAt = :at, #comment = :c, decidedHash = :h, ' +
            'delivery = :pending, deliveryAttempts = :zero, pendingDelivery = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: {
            ':d': S(decision.decision),
            ':by': S(decision.decidedBy),
            ':at': S(decision.decidedAt),
            ':c': S(decision.comment ?? ''),
            ':h': S(decision.decidedHash),
            ':pending': S('pending'),
            ':zero': { N: '0' },
          },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async completeDelivery(
    runId: string,
    planId: string,
    outcome: { status: 'delivered' | 'expired'; at: string; detail?: string },
  ) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          UpdateExpression: 'SET delivery = :s, deliveredAt = :at, deliveryDetail = :detail REMOVE pendingDelivery',
          ConditionExpression: 'delivery = :pending',
          ExpressionAttributeValues: {
            ':s': S(outcome.status),
            ':at': S(outcome.at),
            ':detail': S(outcome.detail ?? ''),
            ':pending': S('pending'),
          },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async noteDeliveryFailure(runId: string, planId: string, detail: string) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          UpdateExpression: 'SET deliveryDetail = :detail ADD deliveryAttempts :one',
          ConditionExpression: 'delivery = :pending',
          ExpressionAttributeValues: {
            ':detail': S(detail.slice(0, 1000)),
            ':one': { N: '1' },
            ':pending': S('pending'),
          },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async listUndelivered() {
    // The index is eventually consistent: a decision just recorded may be missing (the stream delivers it; the next
    // round finds it), one just delivered may still be listed (deliverDecision re-reads it consistently).
    const items: ApprovalRecord[] = [];
    for await (const page of paginateScan(
      { client: this.client },
      { TableName: this.stateTable, IndexName: PENDING_DELIVERY_INDEX },
    )) {
      for (const item of page.Items ?? []) items.push(approvalFromItem(item));
    }
    return items
      .filter((a) => a.delivery === 'pending')
      .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''));
  }

  async putRollbackRequest(request: RollbackRequest) {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.stateTable,
          Item: rollbackItem(request, this.ttl()),
          // A refused or failed request may be made again; a pending, running or finished one stands.
          ConditionExpression: 'attribute_not_exists(pk) OR #status IN (:refused, :failed)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':refused': S('refused'), ':failed': S('failed') },
        }),
      );
      return { created: true, request };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.getRollbackRequest(request.changeId);
      if (!current) throw err;
      return { created: false, request: current };
    }
  }

  async getRollbackRequest(changeId: string) {
    const item = await this.getItem(this.stateTable, S(`ROLLBACK#${changeId}`), S('REQUEST'));
    return item ? rollbackFromItem(item) : undefined;
  }

  async listRollbackRequests() {
    return (await this.scanKind('rollback-request')).map(rollbackFromItem);
  }

  async listOpenRollbackRequests() {
    // The index is eventually consistent: a request just finished may still be listed (runRollbackRequest re-reads
    // it consistently and leaves a finished one alone), one just recorded may be missing (the stream starts it).
    const items: RollbackRequest[] = [];
    for await (const page of paginateScan(
      { client: this.client },
      { TableName: this.stateTable, IndexName: OPEN_ROLLBACK_INDEX },
    )) {
      for (const item of page.Items ?? []) items.push(rollbackFromItem(item));
    }
    return items
      .filter((r) => OPEN_ROLLBACK_STATUSES.includes(r.status))
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  }

  async updateRollbackRequest(
    changeId: string,
    patch: Partial<Pick<RollbackRequest, 'status' | 'rollbackId' | 'error'>>,
    from?: readonly RollbackRequest['status'][],
  ) {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const values: Item = { ':updatedAt': S(this.now().toISOString()) };
    const sets = ['#updatedAt = :updatedAt'];
    let remove = '';
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      values[`:${key}`] = typeof value === 'string' ? S(value) : json(value);
      sets.push(`#${key} = :${key}`);
    }
    // In the open-rollback index while pending or running, out of it once finished.
    if (patch.status !== undefined) {
      names['#open'] = 'openRollback';
      if (OPEN_ROLLBACK_STATUSES.includes(patch.status)) sets.push('#open = :updatedAt');
      else remove = ' REMOVE #open';
    }
    let condition = 'attribute_exists(pk)';
    if (from && from.length > 0) {
      names['#current'] = 'status';
      condition += ` AND #current IN (${from.map((_, i) => `:from${i}`).join(', ')})`;
      from.forEach((status, i) => {
        values[`:from${i}`] = S(status);
      });
    }
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`ROLLBACK#${changeId}`), sk: S('REQUEST') },
          UpdateExpression: `SET ${sets.join(', ')}${remove}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async putAudit(record: AuditRecord) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.auditTable,
        Item: {
          pk: S(`CHANGE#${record.changeId}`),
          sk: S(CHANGE_SK),
          resourceArn: S(record.resourceArn),
          appliedAt: S(record.appliedAt),
          data: json(record),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getAudit(changeId: string) {
    return parse<AuditRecord>(await this.getItem(this.auditTable, S(`CHANGE#${changeId}`), S(CHANGE_SK)));
  }

  async listAudit() {
    const items: AuditRecord[] = [];
    for (const item of await this.scanAudit([CHANGE_SK])) {
      const record = parse<AuditRecord>(item);
      if (record) items.push(record);
    }
    return items.sort((a, b) => a.appliedAt.localeCompare(b.appliedAt));
  }

  async putAuditIntent(intent: AuditIntent) {
    let created = true;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.auditTable,
          Item: {
            pk: S(`CHANGE#${intent.changeId}`),
            sk: S(INTENT_SK),
            resourceArn: S(intent.resourceArn),
            intendedAt: S(intent.intendedAt),
            data: json(intent),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      created = false;
    }
    const stored = created ? intent : await this.getAuditIntent(intent.changeId);
    if (!stored) throw new Error(`audit intent ${intent.changeId} exists but cannot be read`);
    // The index entries of the stored intent (also when it existed: a crash may have come between the puts).
    const refs: Array<[string, AuditReference['relation']]> = [
      [stored.resourceArn, 'target'],
      ...(stored.names ?? []).map((arn): [string, AuditReference['relation']] => [arn, 'names']),
    ];
    for (const [arn, relation] of refs) {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.auditTable,
            Item: {
              pk: S(`${RESOURCE_PREFIX}${arn.toLowerCase()}`),
              sk: S(`${relation}#${stored.changeId}`),
              changeId: S(stored.changeId),
              relation: S(relation),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    return { created, intent: stored };
  }

  async getAuditIntent(changeId: string) {
    return parse<AuditIntent>(await this.getItem(this.auditTable, S(`CHANGE#${changeId}`), S(INTENT_SK)));
  }

  async listOpenAuditIntents() {
    const items = await this.scanAudit([INTENT_SK, CHANGE_SK]);
    const completed = new Set(items.filter((i) => i.sk?.S === CHANGE_SK).map((i) => i.pk?.S));
    const open: AuditIntent[] = [];
    for (const item of items) {
      if (item.sk?.S !== INTENT_SK || completed.has(item.pk?.S)) continue;
      const intent = parse<AuditIntent>(item);
      if (intent) open.push(intent);
    }
    return open.sort((a, b) => a.intendedAt.localeCompare(b.intendedAt));
  }

  async listAuditReferences(resourceArn: string) {
    const refs: AuditReference[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.auditTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': S(`${RESOURCE_PREFIX}${resourceArn.toLowerCase()}`) },
        ConsistentRead: true,
      },
    )) {
      for (const item of page.Items ?? []) {
        const changeId = item.changeId?.S;
        const relation = item.relation?.S;
        if (changeId && (relation === 'target' || relation === 'names')) refs.push({ changeId, relation });
      }
    }
    return refs;
  }

  /** The state table's items of one kind (a consistent scan), optionally filtered further. */
  // ---- issue 15: implemented by the state branch (helper "state"); these throw until then ----
  putAccountFindings(): Promise<void> {
    return notYet('putAccountFindings');
  }
  latestAccountFindings(): Promise<{ runId: string; findings: Finding[] } | undefined> {
    return notYet('latestAccountFindings');
  }
  putAccountSummary(): Promise<void> {
    return notYet('putAccountSummary');
  }
  listAccountSummaries(): Promise<AccountRunSummary[]> {
    return notYet('listAccountSummaries');
  }
  putRejection(): Promise<void> {
    return notYet('putRejection');
  }
  getRejection(): Promise<RejectionRecord | undefined> {
    return notYet('getRejection');
  }
  openPlanOf(): Promise<{ runId: string; status: PlanStatus } | undefined> {
    return notYet('openPlanOf');
  }
  putSuppression(): Promise<void> {
    return notYet('putSuppression');
  }
  deleteSuppression(): Promise<boolean> {
    return notYet('deleteSuppression');
  }
  listSuppressions(): Promise<Page<Suppression>> {
    return notYet('listSuppressions');
  }
  pagePendingApprovals(): Promise<Page<ApprovalRecord>> {
    return notYet('pagePendingApprovals');
  }
  pageAudit(): Promise<Page<AuditRecord>> {
    return notYet('pageAudit');
  }
  pageRuns(): Promise<Page<RunRecord>> {
    return notYet('pageRuns');
  }
  pageAccountFindings(): Promise<Page<Finding>> {
    return notYet('pageAccountFindings');
  }

  private async scanKind(kind: string, filter?: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of paginateScan(
      { client: this.client },
      {
        TableName: this.stateTable,
        FilterExpression: filter ? `kind = :kind AND ${filter}` : 'kind = :kind',
        ExpressionAttributeValues: { ':kind': S(kind) },
        ConsistentRead: true,
      },
    )) {
      items.push(...(page.Items ?? []));
    }
    return items;
  }

  /** One item, read consistently. */
  private async getItem(table: string, pk: AttributeValue, sk: AttributeValue): Promise<Item | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  /** The audit table's items of these sort keys (a scan: the table holds one item per approved write, and a few more). */
  private async scanAudit(sortKeys: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    const values: Item = Object.fromEntries(sortKeys.map((k, i) => [`:sk${i}`, S(k)]));
    for await (const page of paginateScan(
      { client: this.client },
      {
        TableName: this.auditTable,
        ConsistentRead: true,
        FilterExpression: `sk IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeValues: values,
      },
    )) {
      items.push(...(page.Items ?? []));
    }
    return items;
  }

  private async queryPrefix<T>(pk: string, prefix: string): Promise<T[]> {
    const items: T[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(pk), ':sk': S(prefix) },
      },
    )) {
      for (const item of page.Items ?? []) {
        const value = parse<T>(item);
        if (value !== undefined) items.push(value);
      }
    }
    return items;
  }

  /** BatchWriteItem in 25s, re-sending unprocessed items with backoff until all are written. */
  private async batchWrite(requests: Array<{ PutRequest: { Item: Item } }>) {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Array<{ PutRequest?: { Item: Item | undefined } }> = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
        if (attempt > 10)
          throw new Error(`DynamoDB left ${pending.length} items unprocessed after ${attempt} attempts`);
        const out = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.stateTable]: pending as never } }),
        );
        pending = (out.UnprocessedItems?.[this.stateTable] ?? []) as typeof pending;
      }
    }
  }
}

/** A stored plan, its change checked against its action's member of the Plan union. */
function planFromItem(item: Item): PlanRecord {
  const base = parse<PlanRecord>(item) as PlanRecord;
  const problems = planChangeProblems(base.plan);
  if (problems.length > 0) {
    throw new InvalidPayloadError(
      `stored plan ${base.runId}/${base.planId} does not fit its action: ${problems.join('; ')}`,
      problems,
    );
  }
  const error = item.error?.S ? (JSON.parse(item.error.S) as PlanRecord['error']) : undefined;
  return {
    ...base,
    status: (item.status?.S as PlanRecord['status']) ?? base.status,
    updatedAt: item.updatedAt?.S ?? base.updatedAt,
    ...(item.detail?.S ? { detail: item.detail.S } : {}),
    ...(error ? { error } : {}),
    ...(item.changeId?.S ? { changeId: item.changeId.S } : {}),
  };
}

function approvalFromItem(item: Item): ApprovalRecord {
  const base = parse<ApprovalRecord>(item) as ApprovalRecord;
  return {
    ...base,
    ...(item.decision?.S ? { decision: item.decision.S as 'approved' | 'rejected' } : {}),
    ...(item.decidedBy?.S ? { decidedBy: item.decidedBy.S } : {}),
    ...(item.decidedAt?.S ? { decidedAt: item.decidedAt.S } : {}),
    ...(item.comment?.S ? { comment: item.comment.S } : {}),
    ...(item.decidedHash?.S ? { decidedHash: item.decidedHash.S } : {}),
    ...(item.delivery?.S ? { delivery: item.delivery.S as ApprovalRecord['delivery'] } : {}),
    ...(item.deliveryAttempts?.N ? { deliveryAttempts: Number(item.deliveryAttempts.N) } : {}),
    ...(item.deliveredAt?.S ? { deliveredAt: item.deliveredAt.S } : {}),
    ...(item.deliveryDetail?.S ? { deliveryDetail: item.deliveryDetail.S } : {}),
  };
}

/** Rollback requests: kind and status beside the record, so the table's stream can start the rollback step. */
function rollbackItem(request: RollbackRequest, ttl: AttributeValue): Item {
  return {
    pk: S(`ROLLBACK#${request.changeId}`),
    sk: S('REQUEST'),
    kind: S('rollback-request'),
    status: S(request.status),
    updatedAt: S(request.updatedAt),
    ...(OPEN_ROLLBACK_STATUSES.includes(request.status) ? { openRollback: S(request.updatedAt) } : {}),
    data: json(request),
    ttl,
  };
}

function rollbackFromItem(item: Item): RollbackRequest {
  const base = parse<RollbackRequest>(item) as RollbackRequest;
  const error = item.error?.S ? (JSON.parse(item.error.S) as RollbackRequest['error']) : undefined;
  return {
    ...base,
    status: (item.status?.S as RollbackRequest['status']) ?? base.status,
    updatedAt: item.updatedAt?.S ?? base.updatedAt,
    ...(item.rollbackId?.S ? { rollbackId: item.rollbackId.S } : {}),
    ...(error ? { error } : {}),
  };
}
