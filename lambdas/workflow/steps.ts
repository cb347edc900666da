/**
 * The step registry: ONE declaration per workflow step (its code, contract, description, state machine, role, access,
 * timeout and memory). Everything else is derived from it:
 * - the generic Lambda handler (lambdas/handlers/workflow-step.ts, the step named by IRSA_DOCTOR_HANDLER),
 * - the hub's functions and their IAM grants (infra/constructs/workflow-functions.ts),
 * - the task states of both state machines (infra/constructs/sweep-state-machine.ts, remediation-state-machine.ts),
 * - the local runtime's handlers (infra/local/step-handlers.ts) and the docs.
 *
 * Adding a step: its function in run-steps.ts or plan-steps.ts, its schema in lambdas/shared/contracts.ts, one entry
 * here, and its state in the state machine that names it.
 */
import {
  type AnalyzeAccountInput,
  type ApplyPlanInput,
  type BuildIndexInput,
  type CheckClusterInput,
  type CollectAccountInput,
  type PlanStepInput,
  type RecordOutcomeInput,
  type ReleaseDependentsInput,
  type ReportInput,
  type RequestApprovalInput,
  type StartRunInput,
  schemas,
} from '../shared/contracts';
import { UnknownStepError } from '../shared/errors';
import type { WorkflowDeps } from './deps';
import {
  applyPlanStep,
  preparePlan,
  recordOutcome,
  releaseDependents,
  requestApproval,
  verifyPlan,
} from './plan-steps';
import { analyzeAccount, buildIssuerIndex, checkCluster, collectAccountStep, report, startRun } from './run-steps';

/** The variable that names a function's step (or, for the console's functions, its handler file). */
export const HANDLER_ENV_VAR = 'IRSA_DOCTOR_HANDLER';

/** The two state machines: the sweep (one execution per run) and the remediation (one execution per plan). */
export const STATE_MACHINES = ['sweep', 'remediation'] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/**
 * Which execution role a step's function runs as: the hub reader (the only role every ScannerRole trusts), the hub
 * writer (the only role every RemediatorRole trusts), or a role of its own holding exactly the step's access.
 */
export type StepRole = 'reader' | 'writer' | 'own';

/** What a step may do; the hub stack turns each into IAM grants (infra/constructs/workflow-functions.ts). */
export const STEP_ACCESS = [
  /** Read the state table (runs, findings, plans, approvals, rejections, suppressions). */
  'state-read',
  /** Read and write the state table. */
  'state-write',
  /** Append to the audit table (put only, conditional in code) and read it. */
  'audit-append',
  /** Read the run's snapshots, index and manifests in the snapshot bucket. */
  'snapshots-read',
  /** Read and write them. */
  'snapshots-write',
  /** Publish on the SNS topic (the run digest). */
  'notify',
  /** Put events on the hub bus (per-finding, per-plan and per-change events). */
  'events',
  /** Read AWS Organizations (the sweep's target accounts). */
  'organization',
  /** Assume the ScannerRole in member accounts (only with role `reader`). */
  'assume-scanner',
  /** Assume the RemediatorRole in member accounts (only with role `writer`). */
  'assume-remediator',
  /** Start executions of the remediation state machine (REMEDIATION_STATE_MACHINE_ARN), and only those. */
  'start-remediation',
  /**
   * Import findings into the hub account's Security Hub (BatchImportFindings on its default product only), when the
   * hub imports (config securityHub; SECURITY_HUB_REGION set): without it, nothing is granted.
   */
  'security-hub',
] as const;
export type StepAccess = (typeof STEP_ACCESS)[number];

/** Each step's validated input (its schema in lambdas/shared/contracts.ts). */
export interface StepInputs {
  'start-run': StartRunInput;
  'check-cluster': CheckClusterInput;
  'collect-account': CollectAccountInput;
  'build-index': BuildIndexInput;
  'analyze-account': AnalyzeAccountInput;
  report: ReportInput;
  'prepare-plan': PlanStepInput;
  'request-approval': RequestApprovalInput;
  'apply-plan': ApplyPlanInput;
  'verify-plan': PlanStepInput;
  'record-outcome': RecordOutcomeInput;
  'release-dependents': ReleaseDependentsInput;
}
export type WorkflowStepName = keyof StepInputs;

