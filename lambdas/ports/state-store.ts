import type { Finding, Severity } from '../domain/finding';
import type { AccessEntryState, Plan, ProviderState, TrustDocument } from '../domain/plan/plan-model';
import type { SuppressionRule } from '../domain/suppressions';

/** Where a plan stands in one run. */
export type PlanStatus =
  | 'proposed'
  | 'awaiting-approval'
  | 'rejected'
  | 'timed-out'
  | 'dry-run'
  | 'applied'
  | 'already-applied'
  | 'verified'
  | 'unverified'
  | 'drift'
  | 'failed'
  | 'verify-failed'
  | 'skipped'
  | 'rolled-back';

export interface RunRecord {
  readonly runId: string;
  readonly executionId: string;
  readonly mode: 'sweep' | 'cluster';
  readonly trigger: string;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly targets: readonly string[];
  readonly regions: readonly string[];
  readonly cluster?: ClusterRef;
  readonly status: 'running' | 'duplicate' | 'done';
  readonly summary?: Readonly<Record<string, unknown>>;
  /**
   * The person who caused the run when known (a console or CLI trigger with a requester, or the CloudTrail identity
   * of a CreateCluster event): they may not approve its plans.
   */
  readonly requestedBy?: string;
}

export interface ClusterRef {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export interface PlanRecord {
  readonly runId: string;
  readonly planId: string;
  readonly plan: Plan;
  /** SHA-256 of everything an approver is shown (planContentHash: the plan and its findings): an approval binds to it. */
  readonly contentHash: string;
  readonly status: PlanStatus;
  /** Which dependency wave the plan is applied in (providers first). */
  readonly wave: number;
  readonly updatedAt: string;
  readonly detail?: string;
  /** The error a failed step reported ({ Error, Cause } as Step Functions passes it). */
  readonly error?: { readonly Error?: string; readonly Cause?: string };
  readonly changeId?: string;
  /** Plans of the same run that depend on this one (started, or skipped, once this one ends). */
  readonly dependents?: readonly string[];
}

/** A page of a listing; `cursor` (opaque) continues it, absent on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}
/** Which page: at most `limit` items (default 50, at most 500) from `cursor`. */
export interface PageRequest {
  readonly limit?: number;
  readonly cursor?: string;
}

/**
 * A rejection, remembered: the same plan (same id, which is derived from its content) is not proposed again until
 * `expiresAt`; a plan whose content changed has another id and is proposed.
 */
export interface RejectionRecord {
  readonly planId: string;
  readonly runId: string;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly action: string;
  readonly rejectedBy: string;
  readonly rejectedAt: string;
  readonly comment?: string;
  readonly expiresAt: string;
}

/**
 * A suppression (mutelist entry), as the domain matches it (lambdas/domain/suppressions.ts): findings it matches are
 * recorded as suppressed, not planned, not counted as open. Every given field must match (`resource` may end in `*`);
 * at least one of ruleId, accountId, resource is given.
 */
export type Suppression = SuppressionRule;

/** An approval request that ended without a decision (the approval timeout passed): listed in the history. */
export interface TimeoutRecord {
  readonly runId: string;
  readonly planId: string;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly action: string;
  readonly requestedAt?: string;
  readonly timedOutAt: string;
}

/** A person opened a plan (its page, the bulk view's detail, the CLI's show): recorded per person and content hash. */
export interface PlanOpening {
  readonly runId: string;
  readonly planId: string;
  readonly openedBy: string;
  /** The content hash of what was shown: a decision needs an opening of the hash it binds to. */
  readonly contentHash: string;
  readonly openedAt: string;
}

/** What one account's analysis found in a run: the run's digest sums these. */
export interface AccountRunSummary {
  readonly runId: string;
  readonly accountId: string;
  readonly name?: string;
  readonly collection: 'complete' | 'partial' | 'unreachable';
  readonly findings: number;
  readonly bySeverity: Readonly<Record<Severity, number>>;
  /** Findings not in the account's previous run, and findings of the previous run gone in this one. */
  readonly newFindings: number;
  readonly resolvedFindings: number;
  readonly suppressed: number;
  readonly plans: number;
  /** Remediation executions started for this account's plans (the rest start when their dependencies end). */
  readonly started: number;
  readonly proposeOnly: number;
  /** Plans not proposed because a person rejected the same plan (rejection not expired). */
  readonly rememberedRejections: number;
  /** Plans not proposed because the same plan still waits for a decision in an earlier run. */
  readonly waitingElsewhere: number;
}

export interface ApprovalRecord {
  readonly runId: string;
  readonly planId: string;
  /** Step Functions task token: kept here, server-side, never sent to anyone. */
  readonly taskToken: string;
  readonly contentHash: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly decision?: 'approved' | 'rejected';
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly comment?: string;
  /** The content hash the person who decided was shown (equal to contentHash: a decision for other content is refused). */
  readonly decidedHash?: string;
  /**
   * The approvals recorded so far, in order: one decides a plan that needs one; a plan that needs a second approval
   * (secondApproval) waits with the first until a distinct person approves the same content.
   */
  readonly approvals?: readonly ApprovalEntry[];
  /** Where the decision stands on its way to the waiting workflow (set with the decision). */
  readonly delivery?: DeliveryStatus;
  /** Failed attempts to hand the decision to the workflow so far. */
  readonly deliveryAttempts?: number;
  readonly deliveredAt?: string;
  /** Why the last attempt failed, or how the delivery ended (e.g. "token already used (InvalidToken)"). */
  readonly deliveryDetail?: string;
}

/** One person's approval of a plan: who, when, the content hash they were shown, why. */
export interface ApprovalEntry {
  readonly by: string;
  readonly at: string;
  readonly hash: string;
  readonly comment?: string;
}

/** An account as the sweep listed it: its OU path from the root (e.g. ["r-ab12", "ou-ab12-11111111"]). */
export interface AccountDirectoryEntry {
  readonly accountId: string;
  readonly ouPath: readonly string[];
}

/**
 * A decision on its way to the workflow: `pending` once recorded (the approval API stops there), `delivered` when
 * the deliverer's SendTaskSuccess/SendTaskFailure was accepted or the token had already been used by an earlier
 * attempt of the same decision, `expired` when the task had timed out before the decision reached it.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'expired';

/**
 * A person's request to roll a change back (recorded by the approval API), performed by the rollback step, which
 * alone runs as the hub writer role. One per change at a time: a refused or failed one may be requested again.
 */
export interface RollbackRequest {
  readonly changeId: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly comment?: string;
  /** pending (recorded) → running (the step took it) → done | refused (guards said no; nothing written) | failed. */
  readonly status: 'pending' | 'running' | 'done' | 'refused' | 'failed';
  readonly updatedAt: string;
  /** done: the rollback's audit record id. */
  readonly rollbackId?: string;
  /** refused or failed: the typed error's name and message. */
  readonly error?: { readonly name: string; readonly message: string; readonly reason?: string };
}

/** What an audit intent and the record completing it both say of the change. */
export interface AuditedChange {
  readonly changeId: string;
  readonly kind: 'apply' | 'rollback';
  readonly runId: string;
  readonly planId: string;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly action: string;
  /** Who approved the change (a rollback: who asked for it). */
  readonly approvedBy: string;
  readonly approvedAt?: string;
  readonly comment?: string;
  /** Plans of the same run this change's plan depended on (a provider before the trust policy naming it). */
  readonly dependsOn?: readonly string[];
  /** A rollback: the change it undoes. */
  readonly rollsBack?: string;
}

/**
 * Write-ahead audit: what a writer is about to do, recorded (append-only) BEFORE its IAM write. The completion is
 * the AuditRecord of the same changeId; an intent without one is open: the write may or may not have happened, and
 * a retry of the same change or the reconciler completes it from what the resource holds.
 */
export interface AuditIntent extends AuditedChange {
  /** What the resource must hold for the write to go ahead (apply: the plan's `before`; rollback: what the change wrote). */
  readonly expected: TrustDocument | ProviderState | AccessEntryState | null;
  /** What the write puts there (null: a provider deleted). */
  readonly intended: TrustDocument | ProviderState | AccessEntryState | null;
  /** The write operations it is about to make, in order. */
  readonly writes: readonly string[];
  readonly intendedAt: string;
  /** OIDC provider ARNs the intended document names (Federated principals): indexed, so rollbacks find dependents. */
  readonly names?: readonly string[];
}

/** How an intent ended: written, not written (the resource still held `expected`), or neither (drift). */
export type AuditOutcome = 'applied' | 'not-applied' | 'drift';

/** One write to AWS, with what it replaced: the audit log and the source of every rollback. Never expires. */
export interface AuditRecord extends AuditedChange {
  readonly replaced: TrustDocument | ProviderState | AccessEntryState | null;
  readonly wrote: TrustDocument | ProviderState | AccessEntryState | null;
  readonly writes: readonly string[];
  readonly appliedAt: string;
  /** Absent on records written before the write-ahead audit: 'applied'. Only 'applied' records can be rolled back. */
  readonly outcome?: AuditOutcome;
  /** Who completed the record: the writer itself, a retry of the same change, or the reconciler. */
  readonly completedBy?: 'writer' | 'retry' | 'reconciler';
  /** Why a record is not a plain write (completed after a crash, nothing written, drift found). */
  readonly detail?: string;
  /** Drift: what the resource held when the record was completed. */
  readonly found?: unknown;
  /** OIDC provider ARNs the written document names (from the intent). */
  readonly names?: readonly string[];
}

/** An entry of the audit table's resource index: a change that targets a resource, or whose document names it. */
export interface AuditReference {
  readonly changeId: string;
  readonly relation: 'target' | 'names';
}

/** The workflow's state (DynamoDB in AWS). Items other than audit records age out by TTL. */
export interface StateStore {
  /** Claims an idempotency key; false when another run already holds it. */
  claimTrigger(key: string, runId: string, ttlSeconds: number): Promise<{ claimed: boolean; heldBy?: string }>;
  putRun(run: RunRecord): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  updateRun(runId: string, patch: Partial<Pick<RunRecord, 'status' | 'summary'>>): Promise<void>;
  putFindings(runId: string, findings: readonly Finding[]): Promise<void>;
  /** The run's findings; with `accountId`, that account's only (a key range, not the whole run). */
  listFindings(runId: string, accountId?: string): Promise<Finding[]>;
  putPlans(plans: readonly PlanRecord[]): Promise<void>;
  getPlan(runId: string, planId: string): Promise<PlanRecord | undefined>;
  listPlans(runId: string): Promise<PlanRecord[]>;
  updatePlan(
    runId: string,
    planId: string,
    patch: Partial<Pick<PlanRecord, 'status' | 'detail' | 'error' | 'changeId'>>,
  ): Promise<void>;
  putApproval(approval: ApprovalRecord): Promise<void>;
  getApproval(runId: string, planId: string): Promise<ApprovalRecord | undefined>;
  /** Approval requests with no decision yet, oldest first. */
  listPendingApprovals(): Promise<ApprovalRecord[]>;
  // ---- approval delivery and rollback requests (what the approval API may write; the deliverer and rollback step
  // complete them) ----
  /**
   * Records a decision once, as pending delivery, with the content hash the person saw: false when a decision was
   * already recorded (a second click, a race).
   */
  decideApproval(
    runId: string,
    planId: string,
    decision: Required<Pick<ApprovalRecord, 'decision' | 'decidedBy' | 'decidedAt' | 'decidedHash'>> & {
      comment?: string;
      /** The approvals with this one (an approval), written with the decision. */
      approvals?: readonly ApprovalEntry[];
      /** With `approvals`: only when exactly this many approvals were recorded before (no other approval raced it). */
      expectedApprovals?: number;
    },
  ): Promise<boolean>;
  /**
   * Records an approval that does not decide yet (the first of two): the list with it, only when no decision was
   * recorded and exactly `expected` approvals were recorded before (false otherwise: another approval raced it).
   */
  addApproval(runId: string, planId: string, approvals: readonly ApprovalEntry[], expected: number): Promise<boolean>;
  /** Ends a pending delivery (delivered or expired); false when it was not pending any more. */
  completeDelivery(
    runId: string,
    planId: string,
    outcome: { status: Exclude<DeliveryStatus, 'pending'>; at: string; detail?: string },
  ): Promise<boolean>;
  /** Counts a failed delivery attempt of a pending decision, with why. */
  noteDeliveryFailure(runId: string, planId: string, detail: string): Promise<void>;
  /** Decisions recorded but not yet delivered, oldest first: what the reconciler delivers. */
  listUndelivered(): Promise<ApprovalRecord[]>;
  /**
   * Records a rollback request as pending: when another request for the change is pending, running or done, nothing
   * is written and that one is returned (`created: false`).
   */
  putRollbackRequest(request: RollbackRequest): Promise<{ created: boolean; request: RollbackRequest }>;
  getRollbackRequest(changeId: string): Promise<RollbackRequest | undefined>;
  listRollbackRequests(): Promise<RollbackRequest[]>;
  /** Requests still pending or running (an eventually consistent index: re-read one before acting on it), oldest first. */
  listOpenRollbackRequests(): Promise<RollbackRequest[]>;
  /** Moves a request on; with `from`, only when it is in one of those states (false otherwise). */
  updateRollbackRequest(
    changeId: string,
    patch: Partial<Pick<RollbackRequest, 'status' | 'rollbackId' | 'error'>>,
    from?: readonly RollbackRequest['status'][],
  ): Promise<boolean>;
  /**
   * Completes a change (its one record, append-only): throws ConditionalCheckFailedException when the change already
   * has a record (nothing is overwritten).
   */
  putAudit(record: AuditRecord): Promise<void>;
  getAudit(changeId: string): Promise<AuditRecord | undefined>;
  /** Completed changes (not open intents), oldest first. */
  listAudit(): Promise<AuditRecord[]>;
  /**
   * Records an intent before its write, with its resource-index entries (the resource, and each provider the
   * intended document names). Append-only: when the change already has an intent, nothing is written and that one
   * is returned.
   */
  putAuditIntent(intent: AuditIntent): Promise<{ created: boolean; intent: AuditIntent }>;
  getAuditIntent(changeId: string): Promise<AuditIntent | undefined>;
  /** Intents without a record (a crash between the write and its completion, or a write still under way). */
  listOpenAuditIntents(): Promise<AuditIntent[]>;
  /** Every change, of any run, that targets this resource or whose intended document names it. */
  listAuditReferences(resourceArn: string): Promise<AuditReference[]>;

