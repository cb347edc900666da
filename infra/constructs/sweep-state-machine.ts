import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** The Lambda step of each state; one handler file each in lambdas/handlers/. */
export interface SweepFunctions {
  readonly startRun: IFunction;
  readonly checkCluster: IFunction;
  readonly collectAccount: IFunction;
  readonly analyzePlan: IFunction;
  readonly report: IFunction;
  readonly preparePlan: IFunction;
  readonly requestApproval: IFunction;
  readonly applyPlan: IFunction;
  readonly verifyPlan: IFunction;
  readonly recordOutcome: IFunction;
}

export interface SweepStateMachineProps {
  readonly functions: SweepFunctions;
  /** How long a plan waits for a person. @default Duration.hours(24) */
  readonly approvalTimeout?: Duration;
  /** Accounts collected at once. @default 10 */
  readonly accountConcurrency?: number;
  /** Plans of one wave processed at once (each may wait for its approval). @default 10 */
  readonly planConcurrency?: number;
  /** Interval between status checks of a new cluster. @default Duration.seconds(60) */
  readonly clusterPollInterval?: Duration;
  readonly logGroup?: ILogGroup;
}

/** Errors the steps throw by name (lambdas/shared/errors.ts) and the states that catch them. */
export const CAUGHT_ERRORS = {
  rejected: 'PlanRejected',
  drift: ['StalePlanError', 'ConcurrentEditError'],
} as const;

/**
 * The IRSA Doctor workflow, top to bottom, JSONPath only (so the local ASL interpreter runs exactly this):
 *
 *   Start Run -> Duplicate Trigger? -> Single Cluster Run? -> [Check Cluster Status <-> Wait For Cluster]
 *   -> Collect Accounts (Map: Collect Account) -> Analyze And Plan -> Report Findings
 *   -> Process Plan Waves (Map, one wave at a time: providers before the trust policies that name them)
 *        -> Process Plans (Map: Prepare Plan -> Route Plan -> Wait For Approval (task token) -> Dry Run?
 *           -> Apply Plan -> Verify Plan; rejection, timeout, drift, failure each recorded, never failing the run)
 *   -> Report Run
 *
 * Payloads stay small: snapshots live in S3 and plans in DynamoDB; the state carries ids and counts, so the number
 * of transitions per account does not grow with roles or clusters.
 */
export class SweepStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: SweepStateMachineProps) {
    super(scope, id);
    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    if (approvalTimeout.toSeconds() < 1 || approvalTimeout.toDays({ integral: false }) > 365) {
      throw new Error(`approvalTimeout must be between 1 second and 365 days, got ${approvalTimeout.toHumanString()}`);
    }
    const accountConcurrency = props.accountConcurrency ?? 10;
    const planConcurrency = props.planConcurrency ?? 10;
    for (const [name, value] of [
      ['accountConcurrency', accountConcurrency],
      ['planConcurrency', planConcurrency],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > 1000) {
        throw new Error(`${name} must be a whole number from 1 to 1000, got ${value}`);
      }
    }
    const f = props.functions;
    // resultPath '$' (the result replaces the input) is written by leaving ResultPath out, its default.
    const invoke = (name: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, name, {
        stateName: name,
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        ...(resultPath === '$' ? {} : { resultPath }),
        retryOnServiceExceptions: true,
      });
    const record = (name: string, outcome: string, withError: boolean) =>
      invoke(
        name,
        f.recordOutcome,
        {
          'runId.$': '$.runId',
          'planId.$': '$.planId',
          outcome,
          ...(withError ? { 'error.$': '$.error' } : {}),
        },
        sfn.JsonPath.DISCARD,
      ).addCatch(new sfn.Pass(this, `${name} Failed`, { stateName: `${name} Failed` }), {
        errors: ['States.ALL'],
        resultPath: '$.recordError',
      });

    // ---- start, dedupe, wait for a new cluster --------------------------------------------------------------
    const startRun = invoke(
      'Start Run',
      f.startRun,
      {
        'input.$': '$',
        'executionId.$': '$$.Execution.Id',
        'executionName.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
      },
      '$',
    );
    const skipDuplicate = new sfn.Succeed(this, 'Skip Duplicate Trigger', { stateName: 'Skip Duplicate Trigger' });
    const checkCluster = invoke(
      'Check Cluster Status',
      f.checkCluster,
      { 'cluster.$': '$.cluster', 'attempt.$': '$.clusterCheck.attempt' },
      '$.clusterCheck',
    );
    const waitForCluster = new sfn.Wait(this, 'Wait For Cluster', {
      stateName: 'Wait For Cluster',
      time: sfn.WaitTime.duration(props.clusterPollInterval ?? Duration.seconds(60)),
    });

