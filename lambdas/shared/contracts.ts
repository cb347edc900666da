/**
 * What each Lambda step of the state machine takes, as TypeScript types and JSON Schemas; every handler validates
 * its input against its schema before acting (InvalidPayloadError names each bad path).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { InvalidPayloadError } from './errors';
import { clip } from './text';

const accountId = { type: 'string', pattern: '^\\d{12}$' };
const region = { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d{1,2}$' };
const id = { type: 'string', minLength: 1, maxLength: 256 };
const cluster = {
  type: 'object',
  required: ['accountId', 'region', 'name'],
  properties: { accountId, region, name: { type: 'string', pattern: '^[0-9A-Za-z][A-Za-z0-9\\-_]{0,99}$' } },
  additionalProperties: false,
};
const target = {
  type: 'object',
  required: ['accountId'],
  properties: { accountId, name: { type: 'string' } },
  additionalProperties: false,
};
const stepError = {
  type: 'object',
  properties: { Error: { type: 'string' }, Cause: { type: 'string' } },
};

export interface ClusterInput {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/** The state machine's execution input. */
export interface RunInput {
  readonly mode?: 'sweep' | 'cluster';
  readonly trigger?: string;
  readonly dryRun?: boolean;
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  readonly cluster?: ClusterInput;
  readonly requestedBy?: string;
}

export const runInputSchema = {
  type: 'object',
  properties: {
    mode: { enum: ['sweep', 'cluster'] },
    trigger: { type: 'string', maxLength: 64 },
    dryRun: { type: 'boolean' },
    accounts: { type: 'array', items: accountId, maxItems: 10000 },
    regions: { type: 'array', items: region, minItems: 1, maxItems: 40 },
    cluster,
    requestedBy: { type: 'string', maxLength: 256 },
  },
  additionalProperties: false,
  // A single-cluster run names its cluster.
  anyOf: [{ properties: { mode: { not: { const: 'cluster' } } } }, { required: ['cluster'] }],
};

export interface StartRunInput {
  readonly input: RunInput;
  readonly executionId: string;
  readonly executionName: string;
  readonly startedAt: string;
}

/**
 * What start-run returns to the sweep: no list of targets (10,000 accounts would pass the 256 KiB payload limit),
 * their count and the S3 manifest the Collect Accounts Distributed Map reads them from.
 */
export interface RunContext {
  readonly runId: string;
  readonly mode: 'sweep' | 'cluster';
  readonly dryRun: boolean;
  readonly duplicate: boolean;
  readonly regions: readonly string[];
  readonly cluster?: ClusterInput;
  readonly clusterCheck: { readonly attempt: number };
  /** How many accounts the run covers. */
  readonly accounts: number;
  /** JSON array of {accountId, name?} (the Distributed Map's ItemReader). */
  readonly targetsManifest: { readonly bucket: string; readonly key: string };
}

