/**
 * What the approval API returns, as types only (no runtime imports): shared by the API, the CLI and the browser
 * console (console/src), which must not pull in any server code.
 */
import type { Finding, Severity } from '../domain/finding';
import type { Plan } from '../domain/plan/plan-model';
import type { ApprovalRecord, AuditRecord, PlanStatus, RollbackRequest } from '../ports/state-store';

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
