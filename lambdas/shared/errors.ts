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
