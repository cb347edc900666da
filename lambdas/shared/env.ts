/**
 * The Lambda functions' configuration, read once per cold start from the environment the hub stack sets
 * (infra/stacks/hub-stack.ts) or the local runner sets (infra/local/). Fails fast, naming the missing variable.
 */
import { APPLIED_ACTIONS, type AppliedAction, isAppliedAction } from '../domain/fix-action-iam';
import { isPartition, PARTITIONS, type PartitionName } from '../domain/partitions';
import { WIDENING_CLASSES } from '../domain/plan/plan-model';
import type { WideningClass } from '../domain/plan/prove';
import { type RemediationScope, RemediationScopeError, remediationScopeFrom } from '../domain/remediation-scope';
import { UsageError } from './errors';

export interface WorkflowEnv {
  /** DynamoDB table for runs, findings, plans and approvals (items age out by TTL). */
  readonly stateTable: string;
  /** DynamoDB table of applied changes (no TTL). */
  readonly auditTable: string;
  /** S3 bucket for collected account snapshots. */
  readonly snapshotBucket: string;
  /** SNS topic for run summaries and approval requests. */
  readonly topicArn: string;
  /** EventBridge bus for per-finding and per-change events. */
  readonly eventBusName: string;
  readonly hubAccountId: string;
  /** The hub's partition (the stack's AWS::Partition): every account swept is in it. */
  readonly partition: PartitionName;
  readonly scannerRoleName: string;
  readonly remediatorRoleName: string;
  readonly externalId?: string;
  /** Accounts to sweep; empty with `organization` reads AWS Organizations. */
  readonly accounts: readonly string[];
  readonly organization: boolean;
  readonly organizationalUnits: readonly string[];
  readonly excludeAccounts: readonly string[];
  readonly regions: readonly string[];
  /** Plan actions that may be applied without approval (default none): only actions the workflow applies. */
  readonly autoApplyActions: readonly AppliedAction[];
  /**
   * Classes of declared widening (lambdas/domain/plan/plan-model.ts WIDENING_CLASSES) a plan may carry and still be
   * applicable (default none: such plans are propose-only).
   */
  readonly allowWidening: readonly WideningClass[];
  /**
   * What the member remediator roles may write, as the member stacks were deployed (`remediableRoles` and
   * `remediablePaths` of the config): plans outside it are propose-only. Default mode `tagged`.
   */
  readonly remediationScope: RemediationScope;
  readonly approvalTimeoutSeconds: number;
  /** Attempts before a new cluster is given up on (interval set by the state machine). */
  readonly clusterWaitAttempts: number;
  readonly consoleUrl?: string;
  /** Endpoint override for every AWS client (the local emulator). */
  readonly endpoint?: string;
  /** Read each cluster's Kubernetes API as the member scanner role (hub config readClusters; default false). */
  readonly readClusters: boolean;
  /** The remediation state machine (one execution per plan): only for the steps that start executions. */
  readonly remediationStateMachineArn?: string;
  /** Days a rejection keeps the same plan from being proposed again (default 30). */
  readonly rejectionMemoryDays: number;
  /**
   * The region of the hub's Security Hub the analysis step imports findings into (hub config securityHub, default
   * on); absent: no import.
   */
  readonly securityHubRegion?: string;
}

