import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledgeMachineGrants, invokeStep, requireStepFunctions, type StepFunctions } from './step-tasks';

/**
 * The remediation state machine's name. Fixed, because its own Release Dependents step starts executions of it: the
 * function's environment and grant name the ARN built from this name, not a reference that would be circular.
 */
export const REMEDIATION_STATE_MACHINE_NAME = 'IrsaDoctorRemediation';

/** Time beyond the approval wait for the other steps (and their retries) before an execution is stopped. */
export const REMEDIATION_TIMEOUT_MARGIN = Duration.hours(6);

/** Step Functions' limit on a standard execution's duration. */
const MAX_EXECUTION_SECONDS = 365 * 24 * 3600;

/** Errors the steps throw by name (lambdas/shared/errors.ts) and the states that catch them. */
export const CAUGHT_ERRORS = {
  rejected: 'PlanRejected',
  drift: ['StalePlanError', 'ConcurrentEditError'],
  timeout: 'States.Timeout',
  any: 'States.ALL',
} as const;

export interface RemediationStateMachineProps {
  /** The function of each remediation step (lambdas/workflow/steps.ts, machine 'remediation'). */
  readonly functions: StepFunctions;
  /** How long a plan waits for a person (1 second to 364 days). @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
  /** Where it logs (level ALL, no execution data). @default - a log group of its own, kept a year */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * One execution per plan, input {runId, planId, dryRun}, named remediationExecutionName(runId, planId) so a plan is
 * never started twice; started by Analyze Account (plans without a dependency in the run) and by Release Dependents
 * (the others, once their dependencies ended):
 *
 *   Prepare Plan -> Route Plan: approval -> Wait For Approval (task token, approvalTimeout)
 *                               auto     -> Approved By Configuration
 *                               skip     -> Record Skipped
 *   -> Dry Run? yes -> Record Dry Run;  no -> Apply Plan -> Verify Plan
 *   rejection, timeout, drift, each failure: recorded (Record ...)
 *   every one of those ends -> Release Dependents -> Plan Done
 *
 * Any number of executions wait at once. The execution's own timeout (approvalTimeout + REMEDIATION_TIMEOUT_MARGIN)
 * only stops one that is stuck beyond every step's retries.
 */
export class RemediationStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The ARN, built from the fixed name (for the steps that start executions of it, this one's own included). */
  readonly stateMachineArn: string;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: RemediationStateMachineProps) {
    super(scope, id);
    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    const approvalSeconds = approvalTimeout.toSeconds({ integral: false });
    this.timeout = Duration.seconds(approvalSeconds + REMEDIATION_TIMEOUT_MARGIN.toSeconds());
    if (!Number.isInteger(approvalSeconds) || approvalSeconds < 1 || this.timeout.toSeconds() > MAX_EXECUTION_SECONDS) {
      throw new Error(
        `approvalTimeout must be a whole number of seconds from 1 second to 364 days, got ${approvalTimeout.toHumanString()}`,
      );
    }
    const { fn, invoked } = requireStepFunctions('remediation', props.functions);
    const plan = { 'runId.$': '$.runId', 'planId.$': '$.planId' };

    // ---- the one way out: release the plans that depend on this one ------------------------------------------
    const planDone = new sfn.Succeed(this, 'Plan Done', { stateName: 'Plan Done' });
    const release = invokeStep(this, 'Release Dependents', fn('release-dependents'), plan, '$.released');
    // Starting a dependent is idempotent (execution names), so a failure is retried; one that persists fails the
    // execution, visibly, rather than leave the dependents waiting in silence.
    release.addRetry({ errors: [CAUGHT_ERRORS.any], interval: Duration.seconds(2), maxAttempts: 2, backoffRate: 2 });
    release.addCatch(new sfn.Fail(this, 'Release Failed', { stateName: 'Release Failed', error: 'ReleaseFailed' }), {
      errors: [CAUGHT_ERRORS.any],
      resultPath: '$.error',
    });
    release.next(planDone);

    const record = (name: string, outcome: string, withError: boolean) => {
      const task = invokeStep(
        this,
        name,
        fn('record-outcome'),
        { ...plan, outcome, ...(withError ? { 'error.$': '$.error' } : {}) },
        sfn.JsonPath.DISCARD,
      );
      // A failed record still releases the dependents (they check the plan's status themselves).
      task.addCatch(release, { errors: [CAUGHT_ERRORS.any], resultPath: '$.recordError' });
      return task.next(release);
    };

    // ---- approval, apply, verify ------------------------------------------------------------------------------
    const preparePlan = invokeStep(this, 'Prepare Plan', fn('prepare-plan'), plan, '$.route');
    const waitForApproval = new tasks.LambdaInvoke(this, 'Wait For Approval', {
      stateName: 'Wait For Approval',
      lambdaFunction: fn('request-approval'),
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({ taskToken: sfn.JsonPath.taskToken, ...plan }),
      taskTimeout: sfn.Timeout.duration(approvalTimeout),
      resultPath: '$.approval',
    });
    const autoApproved = new sfn.Pass(this, 'Approved By Configuration', {
      stateName: 'Approved By Configuration',
      result: sfn.Result.fromObject({ approvedBy: 'configuration', comment: 'action allowed without approval' }),
      resultPath: '$.approval',
    });
    const applyPlan = invokeStep(
      this,
      'Apply Plan',
      fn('apply-plan'),
      { ...plan, 'approval.$': '$.approval' },
      '$.applied',
    );
    const verifyPlan = invokeStep(this, 'Verify Plan', fn('verify-plan'), plan, '$.verification');
    const isDryRun = new sfn.Choice(this, 'Dry Run?', { stateName: 'Dry Run?' })
      .when(sfn.Condition.booleanEquals('$.dryRun', true), record('Record Dry Run', 'dry-run', false))
      .otherwise(applyPlan);

    waitForApproval
      .addCatch(record('Record Rejection', 'rejected', true), {
        errors: [CAUGHT_ERRORS.rejected],
        resultPath: '$.error',
      })
      .addCatch(record('Record Approval Timeout', 'timed-out', true), {
        errors: [CAUGHT_ERRORS.timeout],
        resultPath: '$.error',
      })
      .addCatch(record('Record Approval Failure', 'failed', true), {
        errors: [CAUGHT_ERRORS.any],
        resultPath: '$.error',
      })
      .next(isDryRun);
    autoApproved.next(isDryRun);
    applyPlan
      .addCatch(record('Record Drift', 'drift', true), { errors: [...CAUGHT_ERRORS.drift], resultPath: '$.error' })
      .addCatch(record('Record Apply Failure', 'failed', true), { errors: [CAUGHT_ERRORS.any], resultPath: '$.error' })
      .next(verifyPlan);
    verifyPlan
      .addCatch(record('Record Verify Failure', 'verify-failed', true), {
        errors: [CAUGHT_ERRORS.any],
        resultPath: '$.error',
      })
      .next(release);
    preparePlan
      .addCatch(record('Record Prepare Failure', 'failed', true), {
        errors: [CAUGHT_ERRORS.any],
        resultPath: '$.error',
      })
      .next(
        new sfn.Choice(this, 'Route Plan', { stateName: 'Route Plan' })
          .when(sfn.Condition.stringEquals('$.route.route', 'approval'), waitForApproval)
          .when(sfn.Condition.stringEquals('$.route.route', 'auto'), autoApproved)
          .otherwise(record('Record Skipped', 'skipped', false)),
      );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: REMEDIATION_STATE_MACHINE_NAME,
      definitionBody: sfn.DefinitionBody.fromChainable(preparePlan),
      timeout: this.timeout,
      tracingEnabled: true,
      logs: {
        destination: props.logGroup ?? new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_YEAR }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    acknowledgeMachineGrants(this.stateMachine, invoked);
    this.stateMachineArn = RemediationStateMachine.arnIn(this);
  }

  /** The remediation state machine's ARN in the stack of `scope`, from its fixed name. */
  static arnIn(scope: Construct): string {
    return Stack.of(scope).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: REMEDIATION_STATE_MACHINE_NAME,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
