import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  paginateQuery,
  paginateScan,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Finding, stableId } from '../domain/finding';
import { planChangeProblems } from '../domain/plan/plan-model';
import type {
  AccountDirectoryEntry,
  AccountRunSummary,
  ApprovalEntry,
  ApprovalRecord,
  AuditIntent,
  AuditRecord,
  AuditReference,
  LatestFindingsQuery,
  ListedFinding,
  Page,
  PageRequest,
  PlanOpening,
  PlanRecord,
  PlanStatus,
  ProposalsQuery,
  RejectionRecord,
  RollbackRequest,
  RunRecord,
  StateStore,
  Suppression,
  TimeoutRecord,
} from '../ports/state-store';
import { InvalidPayloadError } from '../shared/errors';
import { decodeCursor, type Listing, queryPage } from './dynamo-paging';
import {
  API_WRITTEN_KEY_PREFIXES,
  AWAITING_DECISION,
  CHANGES_BY_TIME_INDEX,
  INTENTS_BY_TIME_INDEX,
  OPEN_PLAN_INDEX,
  OPEN_ROLLBACK_INDEX,
  PENDING_APPROVAL_INDEX,
  PENDING_DELIVERY_INDEX,
  STATE_BY_TIME_INDEX,
} from './dynamo-tables';
import {
  LATEST_FINDING_PREFIX,
  LATEST_FINDING_SK,
  latestFindingsQuery,
  listingAttributes,
  listingKey,
} from './finding-listing';

export { API_WRITTEN_KEY_PREFIXES, DECISION_ATTRIBUTES } from './dynamo-tables';

export { OPEN_ROLLBACK_INDEX, PENDING_DELIVERY_INDEX };

/** Runs, findings, plans and approvals age out after this long; audit records never do. */
export const STATE_TTL_DAYS = 90;
/** Plan statuses under which the plan is open: in OPEN_PLAN_INDEX, not proposed again by a later run. */
const OPEN_PLAN_STATUSES: readonly string[] = ['proposed', 'awaiting-approval'];
/** Rollback request statuses under which the request is in OPEN_ROLLBACK_INDEX. */
const OPEN_ROLLBACK_STATUSES: readonly string[] = ['pending', 'running'];