export interface CheckClusterInput {
  readonly cluster: ClusterInput;
  readonly attempt: number;
}
export interface CollectAccountInput {
  readonly runId: string;
  readonly regions: readonly string[];
  readonly target: { readonly accountId: string; readonly name?: string };
}
export interface AnalyzePlanInput {
  readonly runId: string;
  readonly targets: ReadonlyArray<{ readonly accountId: string; readonly name?: string }>;
  readonly dryRun: boolean;
}
/** The run's one digest (after every account is analyzed). `phase` is accepted for older definitions, ignored. */
export interface ReportInput {
  readonly runId: string;
  readonly phase?: 'proposed' | 'final';
}
/** After collection: the issuer index of the whole estate and the manifest of accounts to analyze. */
export interface BuildIndexInput {
  readonly runId: string;
}
/** One account's analysis and planning (a Distributed Map item). */
export interface AnalyzeAccountInput {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly target: { readonly accountId: string; readonly name?: string };
}
/** After a plan's remediation ends (any outcome): start or skip the plans of its run that depend on it. */
export interface ReleaseDependentsInput {
  readonly runId: string;
  readonly planId: string;
}
export interface PlanStepInput {
  readonly runId: string;
  readonly planId: string;
}
export interface RequestApprovalInput extends PlanStepInput {
  readonly taskToken: string;
}
export interface Approval {
  readonly approvedBy: string;
  readonly approvedAt?: string;
  readonly comment?: string;
  readonly contentHash?: string;
}
export interface ApplyPlanInput extends PlanStepInput {
  readonly approval: Approval;
}
export type Outcome = 'rejected' | 'timed-out' | 'dry-run' | 'drift' | 'failed' | 'verify-failed' | 'skipped';
export interface RecordOutcomeInput extends PlanStepInput {
  readonly outcome: Outcome;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

const planStep = {
  type: 'object',
  required: ['runId', 'planId'],
  properties: { runId: id, planId: id },
};

export const schemas = {
  'start-run': {
    type: 'object',
    required: ['input', 'executionId', 'executionName', 'startedAt'],
    properties: { input: runInputSchema, executionId: id, executionName: id, startedAt: { type: 'string' } },
  },
  'check-cluster': {
    type: 'object',
    required: ['cluster', 'attempt'],
    properties: { cluster, attempt: { type: 'integer', minimum: 0 } },
  },
  'collect-account': {
    type: 'object',
    required: ['runId', 'regions', 'target'],
    properties: { runId: id, regions: { type: 'array', items: region, minItems: 1 }, target },
  },
  'analyze-plan': {
    type: 'object',
    required: ['runId', 'targets', 'dryRun'],
    properties: { runId: id, targets: { type: 'array', items: target }, dryRun: { type: 'boolean' } },
  },
  report: {
    type: 'object',
    required: ['runId'],
    properties: { runId: id, phase: { enum: ['proposed', 'final'] } },
  },
  'build-index': {
    type: 'object',
    required: ['runId'],
    properties: { runId: id },
  },
  'analyze-account': {
    type: 'object',
    required: ['runId', 'dryRun', 'target'],
    properties: { runId: id, dryRun: { type: 'boolean' }, target },
  },
  'release-dependents': planStep,
  'prepare-plan': planStep,
  'request-approval': {
    ...planStep,
    required: ['runId', 'planId', 'taskToken'],
    properties: { ...planStep.properties, taskToken: { type: 'string', minLength: 1 } },
  },
  'apply-plan': {
    ...planStep,
    required: ['runId', 'planId', 'approval'],
    properties: {
      ...planStep.properties,
      approval: {
        type: 'object',
        required: ['approvedBy'],
        properties: {
          approvedBy: { type: 'string', minLength: 1 },
          approvedAt: { type: 'string' },
          comment: { type: 'string' },
          contentHash: { type: 'string' },
        },
      },
    },
  },
  'verify-plan': planStep,
  'record-outcome': {
    ...planStep,
    required: ['runId', 'planId', 'outcome'],
    properties: {
      ...planStep.properties,
      outcome: { enum: ['rejected', 'timed-out', 'dry-run', 'drift', 'failed', 'verify-failed', 'skipped'] },
      error: stepError,
    },
  },
  // The audit reconciler (on a schedule): leaves intents younger than minAgeSeconds alone.
  'reconcile-audit': {
    type: 'object',
    properties: { minAgeSeconds: { type: 'integer', minimum: 0, maximum: 604800 } },
    additionalProperties: false,
  },
  // The deliverer: records of the state table's stream (a decision recorded), or the reconciler's schedule.
  'deliver-decisions': {
    oneOf: [
      streamEvent('^RUN#.{1,300}$', '^APPROVAL#.{1,300}$'),
      {
        type: 'object',
        required: ['reconcile'],
        properties: { reconcile: { const: true }, olderThanSeconds: { type: 'integer', minimum: 0 } },
      },
    ],
  },
  // The rollback step: records of the state table's stream (a rollback requested), or the reconciler's schedule
  // (requests still pending or running after olderThanSeconds; default ROLLBACK_RECONCILE_AFTER_MS).
  'run-rollback': {
    oneOf: [
      streamEvent('^ROLLBACK#.{1,300}$', '^REQUEST$'),
      {
        type: 'object',
        required: ['reconcile'],
        properties: { reconcile: { const: true }, olderThanSeconds: { type: 'integer', minimum: 0 } },
        additionalProperties: false,
      },
    ],
  },
} as const;

/** A DynamoDB stream event (Lambda event source mapping) whose records' keys match these patterns. */
function streamEvent(pk: string, sk: string) {
  return {
    type: 'object',
    required: ['Records'],
    properties: {
      Records: {
        type: 'array',
        maxItems: 1000,
        items: {
          type: 'object',
          required: ['dynamodb'],
          properties: {
            dynamodb: {
              type: 'object',
              required: ['Keys'],
              properties: {
                Keys: {
                  type: 'object',
                  required: ['pk', 'sk'],
                  properties: {
                    pk: { type: 'object', required: ['S'], properties: { S: { type: 'string', pattern: pk } } },
                    sk: { type: 'object', required: ['S'], properties: { S: { type: 'string', pattern: sk } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  } as const;
}

/** The keys of a validated stream event's records. */
export interface StreamKeysEvent {
  readonly Records: readonly { readonly dynamodb: { readonly Keys: { pk: { S: string }; sk: { S: string } } } }[];
}
export type DeliverDecisionsInput = StreamKeysEvent | { readonly reconcile: true; readonly olderThanSeconds?: number };
export type RunRollbackInput = StreamKeysEvent | { readonly reconcile: true; readonly olderThanSeconds?: number };

/** Bodies of the approval API's POST requests (lambdas/api/http-api.ts). */
export const apiSchemas = {
  'api-decision': {
    type: 'object',
    required: ['contentHash'],
    properties: {
      contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      comment: { type: 'string', maxLength: 1000 },
    },
    additionalProperties: false,
  },
  'api-rollback': {
    type: 'object',
    properties: { comment: { type: 'string', maxLength: 1000 } },
    additionalProperties: false,
  },
} as const;

export interface ApiDecisionBody {
  readonly contentHash: string;
  readonly comment?: string;
}
export interface ApiRollbackBody {
  readonly comment?: string;
}

export type StepName = keyof typeof schemas | keyof typeof apiSchemas;
const allSchemas = { ...schemas, ...apiSchemas };

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<StepName, ValidateFunction>();

/** Validates a step's input against its contract; returns it typed, or throws InvalidPayloadError naming each path. */
export function validateInput<T>(step: StepName, input: unknown): T {
  let validate = compiled.get(step);
  if (!validate) {
    validate = ajv.compile(allSchemas[step]);
    compiled.set(step, validate);
  }
  if (validate(input)) return input as T;
  // Paths and messages are cut: a payload's keys are data, and a 20 MB key must not become a 20 MB error.
  const problems = (validate.errors ?? []).map(
    (e) => `$${clip(e.instancePath.replace(/\//g, '.'), 200)}: ${clip(e.message ?? 'invalid', 200)}`,
  );
  const shown = problems.slice(0, 20);
  const more = problems.length > shown.length ? `; ... and ${problems.length - shown.length} more` : '';
  throw new InvalidPayloadError(`${step}: invalid input: ${shown.join('; ')}${more}`, shown);
}