  // ---- organization scale (issue 15): per-account state, decision memory, indexed and paged reads ----
  /** The run's findings of one account; they become the account's latest (what new/resolved compare against). */
  putAccountFindings(runId: string, accountId: string, findings: readonly Finding[]): Promise<void>;
  /** The account's findings of the latest run that analyzed it (a key read, no scan). */
  latestAccountFindings(accountId: string): Promise<{ runId: string; findings: Finding[] } | undefined>;
  putAccountSummary(summary: AccountRunSummary): Promise<void>;
  /** Every account summary of a run (one Query). */
  listAccountSummaries(runId: string): Promise<AccountRunSummary[]>;
  putRejection(rejection: RejectionRecord): Promise<void>;
  /** The live rejection of this plan id (undefined once expired). */
  getRejection(planId: string): Promise<RejectionRecord | undefined>;
  /** Rejections still remembered (not expired), newest first: what the console shows beside the mutelist. */
  pageRejections(page?: PageRequest): Promise<Page<RejectionRecord>>;
  /** The run in which a plan of this id is still open (proposed or awaiting approval), from an index keyed by plan id. */
  openPlanOf(planId: string): Promise<{ runId: string; status: PlanStatus } | undefined>;
  putSuppression(suppression: Suppression): Promise<void>;
  /** One suppression by id (a key read). */
  getSuppression(id: string): Promise<Suppression | undefined>;
  deleteSuppression(id: string): Promise<boolean>;
  /** Suppressions not expired, newest first. */
  listSuppressions(page?: PageRequest): Promise<Page<Suppression>>;
  /** Approval requests with no decision yet, oldest first, from an index. */
  pagePendingApprovals(page?: PageRequest): Promise<Page<ApprovalRecord>>;
  /** Completed changes, newest first, from an index by time. */
  pageAudit(page?: PageRequest): Promise<Page<AuditRecord>>;
  /** Runs, newest first, from an index by time. */
  pageRuns(page?: PageRequest): Promise<Page<RunRecord>>;
  /** Records the OU path of each account the sweep listed (merged into the account directory: one item). */
  putAccountDirectory(entries: readonly AccountDirectoryEntry[]): Promise<void>;
  /** Every account's OU path the sweeps have recorded (a key read). */
  getAccountDirectory(): Promise<ReadonlyMap<string, readonly string[]>>;
  /** The account's findings of its latest run, paged. */
  pageAccountFindings(accountId: string, page?: PageRequest): Promise<Page<Finding>>;
  /** Records an approval request that timed out (ages out with the run). */
  putTimeout(timeout: TimeoutRecord): Promise<void>;
  /** Approval requests that timed out, newest first, from the by-time index. */
  pageTimeouts(page?: PageRequest): Promise<Page<TimeoutRecord>>;
  /** Records that a person opened this content of a plan (idempotent; ages out with the run). */
  putPlanOpening(opening: PlanOpening): Promise<void>;
  /** Whether this person opened this content of the plan (a key read). */
  hasOpenedPlan(runId: string, planId: string, openedBy: string, contentHash: string): Promise<boolean>;

