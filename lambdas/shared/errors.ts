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

/**
 * A kubeconfig that cannot be used: a missing or unreadable file, YAML or JSON that does not parse, an unknown
 * context, a context whose cluster or user is not defined, or a setting IRSA Doctor refuses
 * (`insecure-skip-tls-verify`).
 */
export class KubeconfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KubeconfigError';
  }
}

/**
 * A Kubernetes API call failed. `code` is the short code a partial or unreadable cluster records (`Unauthorized`,
 * `Forbidden`, `Unreachable`, `TlsVerification`, `Credentials`, `TooLarge`, `TooMany`, `Expired`,
 * `InvalidResponse`, `HTTP 500`...); `status` the HTTP status when there was one.
 */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

/** 401: the API server did not accept the credentials (expired token, unknown identity, no EKS access entry). */
export class KubeUnauthorizedError extends KubeApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Unauthorized', 401, options);
    this.name = 'KubeUnauthorizedError';
  }
}

/** 403: RBAC does not allow this verb on this resource for the identity. */
export class KubeForbiddenError extends KubeApiError {
  constructor(
    message: string,
    readonly verb: string,
    readonly resource: string,
    options?: ErrorOptions,
  ) {
    super(message, 'Forbidden', 403, options);
    this.name = 'KubeForbiddenError';
  }
}

/** The API server could not be reached: DNS, connection refused or reset, or no answer in time. */
export class KubeUnreachableError extends KubeApiError {
  constructor(
    message: string,
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(message, 'Unreachable', undefined, options);
    this.name = 'KubeUnreachableError';
  }
}

/** The API server's certificate did not verify against the cluster's CA (or the host name did not match it). */
export class KubeTlsError extends KubeApiError {
  constructor(
    message: string,
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(message, 'TlsVerification', undefined, options);
    this.name = 'KubeTlsError';
  }
}

/** The credentials could not be obtained: the exec plugin failed or timed out, or the token file is unreadable. */
export class KubeCredentialError extends KubeApiError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Credentials', undefined, options);
    this.name = 'KubeCredentialError';
  }
}

/** The API server answered, but not with what was asked: an unexpected status, a body too large, not JSON. */
export class KubeResponseError extends KubeApiError {
  constructor(message: string, code: string, status?: number, options?: ErrorOptions) {
    super(message, code, status, options);
    this.name = 'KubeResponseError';
  }
}

export class OutputWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutputWriteError';
  }
}

/**
 * The console or its API could not be reached, or answered something that is not HTTP JSON: connection refused,
 * a DNS failure, a TLS error, a timeout. The CLI prints it on one line and exits 2.
 */
export class NetworkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** Security Hub refused findings of an import after the retries: their ids and the first refusals. */
export class FindingsImportError extends Error {
  constructor(
    message: string,
    readonly failed: readonly { readonly id: string; readonly code: string; readonly message: string }[],
  ) {
    super(message);
    this.name = 'FindingsImportError';
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

/** A plan needing two approvers was approved again by the person who gave its first approval: HTTP 409. */
export class SameApproverError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SameApproverError';
  }
}

/** The approval was given for different content than the plan now holds. */
export class PlanChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanChangedError';
  }
}

/** A decision by a person who never opened the plan's content (its page or detail): HTTP 409. */
export class PlanNotOpenedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanNotOpenedError';
  }
}

/** The caller is authenticated but not allowed to do this (not in the approvers group): HTTP 403. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** A listing's page request is not usable: a cursor it did not give (or another listing's), or a bad limit: HTTP 400. */
export class InvalidPageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPageError';
  }
}

/** No run with this id (or it aged out, or it is outside the caller's scope): HTTP 404. */
export class RunNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotFoundError';
  }
}

/** A query parameter of a listing is unknown, repeated, or not a value it accepts: HTTP 400 naming the parameter. */
export class InvalidQueryError extends Error {
  constructor(
    message: string,
    readonly parameter: string,
  ) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

/** No suppression (mutelist entry) with this id. */
export class SuppressionNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuppressionNotFoundError';
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

/** A name that is not a declared workflow step (a function deployed with a wrong IRSA_DOCTOR_HANDLER, a typo). */
export class UnknownStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownStepError';
  }
}

/** What an earlier step of the run should have left (the issuer index, the run record) is not there. */
export class RunDataMissingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RunDataMissingError';
  }
}
