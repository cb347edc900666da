/**
 * Typed errors. Each sets `name` explicitly, so it survives minification and Step Functions can catch it by name.
 */
export class SnapshotValidationError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SnapshotValidationError';
  }
}

export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export class InputReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputReadError';
  }
}

/**
 * The resource no longer holds what the plan was made from (someone changed it since, or it is gone): the writer
 * refused, nothing was written. Re-scan and re-plan.
 */
export class StalePlanError extends Error {
  constructor(
    message: string,
    readonly planId: string,
    readonly resourceArn: string,
    readonly current: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StalePlanError';
  }
}

/** The write went out, but reading the resource back did not show it: another writer changed it at the same time. */
export class ConcurrentEditError extends Error {
  constructor(
    message: string,
    readonly planId: string,
    readonly resourceArn: string,
    readonly current: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ConcurrentEditError';
  }
}

/** The plan is not one the workflow may apply (propose-only, unsupported action, or read-only credentials). */
export class PlanNotApplicableError extends Error {
  constructor(
    message: string,
    readonly planId: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PlanNotApplicableError';
  }
}

/** The base AWS credentials (profile, environment or instance role) could not be used at all. */
export class CredentialsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}

export class OutputWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutputWriteError';
  }
}

/** A Lambda step's input does not match its contract (lambdas/shared/contracts.ts): a wiring bug, not retried. */
export class InvalidPayloadError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

export class PlanNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanNotFoundError';
  }
}

/** No approval is waiting for this plan (never requested, or already decided and gone). */
export class ApprovalNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalNotFoundError';
  }
}

export class ApprovalExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalExpiredError';
  }
}

/** Someone already approved or rejected this plan: a decision is recorded once. */
export class AlreadyDecidedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlreadyDecidedError';
  }
}

/** The approval was given for different content than the plan now holds. */
export class PlanChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanChangedError';
  }
}

/** The caller is authenticated but not allowed to do this (not in the approvers group): HTTP 403. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** No applied change with this id in the audit log. */
export class ChangeNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeNotFoundError';
  }
}

/**
 * A rollback was refused: the resource no longer holds what the change wrote (someone edited it since), a later
 * change depends on this one, or it was rolled back already. Nothing was written.
 */
export class RollbackRefusedError extends Error {
  constructor(
    message: string,
    readonly changeId: string,
    readonly reason: 'drift' | 'dependents' | 'already-rolled-back' | 'not-reversible',
    readonly current?: unknown,
  ) {
    super(message);
    this.name = 'RollbackRefusedError';
  }
}

/**
 * A `--kube-objects` file that is not `kubectl get ... -o json` output at all (not JSON, not a Kubernetes object or
 * List, too large, not UTF-8). Bad objects inside a good file never throw: they make the cluster `partial`.
 */
export class KubeObjectsFileError extends InputReadError {
  constructor(
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubeObjectsFileError';
  }
}

/** A cluster named as CLUSTER@REGION is not in the snapshot, or is in more than one account. */
export class ClusterLookupError extends UsageError {
  constructor(
    message: string,
    readonly cluster: string,
    readonly region: string,
  ) {
    super(message);
    this.name = 'ClusterLookupError';
  }
}