  // ---- the console's views (issue 18): findings, runs, propose-only plans, by key and index only ----
  /**
   * Every account's latest findings (what putAccountFindings recorded last for each), most severe first, then by
   * account and rule: a page of those that pass the query. A cursor is bound to the query it was given with.
   */
  pageLatestFindings(query: LatestFindingsQuery, page?: PageRequest): Promise<Page<ListedFinding>>;
  /** One account's summary of a run (a key read). */
  getAccountSummary(runId: string, accountId: string): Promise<AccountRunSummary | undefined>;
  /** The run's account summaries by account id, paged (a key range). */
  pageAccountSummaries(runId: string, page?: PageRequest): Promise<Page<AccountRunSummary>>;
  /** The run's plans by plan id, paged (a key range). */
  pageRunPlans(runId: string, page?: PageRequest): Promise<Page<PlanRecord>>;
  /** The run whose findings of the account are its latest (a key read), if any. */
  latestRunOf(accountId: string): Promise<string | undefined>;
  /**
   * Propose-only plans (plan.applicable false) as their latest recording left them, newest first: one entry per plan
   * id, written by putPlans. Filters by account and rule; `accounts` keeps those accounts only.
   */
  pageProposals(query: ProposalsQuery, page?: PageRequest): Promise<Page<PlanRecord>>;
}

/** Which of the latest findings a page holds: every given field must match. */
export interface LatestFindingsQuery {
  /** Exactly these severities (absent: all). */
  readonly severities?: readonly Severity[];
  readonly ruleId?: string;
  readonly accountId?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  /** Lower-case text the title, resource ARN or message contains. */
  readonly text?: string;
  /** Suppressed findings: left out (default), shown with the rest, or shown alone. */
  readonly suppressed?: 'hide' | 'show' | 'only';
  /** The accounts the reader may see (absent: every account). */
  readonly accounts?: readonly string[];
}

/** A finding as the latest-findings listing holds it, with the run that recorded it. */
export interface ListedFinding {
  readonly runId: string;
  readonly finding: Finding;
  /** The plan of the same run that fixes it (recorded by putPlans), if any. */
  readonly planId?: string;
}

export interface ProposalsQuery {
  readonly accountId?: string;
  readonly ruleId?: string;
  /** The accounts the reader may see (absent: every account). */
  readonly accounts?: readonly string[];
}