type Item = Record<string, AttributeValue>;
const SUPPRESSION_SK = 'SUPPRESSION';
const RUN_SK = 'RUN';
const ROLLBACK_SK = 'REQUEST';
const REJECTION_SK = 'REJECTION';
const TIMEOUT_SK = 'TIMEOUT';
/** Propose-only plans in the by-time index (pageProposals): one item per plan id, its latest recording. */
const PROPOSAL_SK = 'PROPOSAL';
/** Audit table items: a change's record (its completion), its intent, and the resource index. Every put is conditional. */
const CHANGE_SK = 'CHANGE';
const INTENT_SK = 'INTENT';
const RESOURCE_PREFIX = 'RESOURCE#';
/** The account directory's one item (pk and sk): each account's OU path, as the sweeps listed them. */
const ACCOUNT_DIRECTORY_PK = 'DIRECTORY#ACCOUNTS';
/** Sets the approvals so far (a JSON list) and their count, which the next approval's condition checks. */
const APPROVALS_SET = ', approvals = :approvals, approvalCount = :count';
const approvalCountIs = (n: number) => (n === 0 ? 'attribute_not_exists(approvalCount)' : 'approvalCount = :expected');
const approvalValues = (approvals: readonly ApprovalEntry[]): Record<string, AttributeValue> => ({
  ':approvals': { S: JSON.stringify(approvals) },
  ':count': { N: String(approvals.length) },
});
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
        // listedAt puts the run in the by-time index (pageRuns).
        Item: {
          pk: S(`RUN#${run.runId}`),
          sk: S(RUN_SK),
          listedAt: S(run.startedAt),
          data: json(run),
          ttl: this.ttl(),
        },
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
    await this.batchWrite(findings.map((f) => ({ PutRequest: { Item: this.findingItem(runId, f) } })));
  }

  /** The run's findings; with an account, that account's only (one Query of its key range). */
  async listFindings(runId: string, accountId?: string) {
    return this.queryPrefix<Finding>(`RUN#${runId}`, accountId === undefined ? 'FINDING#' : findingPrefix(accountId));
  }

  /** A finding of a run, keyed by account then id (listFindings of one account reads a key range). */
  private findingItem(runId: string, f: Finding): Item {
    return { pk: S(`RUN#${runId}`), sk: S(`${findingPrefix(f.accountId)}${f.id}`), data: json(f), ttl: this.ttl() };
  }

  async putPlans(plans: readonly PlanRecord[]) {
    // A propose-only plan is also listed by time (pageProposals): the plan id's latest recording replaces earlier ones.
    const proposals = plans
      .filter((p) => !p.plan.applicable)
      .map((p) => ({ PutRequest: { Item: this.proposalItem(p) } }));
    await this.batchWrite([
      ...proposals,
      ...plans.map((p) => ({
        PutRequest: {
          Item: {
            pk: S(`RUN#${p.runId}`),
            sk: S(`PLAN#${p.planId}`),
            data: json(p),
            status: S(p.status),
            updatedAt: S(p.updatedAt),
            // In the open-plan index while proposed or awaiting approval (openPlanOf).
            ...(OPEN_PLAN_STATUSES.includes(p.status) ? { openPlan: S(p.planId) } : {}),
            ttl: this.ttl(),
          },
        },
      })),
    ]);
    await this.linkFindings(plans);
  }

  /** Names each plan on the listing items of the findings it fixes (those of the same run: a later run's stay). */
  private async linkFindings(plans: readonly PlanRecord[]) {
    const links = plans.flatMap((p) => p.plan.findingIds.map((id) => ({ p, id })));
    for (let i = 0; i < links.length; i += 10) {
      await Promise.all(
        links.slice(i, i + 10).map(async ({ p, id }) => {
          try {
            await this.client.send(
              new UpdateItemCommand({
                TableName: this.stateTable,
                Key: { pk: S(listingKey(p.plan.accountId, id)), sk: S(LATEST_FINDING_SK) },
                UpdateExpression: 'SET planId = :plan',
                ConditionExpression: 'runId = :run',
                ExpressionAttributeValues: { ':plan': S(p.planId), ':run': S(p.runId) },
              }),
            );
          } catch (err) {
            if (!(err instanceof ConditionalCheckFailedException)) throw err;
          }
        }),
      );
    }
  }

  /** A propose-only plan's listing item: by time, with the attributes pageProposals filters on. */
  private proposalItem(p: PlanRecord): Item {
    return {
      pk: S(`${PROPOSAL_SK}#${p.planId}`),
      sk: S(PROPOSAL_SK),
      listedAt: S(`${p.updatedAt}#${p.runId}`),
      accountId: S(p.plan.accountId),
      rules: { SS: p.plan.ruleIds.length > 0 ? [...new Set(p.plan.ruleIds)] : ['-'] },
      data: json(p),
      ttl: this.ttl(),
    };
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
    // The open-plan index follows the status: in it while proposed or awaiting approval, out of it after.
    let remove = '';
    if (patch.status !== undefined) {
      names['#open'] = 'openPlan';
      if (OPEN_PLAN_STATUSES.includes(patch.status)) {
        values[':planId'] = S(planId);
        sets.push('#open = :planId');
      } else remove = ' REMOVE #open';
    }
    const out = await this.client.send(
      new UpdateItemCommand({
        TableName: this.stateTable,
        Key: { pk: S(`RUN#${runId}`), sk: S(`PLAN#${planId}`) },
        UpdateExpression: `SET ${sets.join(', ')}${remove}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // A plan that stopped awaiting approval (timed out, or any outcome) takes its request out of the pending list.
    if (out.Attributes?.status?.S === 'awaiting-approval' && patch.status && patch.status !== 'awaiting-approval') {
      await this.leavePendingList(runId, planId);
    }
  }

  /** Removes an approval request from the pending-approval index (nothing when it is not there). */
  private async leavePendingList(runId: string, planId: string) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          UpdateExpression: 'REMOVE awaitingDecision',
          ConditionExpression: 'attribute_exists(awaitingDecision)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
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
          // In the pending-approval index, oldest first, until decided (pagePendingApprovals).
          ...(approval.decision
            ? {}
            : { awaitingDecision: S(AWAITING_DECISION), requestedAt: S(approval.requestedAt) }),
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
    const items: ApprovalRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.pagePendingApprovals({ limit: 500, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }

  // ---- approval delivery and rollback requests ----

  async decideApproval(
    runId: string,
    planId: string,
    decision: Required<Pick<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt' | 'decidedHash'>> & {
      comment?: string;
      approvals?: readonly ApprovalEntry[];
      expectedApprovals?: number;
    },
  ) {
    const approvals = decision.approvals;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          // delivery = pending with no attempts yet: the state table's stream starts the deliverer on exactly this.
          UpdateExpression:
            'SET decision = :d, decidedBy = :by, decidedAt = :at, #comment = :c, decidedHash = :h, ' +
            `delivery = :pending, deliveryAttempts = :zero, pendingDelivery = :at${approvals ? APPROVALS_SET : ''} ` +
            'REMOVE awaitingDecision',
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(decision)${
            decision.expectedApprovals === undefined ? '' : ` AND ${approvalCountIs(decision.expectedApprovals)}`
          }`,
          ExpressionAttributeNames: { '#comment': 'comment' },
          ExpressionAttributeValues: {
            ':d': S(decision.decision),
            ':by': S(decision.decidedBy),
            ':at': S(decision.decidedAt),
            ':c': S(decision.comment ?? ''),
            ':h': S(decision.decidedHash),
            ':pending': S('pending'),
            ':zero': { N: '0' },
            ...(approvals ? approvalValues(approvals) : {}),
            ...(decision.expectedApprovals ? { ':expected': { N: String(decision.expectedApprovals) } } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async addApproval(runId: string, planId: string, approvals: readonly ApprovalEntry[], expected: number) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.stateTable,
          Key: { pk: S(`RUN#${runId}`), sk: S(`APPROVAL#${planId}`) },
          UpdateExpression: `SET ${APPROVALS_SET.slice(2)}`,
          // Two approvals at once: only the one that finds `expected` approvals counts; the other is told to reload.
          ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(decision) AND ${approvalCountIs(expected)}`,
          ExpressionAttributeValues: {
            ...approvalValues(approvals),
            ...(expected > 0 ? { ':expected': { N: String(expected) } } : {}),
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
    const item = await this.getItem(this.stateTable, S(`ROLLBACK#${changeId}`), S(ROLLBACK_SK));
    return item ? rollbackFromItem(item) : undefined;
  }

  async listRollbackRequests() {
    // The by-time index (partition REQUEST: rollback requests carry listedAt), oldest first.
    const items: RollbackRequest[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.stateTable,
        IndexName: STATE_BY_TIME_INDEX,
        KeyConditionExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': S(ROLLBACK_SK) },
      },
    )) {
      for (const item of page.Items ?? []) items.push(rollbackFromItem(item));
    }
    return items;
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
          Key: { pk: S(`ROLLBACK#${changeId}`), sk: S(ROLLBACK_SK) },
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
    // The index by time (eventually consistent: a record completed this instant may be missing).
    const items: AuditRecord[] = [];
    for (const item of await this.queryAuditIndex(CHANGES_BY_TIME_INDEX, CHANGE_SK)) {
      const record = parse<AuditRecord>(item);
      if (record) items.push(record);
    }
    return items;
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
    // Both indexes are eventually consistent; the reconciler only takes intents minutes old, long since indexed, and
    // completing one is itself guarded (a record already there is kept).
    const completed = new Set(
      (await this.queryAuditIndex(CHANGES_BY_TIME_INDEX, CHANGE_SK, 'pk')).map((item) => item.pk?.S),
    );
    const open: AuditIntent[] = [];
    for (const item of await this.queryAuditIndex(INTENTS_BY_TIME_INDEX, INTENT_SK)) {
      if (completed.has(item.pk?.S)) continue;
      const intent = parse<AuditIntent>(item);
      if (intent) open.push(intent);
    }
    return open;
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

  // ---- organization scale: per-account state, decision memory, indexed and paged reads ----

  async putAccountFindings(runId: string, accountId: string, findings: readonly Finding[]) {
    // Checked whole before anything is written: a finding of another account would be filed under the wrong key.
    const stray = findings.filter((f) => f.accountId !== accountId).map((f) => `${f.id} (account ${f.accountId})`);
    if (stray.length > 0) {
      throw new InvalidPayloadError(
        `findings of run ${runId} filed for account ${accountId} belong to another account: ${stray.slice(0, 5).join(', ')}`,
        stray.slice(0, 20),
      );
    }
    const previousRun = await this.latestRunOf(accountId);
    const previous =
      previousRun === undefined || previousRun === runId
        ? []
        : await this.queryPrefix<Finding>(`RUN#${previousRun}`, findingPrefix(accountId), true);
    await this.batchWrite(findings.map((f) => ({ PutRequest: { Item: this.findingItem(runId, f) } })));
    // The latest-findings listing (pageLatestFindings): one item per finding of this run, replacing the previous
    // run's item of the same finding; the previous run's others are deleted once the pointer moved.
    await this.batchWrite(findings.map((f) => ({ PutRequest: { Item: this.listingItem(runId, f) } })));
    const kept = new Set(findings.map((f) => f.id));
    const stale = previous.filter((f) => !kept.has(f.id));
    // The pointer last: a reader following it finds every finding of the run already written.
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`ACCOUNT#${accountId}`),
          sk: S('LATEST'),
          runId: S(runId),
          findings: { N: String(findings.length) },
          at: S(this.now().toISOString()),
          ttl: this.ttl(),
        },
      }),
    );
    await this.batchWrite(
      stale.map((f) => ({
        DeleteRequest: { Key: { pk: S(listingKey(accountId, f.id)), sk: S(LATEST_FINDING_SK) } },
      })),
    );
  }

  private listingItem(runId: string, f: Finding): Item {
    const item: Item = { data: json(f), ttl: this.ttl() };
    for (const [name, value] of Object.entries(listingAttributes(runId, f))) item[name] = S(value);
    return item;
  }

  async latestAccountFindings(accountId: string) {
    const runId = await this.latestRunOf(accountId);
    if (runId === undefined) return undefined;
    return { runId, findings: await this.queryPrefix<Finding>(`RUN#${runId}`, findingPrefix(accountId), true) };
  }

  async pageAccountFindings(accountId: string, page: PageRequest = {}) {
    // A cursor carries its run (the key's pk): the pages of one listing stay on one run if a newer one lands meanwhile.
    const prefix = findingPrefix(accountId);
    const listing = (pk?: string): Listing => ({
      tag: 'account-findings',
      keyAttributes: ['pk', 'sk'],
      fixed: { pk: pk ? { equals: pk } : { prefix: 'RUN#' }, sk: { prefix } },
    });
    let pk: string;
    if (page.cursor !== undefined) pk = decodeCursor(listing(), page.cursor).pk?.S ?? '';
    else {
      const runId = await this.latestRunOf(accountId);
      if (runId === undefined) return { items: [] };
      pk = `RUN#${runId}`;
    }
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(pk), ':sk': S(prefix) },
        ConsistentRead: true,
      },
      listing(pk),
      page,
    );
    return mapPage(out, (item) => parse<Finding>(item) as Finding);
  }

  async putAccountSummary(summary: AccountRunSummary) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`RUN#${summary.runId}`),
          sk: S(`ACCOUNT#${summary.accountId}`),
          data: json(summary),
          ttl: this.ttl(),
        },
      }),
    );
  }

  async listAccountSummaries(runId: string) {
    return this.queryPrefix<AccountRunSummary>(`RUN#${runId}`, 'ACCOUNT#', true);
  }

  async putRejection(rejection: RejectionRecord) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`REJECTION#${rejection.planId}`),
          sk: S(REJECTION_SK),
          // In the by-time index, newest first (pageRejections).
          listedAt: S(rejection.rejectedAt),
          expiresAt: S(rejection.expiresAt),
          data: json(rejection),
          // Gone from the table (lazily) once expired; getRejection ignores it from expiresAt on.
          ttl: epochOf(rejection.expiresAt, `rejection of plan ${rejection.planId}`),
        },
      }),
    );
  }

  async getRejection(planId: string) {
    const rejection = parse<RejectionRecord>(
      await this.getItem(this.stateTable, S(`REJECTION#${planId}`), S(REJECTION_SK)),
    );
    return rejection && Date.parse(rejection.expiresAt) > this.now().getTime() ? rejection : undefined;
  }

  async pageRejections(page: PageRequest = {}) {
    return this.newestFirst<RejectionRecord>(
      { table: this.stateTable, index: STATE_BY_TIME_INDEX, sk: REJECTION_SK, pkPrefix: 'REJECTION#' },
      { tag: 'rejections', timeAttribute: 'listedAt', liveOnly: true },
      page,
    );
  }

  async openPlanOf(planId: string) {
    // The index is eventually consistent: its status is checked again here; the earliest run still holding the plan
    // open is the one named.
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.stateTable,
        IndexName: OPEN_PLAN_INDEX,
        KeyConditionExpression: 'openPlan = :id',
        ExpressionAttributeValues: { ':id': S(planId) },
      }),
    );
    const open = (out.Items ?? [])
      .filter((item) => OPEN_PLAN_STATUSES.includes(item.status?.S ?? ''))
      .sort((a, b) => (a.updatedAt?.S ?? '').localeCompare(b.updatedAt?.S ?? ''));
    const first = open[0];
    if (!first) return undefined;
    return { runId: (first.pk?.S ?? '').slice('RUN#'.length), status: first.status?.S as PlanStatus };
  }

  async putSuppression(suppression: Suppression) {
    const problems = suppressionProblems(suppression);
    if (problems.length > 0) {
      throw new InvalidPayloadError(`suppression ${suppression.id}: ${problems.join('; ')}`, problems);
    }
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`${API_WRITTEN_KEY_PREFIXES.suppression}${suppression.id}`),
          sk: S(SUPPRESSION_SK),
          // In the by-time index, newest first (listSuppressions).
          listedAt: S(suppression.createdAt),
          expiresAt: S(suppression.expiresAt),
          data: json(suppression),
          ttl: epochOf(suppression.expiresAt, `suppression ${suppression.id}`),
        },
      }),
    );
  }

  async getSuppression(id: string) {
    return parse<Suppression>(
      await this.getItem(this.stateTable, S(`${API_WRITTEN_KEY_PREFIXES.suppression}${id}`), S(SUPPRESSION_SK)),
    );
  }

  async deleteSuppression(id: string) {
    const out = await this.client.send(
      new DeleteItemCommand({
        TableName: this.stateTable,
        Key: { pk: S(`${API_WRITTEN_KEY_PREFIXES.suppression}${id}`), sk: S(SUPPRESSION_SK) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes !== undefined;
  }

  async listSuppressions(page: PageRequest = {}) {
    return this.newestFirst<Suppression>(
      {
        table: this.stateTable,
        index: STATE_BY_TIME_INDEX,
        sk: SUPPRESSION_SK,
        pkPrefix: API_WRITTEN_KEY_PREFIXES.suppression,
      },
      { tag: 'suppressions', timeAttribute: 'listedAt', liveOnly: true },
      page,
    );
  }

  async pagePendingApprovals(page: PageRequest = {}) {
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        IndexName: PENDING_APPROVAL_INDEX,
        KeyConditionExpression: 'awaitingDecision = :a',
        ExpressionAttributeValues: { ':a': S(AWAITING_DECISION) },
        ScanIndexForward: true,
      },
      {
        tag: 'pending-approvals',
        keyAttributes: ['pk', 'sk', 'awaitingDecision', 'requestedAt'],
        fixed: { awaitingDecision: { equals: AWAITING_DECISION }, pk: { prefix: 'RUN#' }, sk: { prefix: 'APPROVAL#' } },
      },
      page,
    );
    // The index is eventually consistent: a decision just recorded may still be listed; it is left out here.
    const approvals = mapPage(out, approvalFromItem);
    return { ...approvals, items: approvals.items.filter((a) => a.decision === undefined) };
  }

  async pageAudit(page: PageRequest = {}) {
    return this.newestFirst<AuditRecord>(
      { table: this.auditTable, index: CHANGES_BY_TIME_INDEX, sk: CHANGE_SK, pkPrefix: 'CHANGE#' },
      { tag: 'audit', timeAttribute: 'appliedAt', liveOnly: false },
      page,
    );
  }

  async pageRuns(page: PageRequest = {}) {
    return this.newestFirst<RunRecord>(
      { table: this.stateTable, index: STATE_BY_TIME_INDEX, sk: RUN_SK, pkPrefix: 'RUN#' },
      { tag: 'runs', timeAttribute: 'listedAt', liveOnly: false },
      page,
    );
  }

  async pageLatestFindings(query: LatestFindingsQuery, page: PageRequest = {}): Promise<Page<ListedFinding>> {
    const q = latestFindingsQuery(query);
    const values: Item = {};
    for (const [name, value] of Object.entries(q.values)) values[name] = S(value);
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        IndexName: STATE_BY_TIME_INDEX,
        KeyConditionExpression: q.keyCondition,
        ...(q.filter ? { FilterExpression: q.filter } : {}),
        ...(Object.keys(q.names).length > 0 ? { ExpressionAttributeNames: q.names } : {}),
        ExpressionAttributeValues: values,
      },
      {
        // Bound to the query: a cursor given with other filters would start outside the key range read.
        tag: `latest-findings-${stableId(JSON.stringify(q))}`,
        keyAttributes: ['pk', 'sk', 'listedAt'],
        fixed: { sk: { equals: LATEST_FINDING_SK }, pk: { prefix: LATEST_FINDING_PREFIX } },
      },
      page,
      { maxQueries: FILTERED_QUERIES_PER_PAGE },
    );
    return mapPage(out, (item) => ({
      runId: item.runId?.S ?? '',
      finding: parse<Finding>(item) as Finding,
      ...(item.planId?.S ? { planId: item.planId.S } : {}),
    }));
  }

  async getAccountSummary(runId: string, accountId: string) {
    return parse<AccountRunSummary>(await this.getItem(this.stateTable, S(`RUN#${runId}`), S(`ACCOUNT#${accountId}`)));
  }

  async pageAccountSummaries(runId: string, page: PageRequest = {}) {
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(`RUN#${runId}`), ':sk': S('ACCOUNT#') },
        ConsistentRead: true,
      },
      {
        tag: 'account-summaries',
        keyAttributes: ['pk', 'sk'],
        fixed: { pk: { equals: `RUN#${runId}` }, sk: { prefix: 'ACCOUNT#' } },
      },
      page,
    );
    return mapPage(out, (item) => parse<AccountRunSummary>(item) as AccountRunSummary);
  }

  async pageRunPlans(runId: string, page: PageRequest = {}) {
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(`RUN#${runId}`), ':sk': S('PLAN#') },
        ConsistentRead: true,
      },
      {
        tag: 'run-plans',
        keyAttributes: ['pk', 'sk'],
        fixed: { pk: { equals: `RUN#${runId}` }, sk: { prefix: 'PLAN#' } },
      },
      page,
    );
    return mapPage(out, planFromItem);
  }

  async pageProposals(query: ProposalsQuery, page: PageRequest = {}) {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Item = { ':sk': S(PROPOSAL_SK) };
    if (query.accountId !== undefined) {
      names['#account'] = 'accountId';
      filters.push('#account = :account');
      values[':account'] = S(query.accountId);
    }
    if (query.ruleId !== undefined) {
      names['#rules'] = 'rules';
      filters.push('contains(#rules, :rule)');
      values[':rule'] = S(query.ruleId);
    }
    if (query.accounts !== undefined && query.accounts.length <= 100) {
      const keys = query.accounts.map((a, i) => {
        values[`:acct${i}`] = S(a);
        return `:acct${i}`;
      });
      names['#account'] = 'accountId';
      filters.push(keys.length === 0 ? 'attribute_not_exists(pk)' : `#account IN (${keys.join(', ')})`);
    }
    const out = await queryPage(
      this.client,
      {
        TableName: this.stateTable,
        IndexName: STATE_BY_TIME_INDEX,
        KeyConditionExpression: 'sk = :sk',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      },
      {
        tag: `proposals-${stableId(JSON.stringify(query))}`,
        keyAttributes: ['pk', 'sk', 'listedAt'],
        fixed: { sk: { equals: PROPOSAL_SK }, pk: { prefix: `${PROPOSAL_SK}#` } },
      },
      page,
      { maxQueries: FILTERED_QUERIES_PER_PAGE },
    );
    return mapPage(out, (item) => parse<PlanRecord>(item) as PlanRecord);
  }

  /**
   * One kind of item (its sort key), newest first, a page from a by-time index; `liveOnly` leaves out items whose
   * `expiresAt` has passed (they wait for TTL to delete them).
   */
  private async newestFirst<T>(
    where: { table: string; index: string; sk: string; pkPrefix: string },
    listing: { tag: string; timeAttribute: string; liveOnly: boolean },
    page: PageRequest,
  ): Promise<Page<T>> {
    const out = await queryPage(
      this.client,
      {
        TableName: where.table,
        IndexName: where.index,
        KeyConditionExpression: 'sk = :sk',
        ...(listing.liveOnly ? { FilterExpression: 'expiresAt > :now' } : {}),
        ExpressionAttributeValues: {
          ':sk': S(where.sk),
          ...(listing.liveOnly ? { ':now': S(this.now().toISOString()) } : {}),
        },
        ScanIndexForward: false,
      },
      {
        tag: listing.tag,
        keyAttributes: ['pk', 'sk', listing.timeAttribute],
        fixed: { sk: { equals: where.sk }, pk: { prefix: where.pkPrefix } },
      },
      page,
    );
    return mapPage(out, (item) => parse<T>(item) as T);
  }

  async putAccountDirectory(entries: readonly AccountDirectoryEntry[]) {
    if (entries.length === 0) return;
    const paths = Object.fromEntries(await this.getAccountDirectory());
    for (const e of entries) paths[e.accountId] = [...e.ouPath];
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        // One item, read by key: the approval API resolves OU scopes with it (it cannot call Organizations).
        Item: {
          pk: S(ACCOUNT_DIRECTORY_PK),
          sk: S(ACCOUNT_DIRECTORY_PK),
          kind: S('account-directory'),
          data: json(paths),
        },
      }),
    );
  }

  async getAccountDirectory() {
    const paths = parse<Record<string, string[]>>(
      await this.getItem(this.stateTable, S(ACCOUNT_DIRECTORY_PK), S(ACCOUNT_DIRECTORY_PK)),
    );
    return new Map<string, readonly string[]>(Object.entries(paths ?? {}));
  }

  /** The run whose findings of the account are its latest (the pointer putAccountFindings writes last). */
  async latestRunOf(accountId: string): Promise<string | undefined> {
    return (await this.getItem(this.stateTable, S(`ACCOUNT#${accountId}`), S('LATEST')))?.runId?.S;
  }

  async putTimeout(timeout: TimeoutRecord) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: {
          pk: S(`TIMEOUT#${timeout.runId}#${timeout.planId}`),
          sk: S(TIMEOUT_SK),
          // In the by-time index, newest first (pageTimeouts).
          listedAt: S(timeout.timedOutAt),
          data: json(timeout),
          ttl: this.ttl(),
        },
      }),
    );
  }

  async pageTimeouts(page: PageRequest = {}) {
    return this.newestFirst<TimeoutRecord>(
      { table: this.stateTable, index: STATE_BY_TIME_INDEX, sk: TIMEOUT_SK, pkPrefix: 'TIMEOUT#' },
      { tag: 'timeouts', timeAttribute: 'listedAt', liveOnly: false },
      page,
    );
  }

  async putPlanOpening(opening: PlanOpening) {
    await this.client.send(
      new PutItemCommand({
        TableName: this.stateTable,
        Item: { ...openingKey(opening), data: json(opening), ttl: this.ttl() },
      }),
    );
  }

  async hasOpenedPlan(runId: string, planId: string, openedBy: string, contentHash: string) {
    const { pk, sk } = openingKey({ runId, planId, openedBy, contentHash });
    return (await this.getItem(this.stateTable, pk, sk)) !== undefined;
  }

  /** One item, read consistently. */
  private async getItem(table: string, pk: AttributeValue, sk: AttributeValue): Promise<Item | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }));
    return out.Item;
  }

  /** Every item of an audit index's partition (one record type), oldest first; optionally some attributes only. */
  private async queryAuditIndex(index: string, sk: string, projection?: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.auditTable,
        IndexName: index,
        KeyConditionExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': S(sk) },
        ...(projection ? { ProjectionExpression: projection } : {}),
      },
    )) {
      items.push(...(page.Items ?? []));
    }
    return items;
  }

  private async queryPrefix<T>(pk: string, prefix: string, consistent = false): Promise<T[]> {
    const items: T[] = [];
    for await (const page of paginateQuery(
      { client: this.client },
      {
        TableName: this.stateTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': S(pk), ':sk': S(prefix) },
        ...(consistent ? { ConsistentRead: true } : {}),
      },
    )) {
      for (const item of page.Items ?? []) {
        const value = parse<T>(item);
        if (value !== undefined) items.push(value);
      }
    }
    return items;
  }

  /**
   * BatchWriteItem in 25s (a few batches at once), re-sending the items DynamoDB leaves unprocessed with backoff
   * until all are written; an error names how many were left after the last attempt.
   */
  private async batchWrite(requests: WriteRequest[]) {
    const batches: Array<typeof requests> = [];
    for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await this.writeBatch(batches[next++] ?? []);
    };
    await Promise.all(Array.from({ length: Math.min(BATCHES_AT_ONCE, batches.length) }, worker));
  }

  private async writeBatch(batch: WriteRequest[]) {
    let pending: WriteRequest[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 10) throw new Error(`DynamoDB left ${pending.length} items unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
      const out = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.stateTable]: pending as never } }),
      );
      pending = (out.UnprocessedItems?.[this.stateTable] ?? []) as typeof pending;
    }
  }
}

/**
 * Queries one page of a filtered console listing makes at most (each reads up to 1 MB): a search matching little stops
 * there and answers with a cursor, well within the API's time limit.
 */
const FILTERED_QUERIES_PER_PAGE = 10;

/** One request of a BatchWriteItem: a put or a delete. */
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** BatchWriteItem calls one write makes at once (each of 25 items). */
const BATCHES_AT_ONCE = 4;

/** The sort-key prefix of an account's findings in a run. */
function findingPrefix(accountId: string): string {
  return `FINDING#${accountId}#`;
}

/** An ISO time as a TTL value (epoch seconds); a time that does not parse is refused before anything is written. */
function epochOf(iso: string, what: string): AttributeValue {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new InvalidPayloadError(`${what}: expiresAt "${iso.slice(0, 40)}" is not a time`, []);
  return { N: String(Math.floor(ms / 1000)) };
}

function mapPage<T>(page: Page<Item>, map: (item: Item) => T): Page<T> {
  return { items: page.items.map(map), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** What makes a suppression unusable: it must say what it matches, why, and until when. */
export function suppressionProblems(s: Suppression): string[] {
  const problems: string[] = [];
  if (!s.id) problems.push('id is empty');
  if (!s.ruleId && !s.accountId && !s.resource) problems.push('give at least one of ruleId, accountId, resource');
  if (!s.reason?.trim()) problems.push('reason is empty');
  if (!s.createdBy) problems.push('createdBy is empty');
  if (Number.isNaN(Date.parse(s.createdAt))) problems.push('createdAt is not a time');
  if (Number.isNaN(Date.parse(s.expiresAt))) problems.push('expiresAt is not a time');
  return problems;
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
    ...(item.approvals?.S ? { approvals: JSON.parse(item.approvals.S) as ApprovalEntry[] } : {}),
    ...(item.delivery?.S ? { delivery: item.delivery.S as ApprovalRecord['delivery'] } : {}),
    ...(item.deliveryAttempts?.N ? { deliveryAttempts: Number(item.deliveryAttempts.N) } : {}),
    ...(item.deliveredAt?.S ? { deliveredAt: item.deliveredAt.S } : {}),
    ...(item.deliveryDetail?.S ? { deliveryDetail: item.deliveryDetail.S } : {}),
  };
}

/** Rollback requests: kind and status beside the record, so the table's stream can start the rollback step. */
/** One item per plan, person and content: the key names all four (the hash is fixed-length hex, so it leads the sort key). */
function openingKey(o: Pick<PlanOpening, 'runId' | 'planId' | 'openedBy' | 'contentHash'>): {
  pk: AttributeValue;
  sk: AttributeValue;
} {
  return {
    pk: S(`${API_WRITTEN_KEY_PREFIXES.planOpening}${o.runId}#${o.planId}`),
    sk: S(`${o.contentHash}#${o.openedBy}`),
  };
}

function rollbackItem(request: RollbackRequest, ttl: AttributeValue): Item {
  return {
    pk: S(`ROLLBACK#${request.changeId}`),
    sk: S(ROLLBACK_SK),
    kind: S('rollback-request'),
    // In the by-time index (listRollbackRequests).
    listedAt: S(request.requestedAt),
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