export const ENV = {
  stateTable: 'STATE_TABLE',
  auditTable: 'AUDIT_TABLE',
  snapshotBucket: 'SNAPSHOT_BUCKET',
  topicArn: 'TOPIC_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  hubAccountId: 'HUB_ACCOUNT_ID',
  partition: 'HUB_PARTITION',
  scannerRoleName: 'SCANNER_ROLE_NAME',
  remediatorRoleName: 'REMEDIATOR_ROLE_NAME',
  externalId: 'EXTERNAL_ID',
  accounts: 'TARGET_ACCOUNTS',
  organization: 'TARGET_ORGANIZATION',
  organizationalUnits: 'TARGET_OUS',
  excludeAccounts: 'EXCLUDE_ACCOUNTS',
  regions: 'REGIONS',
  autoApplyActions: 'AUTO_APPLY_ACTIONS',
  allowWidening: 'ALLOW_WIDENING',
  remediableRoles: 'REMEDIABLE_ROLES',
  remediablePaths: 'REMEDIABLE_PATHS',
  approvalTimeoutSeconds: 'APPROVAL_TIMEOUT_SECONDS',
  clusterWaitAttempts: 'CLUSTER_WAIT_ATTEMPTS',
  consoleUrl: 'CONSOLE_URL',
  endpoint: 'AWS_ENDPOINT_URL',
  readClusters: 'READ_CLUSTERS',
  /** Only for approval-api: the group whose members may decide and roll back. */
  approversGroup: 'APPROVERS_GROUP',
  /** Only for approval-api: the approver rules (JSON list of {group, accounts?, organizationalUnits?}). */
  approvers: 'APPROVERS',
  /** Only for approval-api: which plans need a second approver (JSON {risks, actions}). */
  secondApproval: 'SECOND_APPROVAL',
  /** Only for approval-api: the console origins allowed to send state-changing requests (comma-separated). */
  consoleOrigins: 'CONSOLE_ORIGINS',
  /** Only for start-cluster-check: the state machine it starts. */
  stateMachineArn: 'STATE_MACHINE_ARN',
  remediationStateMachineArn: 'REMEDIATION_STATE_MACHINE_ARN',
  rejectionMemoryDays: 'REJECTION_MEMORY_DAYS',
  /** Only for the steps with `security-hub` access, and only when the hub imports into Security Hub. */
  securityHubRegion: 'SECURITY_HUB_REGION',
} as const;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** A comma-separated list of widening classes; an unknown class fails fast, naming the variable and the classes. */
function wideningClasses(value: string | undefined): WideningClass[] {
  const given = list(value);
  const bad = given.filter((c) => !(WIDENING_CLASSES as readonly string[]).includes(c));
  if (bad.length > 0) {
    throw new UsageError(
      `${ENV.allowWidening} may list only ${WIDENING_CLASSES.join(', ')}; got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return [...new Set(given)] as WideningClass[];
}

/** A comma-separated list of actions to auto-apply; one the workflow never applies fails fast, naming them. */
function autoApplyActions(value: string | undefined): AppliedAction[] {
  const given = list(value);
  const bad = given.filter((a) => !isAppliedAction(a));
  if (bad.length > 0) {
    throw new UsageError(
      `${ENV.autoApplyActions} may list only ${APPLIED_ACTIONS.join(', ')}; got ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return [...new Set(given.filter(isAppliedAction))];
}

/** The remediation scope from REMEDIABLE_ROLES / REMEDIABLE_PATHS; a bad value fails fast, naming the variables. */
function scopeFrom(env: Readonly<Record<string, string | undefined>>): RemediationScope {
  try {
    return remediationScopeFrom({
      mode: env[ENV.remediableRoles],
      paths: env[ENV.remediablePaths],
      ownRoleNames: [env[ENV.scannerRoleName], env[ENV.remediatorRoleName]].filter((n): n is string => !!n),
    });
  } catch (err) {
    if (err instanceof RemediationScopeError) {
      throw new UsageError(`${ENV.remediableRoles}/${ENV.remediablePaths}: ${err.message}`);
    }
    throw err;
  }
}

/** HUB_PARTITION: one of the supported partitions (missing is reported with the other missing variables). */
function partitionFrom(value: string | undefined): PartitionName {
  if (value === undefined || value === '' || isPartition(value)) return (value || 'aws') as PartitionName;
  throw new UsageError(`${ENV.partition} must be one of ${PARTITIONS.join(', ')}; got "${value.slice(0, 50)}"`);
}

export function loadEnv(env: Readonly<Record<string, string | undefined>>): WorkflowEnv {
  const missing: string[] = [];
  const required = (key: string) => {
    const value = env[key];
    if (!value) missing.push(key);
    return value ?? '';
  };
  const whole = (key: string, fallback: number) => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${key} must be a positive whole number; got "${raw}"`);
    return n;
  };
  const result: WorkflowEnv = {
    stateTable: required(ENV.stateTable),
    auditTable: required(ENV.auditTable),
    snapshotBucket: required(ENV.snapshotBucket),
    topicArn: required(ENV.topicArn),
    eventBusName: required(ENV.eventBusName),
    hubAccountId: required(ENV.hubAccountId),
    partition: partitionFrom(required(ENV.partition)),
    scannerRoleName: required(ENV.scannerRoleName),
    remediatorRoleName: required(ENV.remediatorRoleName),
    ...(env[ENV.externalId] ? { externalId: env[ENV.externalId] as string } : {}),
    accounts: list(env[ENV.accounts]),
    organization: env[ENV.organization] === 'true',
    organizationalUnits: list(env[ENV.organizationalUnits]),
    excludeAccounts: list(env[ENV.excludeAccounts]),
    regions: list(env[ENV.regions]),
    autoApplyActions: autoApplyActions(env[ENV.autoApplyActions]),
    allowWidening: wideningClasses(env[ENV.allowWidening]),
    remediationScope: scopeFrom(env),
    approvalTimeoutSeconds: whole(ENV.approvalTimeoutSeconds, 86400),
    clusterWaitAttempts: whole(ENV.clusterWaitAttempts, 30),
    ...(env[ENV.consoleUrl] ? { consoleUrl: env[ENV.consoleUrl] as string } : {}),
    ...(env[ENV.endpoint] ? { endpoint: env[ENV.endpoint] as string } : {}),
    readClusters: env[ENV.readClusters] === 'true',
    ...(env[ENV.remediationStateMachineArn]
      ? { remediationStateMachineArn: env[ENV.remediationStateMachineArn] as string }
      : {}),
    rejectionMemoryDays: whole(ENV.rejectionMemoryDays, 30),
    ...(env[ENV.securityHubRegion] ? { securityHubRegion: env[ENV.securityHubRegion] as string } : {}),
  };
  if (missing.length > 0) {
    throw new UsageError(
      `missing environment variable(s) ${missing.join(', ')}: the hub stack sets them on every function`,
    );
  }
  return result;
}
