/**
 * The ONE declaration of every metric IRSA Doctor emits (CloudWatch embedded metric format, through the Telemetry
 * port): name, unit, dimensions, description, and the alarm a person must act on, if any. Everything else derives
 * from it: the workflow's emission (typed by MetricName), the hub's alarms and dashboard
 * (infra/constructs/hub-alarms.ts) and the README's table (a test holds the README to it).
 */
import { SEVERITIES } from '../domain/finding';

/** The CloudWatch namespace of every metric. */
export const METRIC_NAMESPACE = 'IrsaDoctor';
/** The `service` dimension Powertools adds to every metric (the alarms name it too). */
export const METRIC_SERVICE = 'irsa-doctor';

/** Plan outcomes counted by PlanOutcomes (the value of its Outcome dimension). */
export const PLAN_OUTCOMES = [
  'applied',
  'already-applied',
  'verified',
  'unverified',
  'rejected',
  'timed-out',
  'failed',
  'verify-failed',
  'drift',
  'dry-run',
  'skipped',
] as const;
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];

/** An approval whose request expires within this long counts as expiring soon (at most a quarter of the timeout). */
export const EXPIRING_SOON_HOURS = 6;

export interface MetricAlarm {
  /** The statistic over the period (Sum for counts of events, Maximum for gauges). */
  readonly statistic: 'Sum' | 'Maximum';
  readonly periodMinutes: number;
  /** Alarms when the statistic is at least this. */
  readonly threshold: number;
  /** What the person reading the alarm does. */
  readonly action: string;
}

export interface MetricDeclaration {
  readonly unit: 'Count';
  /** Dimensions besides `service` (each datum carries exactly these). */
  readonly dimensions: readonly string[];
  /** When it is emitted, and what it counts. */
  readonly description: string;
  /** The values of the one dimension (so that alarms and the dashboard can name each series). */
  readonly dimensionValues?: readonly string[];
  readonly alarm?: MetricAlarm;
}

export const METRICS = {
  AccountsSwept: {
    unit: 'Count',
    dimensions: [],
    description: 'Accounts analyzed by a sweep (emitted by its report step).',
  },
  AccountsUnreachable: {
    unit: 'Count',
    dimensions: [],
    description: 'Accounts a sweep could not read (the scanner role could not be assumed: SWEEP-001).',
    alarm: {
      statistic: 'Sum',
      periodMinutes: 60,
      threshold: 1,
      action:
        'Deploy or repair the member roles in the accounts the digest lists (StackSet instance, trust, external id).',
    },
  },
  AccountsFailed: {
    unit: 'Count',
    dimensions: [],
    description:
      "Accounts whose analysis failed in a sweep (no summary: the step's error is in the execution history).",
    alarm: {
      statistic: 'Sum',
      periodMinutes: 60,
      threshold: 1,
      action: "Open the sweep execution's history and the analyze-account function's logs.",
    },
  },
  Findings: {
    unit: 'Count',
    dimensions: ['Severity'],
    dimensionValues: SEVERITIES,
    description: 'Open findings of a sweep, by severity (suppressed ones are not counted).',
  },
  PlanOutcomes: {
    unit: 'Count',
    dimensions: ['Outcome'],
    dimensionValues: PLAN_OUTCOMES,
    description:
      'Plans that reached an outcome (applied, verified, rejected, timed out, failed, skipped...), by outcome.',
  },
  ApplyFailures: {
    unit: 'Count',
    dimensions: [],
    description: 'Plans whose apply failed after approval (the remediation recorded outcome failed).',
    alarm: {
      statistic: 'Sum',
      periodMinutes: 60,
      threshold: 1,
      action:
        "Read the plan's error (console or irsa-doctor approvals show) and the audit table; re-plan or roll back.",
    },
  },
  ApprovalsPending: {
    unit: 'Count',
    dimensions: [],
    description: 'Approval requests without a decision (gauge: by the hourly audit reconciler and each sweep report).',
  },
  ApprovalsExpiringSoon: {
    unit: 'Count',
    dimensions: [],
    description: `Pending approval requests that expire within ${EXPIRING_SOON_HOURS} hours (or a quarter of the approval timeout, if shorter); gauge, as ApprovalsPending.`,
    alarm: {
      statistic: 'Maximum',
      periodMinutes: 60,
      threshold: 1,
      action: 'Decide the pending plans (approval console or irsa-doctor approvals) before they time out.',
    },
  },
} as const satisfies Record<string, MetricDeclaration>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];