export interface StepDeclaration<N extends WorkflowStepName = WorkflowStepName> {
  readonly name: N;
  /** The step's code, over the ports only. */
  readonly run: (deps: WorkflowDeps, input: StepInputs[N]) => Promise<unknown>;
  /** The JSON Schema its input is validated against before `run` (schemas[name]). */
  readonly contract: (typeof schemas)[N];
  /** The function's description (shown in the Lambda console). */
  readonly description: string;
  /** The state machine whose task states invoke it. */
  readonly machine: StateMachineName;
  readonly role: StepRole;
  /** Everything the step may do; nothing else is granted. */
  readonly access: readonly StepAccess[];
  /** Lambda timeout, 1 to 900 seconds. */
  readonly timeoutSeconds: number;
  /** Lambda memory, 128 to 10240 MB. */
  readonly memoryMb: number;
}

type Declared = { readonly [N in WorkflowStepName]: Omit<StepDeclaration<N>, 'name' | 'contract'> };

const MINUTE = 60;
const DEFAULT_MEMORY = 1024;

const DECLARED: Declared = {
  'start-run': {
    run: startRun,
    description: 'IRSA Doctor: start a run, resolve its target accounts into a manifest, drop duplicate triggers',
    machine: 'sweep',
    role: 'reader',
    access: ['state-write', 'snapshots-write', 'organization', 'assume-scanner'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'check-cluster': {
    run: checkCluster,
    description: 'IRSA Doctor: is the new cluster active yet',
    machine: 'sweep',
    role: 'reader',
    access: ['assume-scanner'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'collect-account': {
    run: collectAccountStep,
    description: 'IRSA Doctor: collect one account (IAM roles, OIDC providers, EKS clusters) into a snapshot',
    machine: 'sweep',
    role: 'reader',
    access: ['snapshots-write', 'assume-scanner'],
    timeoutSeconds: 15 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'build-index': {
    run: buildIssuerIndex,
    description: "IRSA Doctor: index the estate's issuers (clusters, providers) and write the analysis manifest",
    machine: 'sweep',
    role: 'own',
    // Reads the run; reads the snapshots, writes the index and the analysis manifest.
    access: ['state-read', 'snapshots-write'],
    timeoutSeconds: 15 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'analyze-account': {
    run: analyzeAccount,
    description:
      'IRSA Doctor: analyze and plan one account against the issuer index; import its findings into Security Hub; start its remediations',
    machine: 'sweep',
    role: 'own',
    access: ['state-write', 'snapshots-read', 'events', 'start-remediation', 'security-hub'],
    timeoutSeconds: 15 * MINUTE,
    // Bounded by the largest account (1,000 roles), not the organization; one full vCPU.
    memoryMb: 1769,
  },
  report: {
    run: report,
    description: 'IRSA Doctor: one digest per run (findings, plans waiting, unreachable accounts), run done',
    machine: 'sweep',
    role: 'own',
    access: ['state-write', 'notify', 'events'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'prepare-plan': {
    run: preparePlan,
    description: 'IRSA Doctor: route a plan to approval, auto-apply or skip',
    machine: 'remediation',
    role: 'own',
    access: ['state-write'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'request-approval': {
    run: requestApproval,
    description: 'IRSA Doctor: ask a person to approve a plan (task token)',
    machine: 'remediation',
    role: 'own',
    // An event per request (the run's one digest, not an e-mail per plan, tells people).
    access: ['state-write', 'events'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'apply-plan': {
    run: applyPlanStep,
    description: 'IRSA Doctor: apply an approved plan with the remediator role',
    machine: 'remediation',
    role: 'writer',
    access: ['state-write', 'audit-append', 'events', 'assume-remediator'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'verify-plan': {
    run: verifyPlan,
    description: 'IRSA Doctor: re-read the resource and verify the applied plan',
    machine: 'remediation',
    role: 'reader',
    access: ['state-write', 'snapshots-read', 'assume-scanner'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'record-outcome': {
    run: recordOutcome,
    description: 'IRSA Doctor: record the outcome of a plan (and remember a rejection)',
    machine: 'remediation',
    role: 'own',
    access: ['state-write'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
  'release-dependents': {
    run: releaseDependents,
    description: 'IRSA Doctor: after a plan ends, start (or skip) the plans of its run that depend on it',
    machine: 'remediation',
    role: 'own',
    access: ['state-write', 'start-remediation'],
    timeoutSeconds: 5 * MINUTE,
    memoryMb: DEFAULT_MEMORY,
  },
};

/** Every workflow step, in the order the docs list them (sweep, then remediation). */
export const WORKFLOW_STEPS: readonly StepDeclaration[] = (Object.keys(DECLARED) as WorkflowStepName[]).map((name) =>
  declaration(name),
);
export const WORKFLOW_STEP_NAMES: readonly WorkflowStepName[] = WORKFLOW_STEPS.map((s) => s.name);

function declaration<N extends WorkflowStepName>(name: N): StepDeclaration<N> {
  return { name, contract: schemas[name], ...(DECLARED[name] as Omit<StepDeclaration<N>, 'name' | 'contract'>) };
}

export function isWorkflowStep(name: unknown): name is WorkflowStepName {
  return typeof name === 'string' && Object.hasOwn(DECLARED, name);
}

/** The declaration of `name`; throws naming the known steps when there is none. */
export function stepNamed(name: unknown): StepDeclaration {
  if (!isWorkflowStep(name)) {
    throw new UnknownStepError(
      `no workflow step named ${JSON.stringify(name)}; the steps are ${WORKFLOW_STEP_NAMES.join(', ')}`,
    );
  }
  return declaration(name) as unknown as StepDeclaration;
}

/** The steps whose tasks are in `machine`. */
export function stepsOf(machine: StateMachineName): StepDeclaration[] {
  return WORKFLOW_STEPS.filter((s) => s.machine === machine);
}

type Rule = readonly [broken: (s: StepDeclaration) => boolean, problem: string];
const has = (s: StepDeclaration, a: StepAccess) => s.access.includes(a);
const within = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** What each declaration must hold, with the problem named when it does not. */
const RULES: readonly Rule[] = [
  [
    (s) => has(s, 'assume-scanner') !== (s.role === 'reader'),
    'assume-scanner goes with role reader, and role reader with assume-scanner',
  ],
  [
    (s) => has(s, 'assume-remediator') !== (s.role === 'writer'),
    'assume-remediator goes with role writer, and role writer with assume-remediator',
  ],
  [(s) => has(s, 'state-read') && has(s, 'state-write'), 'state-write already reads'],
  [(s) => has(s, 'snapshots-read') && has(s, 'snapshots-write'), 'snapshots-write already reads'],
  [(s) => new Set(s.access).size !== s.access.length, 'access lists an entry twice'],
  [(s) => !within(s.timeoutSeconds, 1, 900), 'timeoutSeconds must be a whole number from 1 to 900'],
  [(s) => !within(s.memoryMb, 128, 10240), 'memoryMb must be a whole number from 128 to 10240'],
  [(s) => s.contract !== schemas[s.name], 'contract is not its schema in lambdas/shared/contracts.ts'],
];

/**
 * The rules every declaration must follow, as problems (empty when sound): the member roles trust only the hub
 * reader and writer, so assuming the scanner requires role `reader` and the remediator role `writer` (and a shared
 * role never grants those to a step that did not ask: `reader` steps assume the scanner, `writer` steps the
 * remediator); write access implies read; sizes within Lambda's limits.
 */
export function registryProblems(steps: readonly StepDeclaration[] = WORKFLOW_STEPS): string[] {
  return steps.flatMap((s) => RULES.filter(([broken]) => broken(s)).map(([, problem]) => `${s.name}: ${problem}`));
}
