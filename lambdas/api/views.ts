/**
 * What the approval API returns, as types only (no runtime imports): shared by the API, the CLI and the browser
 * console (console/src), which must not pull in any server code.
 */
import type { Finding, Severity } from '../domain/finding';
import type { IacOwner, Plan } from '../domain/plan/plan-model';
import type {
  AccountRunSummary,
  ApprovalRecord,
  AuditRecord,
  PlanStatus,
  RollbackRequest,
  RunRecord,
} from '../ports/state-store';

/** An approval request as the console may show it: never the task token. */
export type ApprovalView = Omit<ApprovalRecord, 'taskToken'>;

export interface PlanSummary {
  readonly runId: string;
  readonly planId: string;
  readonly accountId: string;
  /** The account's name, where the run's collector knew it (its account summary). */
  readonly accountName?: string;
  /** The highest severity of the plan's findings (absent when they have aged out). */
  readonly severity?: Severity;
  readonly cluster?: string;
  readonly region?: string;
  readonly action: Plan['action'];
  readonly resourceArn: string;
  readonly ruleIds: readonly string[];
  readonly risk: Plan['risk']['level'];
  readonly title: string;
  readonly status: PlanStatus;
  readonly contentHash: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  /** With a second approval: how many distinct approvers the plan needs (2), and who approved so far. */
  readonly approvalsNeeded?: number;
  readonly approvedBy?: readonly string[];
}

/** Pending plans grouped by account, then cluster (plans without a cluster under "(account-wide)"). */
export interface PendingGroup {
  readonly accountId: string;
  readonly cluster: string;
  readonly plans: readonly PlanSummary[];
}

export interface PlanDetail {
  readonly runId: string;
  readonly planId: string;
  readonly status: PlanStatus;
  readonly detail?: string;
  readonly contentHash: string;
  readonly plan: Plan;
  /** The findings the plan fixes, with the error pods see and the evidence. */
  readonly findings: readonly Finding[];
  readonly approval?: ApprovalView;
  /** How many distinct approvers the plan needs: 1, or 2 under the second-approval rule (approval.approvals so far). */
  readonly approvalsNeeded?: number;
  readonly change?: ChangeView;
}

export interface ChangeView {
  readonly change: AuditRecord;
  /** The rollback of this change, when there was one. */
  readonly rolledBackBy?: AuditRecord;
  /** The latest request to roll it back (pending, running, done, refused or failed), when there was one. */
  readonly rollbackRequest?: RollbackRequest;
  /**
   * The status of the change's plan (read by key): whether it was verified after the write (verified,
   * verify-failed, unverified), rolled back, or another; absent once the plan has aged out.
   */
  readonly planStatus?: PlanStatus;
}

/** A change's rollback request and the change (GET/POST /api/changes/{changeId}/rollback). */
export interface RollbackStatusView {
  readonly request?: RollbackRequest;
  readonly change: ChangeView;
}

// ---- the console's views of findings, runs and propose-only plans (GET /api/findings, /api/runs, /api/proposals) ----

/** One of the latest findings: the run that recorded it, the account's name when known, its open plan if any. */
export interface FindingView {
  readonly runId: string;
  readonly finding: Finding;
  readonly accountName?: string;
  /** The plan that fixes it, while it is open (proposed or awaiting approval). */
  readonly plan?: { readonly runId: string; readonly planId: string; readonly status: PlanStatus };
}

export interface FindingsPage {
  readonly findings: readonly FindingView[];
  readonly cursor?: string;
}

/** A run with its counts (the run's digest, once reported), duration and the Step Functions execution's console page. */
export interface RunView {
  readonly run: Omit<RunRecord, 'summary'>;
  /** The digest's counts (findings by severity, plans, started, propose-only, partial and unreachable accounts). */
  readonly counts?: RunCounts;
  /** Seconds from start to the report (a run still going: absent). */
  readonly durationSeconds?: number;
  /** The execution in the AWS console (partition-aware host), when the execution id is an ARN. */
  readonly executionUrl?: string;
}

export interface RunCounts {
  readonly accounts?: number;
  readonly analyzed?: number;
  readonly findings?: number;
  readonly bySeverity?: Readonly<Record<string, number>>;
  readonly suppressed?: number;
  readonly plans?: number;
  readonly plansWaiting?: number;
  readonly started?: number;
  readonly proposeOnly?: number;
  readonly partial?: readonly string[];
  readonly unreachable?: readonly string[];
  readonly failed?: readonly string[];
}

export interface RunsPage {
  readonly runs: readonly RunView[];
  readonly cursor?: string;
}

/** A run and a page of its accounts' summaries (by account id). */
export interface RunDetail extends RunView {
  readonly accounts: readonly AccountRunSummary[];
  readonly cursor?: string;
}

/** A plan of a run, as the run's page lists it (GET /api/runs/{run}/plans). */
export interface RunPlanView {
  readonly runId: string;
  readonly planId: string;
  readonly accountId: string;
  readonly cluster?: string;
  readonly action: Plan['action'];
  readonly resourceArn: string;
  readonly ruleIds: readonly string[];
  readonly risk: Plan['risk']['level'];
  readonly applicable: boolean;
  readonly status: PlanStatus;
  readonly detail?: string;
  readonly updatedAt: string;
}

export interface RunPlansPage {
  readonly plans: readonly RunPlanView[];
  readonly cursor?: string;
}

/** A propose-only plan: what a person changes by hand (or in the IaC that owns the resource), as text to copy. */
export interface ProposalView {
  readonly runId: string;
  readonly planId: string;
  readonly accountId: string;
  readonly accountName?: string;
  readonly cluster?: string;
  readonly region?: string;
  readonly action: Plan['action'];
  readonly resourceArn: string;
  readonly ruleIds: readonly string[];
  readonly rationale: string;
  /** Why the workflow does not apply it itself. */
  readonly reason: string;
  readonly owner?: IacOwner;
  /** Plain text a person can copy: the reason, the owner and how to change it there, then the diff. */
  readonly guidance: string;
  readonly diff: string;
  readonly recordedAt: string;
}

export interface ProposalsPage {
  readonly proposals: readonly ProposalView[];
  readonly cursor?: string;
}