    // ---- collect, analyze, plan -----------------------------------------------------------------------------
    const collectAccounts = new sfn.Map(this, 'Collect Accounts', {
      stateName: 'Collect Accounts',
      itemsPath: '$.targets',
      maxConcurrency: accountConcurrency,
      itemSelector: {
        'runId.$': '$.runId',
        'regions.$': '$.regions',
        'target.$': '$$.Map.Item.Value',
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    collectAccounts.itemProcessor(
      invoke(
        'Collect Account',
        f.collectAccount,
        { 'runId.$': '$.runId', 'regions.$': '$.regions', 'target.$': '$.target' },
        sfn.JsonPath.DISCARD,
      ).addCatch(new sfn.Pass(this, 'Account Collection Failed', { stateName: 'Account Collection Failed' }), {
        errors: ['States.ALL'],
        resultPath: '$.error',
      }),
    );
    const analyze = invoke(
      'Analyze And Plan',
      f.analyzePlan,
      { 'runId.$': '$.runId', 'targets.$': '$.targets', 'dryRun.$': '$.dryRun' },
      '$.analysis',
    );
    const reportFindings = invoke(
      'Report Findings',
      f.report,
      { 'runId.$': '$.runId', phase: 'proposed' },
      sfn.JsonPath.DISCARD,
    );

    // ---- one plan: approval, apply, verify ------------------------------------------------------------------
    const preparePlan = invoke(
      'Prepare Plan',
      f.preparePlan,
      { 'runId.$': '$.runId', 'planId.$': '$.planId' },
      '$.route',
    );
    const waitForApproval = new tasks.LambdaInvoke(this, 'Wait For Approval', {
      stateName: 'Wait For Approval',
      lambdaFunction: f.requestApproval,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        taskToken: sfn.JsonPath.taskToken,
        'runId.$': '$.runId',
        'planId.$': '$.planId',
      }),
      taskTimeout: sfn.Timeout.duration(approvalTimeout),
      resultPath: '$.approval',
    });
    const autoApproved = new sfn.Pass(this, 'Approved By Configuration', {
      stateName: 'Approved By Configuration',
      result: sfn.Result.fromObject({ approvedBy: 'configuration', comment: 'action allowed without approval' }),
      resultPath: '$.approval',
    });
    const applyPlan = invoke(
      'Apply Plan',
      f.applyPlan,
      { 'runId.$': '$.runId', 'planId.$': '$.planId', 'approval.$': '$.approval' },
      '$.applied',
    );
    const verifyPlan = invoke(
      'Verify Plan',
      f.verifyPlan,
      { 'runId.$': '$.runId', 'planId.$': '$.planId' },
      '$.verification',
    );
    const planDone = new sfn.Succeed(this, 'Plan Done', { stateName: 'Plan Done' });
    const isDryRun = new sfn.Choice(this, 'Dry Run?', { stateName: 'Dry Run?' })
      .when(sfn.Condition.booleanEquals('$.dryRun', true), record('Record Dry Run', 'dry-run', false))
      .otherwise(applyPlan);
    waitForApproval
      .addCatch(record('Record Rejection', 'rejected', true), {
        errors: [CAUGHT_ERRORS.rejected],
        resultPath: '$.error',
      })
      .addCatch(record('Record Approval Timeout', 'timed-out', true), {
        errors: ['States.Timeout'],
        resultPath: '$.error',
      })
      .addCatch(record('Record Approval Failure', 'failed', true), { errors: ['States.ALL'], resultPath: '$.error' })
      .next(isDryRun);
    autoApproved.next(isDryRun);
    applyPlan
      .addCatch(record('Record Drift', 'drift', true), { errors: [...CAUGHT_ERRORS.drift], resultPath: '$.error' })
      .addCatch(record('Record Apply Failure', 'failed', true), { errors: ['States.ALL'], resultPath: '$.error' })
      .next(verifyPlan);
    verifyPlan
      .addCatch(record('Record Verify Failure', 'verify-failed', true), {
        errors: ['States.ALL'],
        resultPath: '$.error',
      })
      .next(planDone);
    preparePlan
      .addCatch(record('Record Prepare Failure', 'failed', true), { errors: ['States.ALL'], resultPath: '$.error' })
      .next(
        new sfn.Choice(this, 'Route Plan', { stateName: 'Route Plan' })
          .when(sfn.Condition.stringEquals('$.route.route', 'approval'), waitForApproval)
          .when(sfn.Condition.stringEquals('$.route.route', 'auto'), autoApproved)
          .otherwise(record('Record Skipped', 'skipped', false)),
      );

    const processPlans = new sfn.Map(this, 'Process Plans', {
      stateName: 'Process Plans',
      itemsPath: '$.wave',
      maxConcurrency: planConcurrency,
      itemSelector: { 'runId.$': '$.runId', 'dryRun.$': '$.dryRun', 'planId.$': '$$.Map.Item.Value.planId' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    processPlans.itemProcessor(preparePlan);
    const processWaves = new sfn.Map(this, 'Process Plan Waves', {
      stateName: 'Process Plan Waves',
      itemsPath: '$.analysis.waves',
      maxConcurrency: 1,
      itemSelector: { 'runId.$': '$.runId', 'dryRun.$': '$.dryRun', 'wave.$': '$$.Map.Item.Value' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    processWaves.itemProcessor(processPlans);

    const reportRun = invoke('Report Run', f.report, { 'runId.$': '$.runId', phase: 'final' }, '$.report');
    const runDone = new sfn.Succeed(this, 'Run Done', { stateName: 'Run Done' });

    const definition = startRun.next(
      new sfn.Choice(this, 'Duplicate Trigger?', { stateName: 'Duplicate Trigger?' })
        .when(sfn.Condition.booleanEquals('$.duplicate', true), skipDuplicate)
        .otherwise(
          new sfn.Choice(this, 'Single Cluster Run?', { stateName: 'Single Cluster Run?' })
            .when(
              sfn.Condition.stringEquals('$.mode', 'cluster'),
              checkCluster.next(
                new sfn.Choice(this, 'Cluster Active?', { stateName: 'Cluster Active?' })
                  .when(sfn.Condition.booleanEquals('$.clusterCheck.ready', true), collectAccounts)
                  .when(sfn.Condition.booleanEquals('$.clusterCheck.giveUp', true), reportRun)
                  .otherwise(waitForCluster.next(checkCluster)),
              ),
            )
            .otherwise(collectAccounts),
        ),
    );
    collectAccounts.next(analyze).next(reportFindings).next(processWaves).next(reportRun);
    reportRun.next(runDone);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      ...(props.logGroup
        ? { logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false } }
        : {}),
    });
  }
}
