import { type CfnResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  acknowledgeMachineGrants,
  checkWhole,
  emptyEnd,
  invokeStep,
  requireStepFunctions,
  type StepFunctions,
} from './step-tasks';

/**
 * Where the sweep's Distributed Maps read their items: `runs/<runId>/manifests/<name>.json` in the snapshot bucket
 * (S3SnapshotStore.putManifest). The state machine may read these objects and no other.
 */
export const MANIFEST_KEY_PATTERN = 'runs/*/manifests/*';

/** The sweep's state machine name (the Distributed Maps start child executions of it). */
export const SWEEP_STATE_MACHINE_NAME = 'IrsaDoctorSweep';

export interface SweepStateMachineProps {
  /** The function of each sweep step (lambdas/workflow/steps.ts, machine 'sweep'). */
  readonly functions: StepFunctions;
  /** The bucket the run's manifests are written to (the snapshot bucket). */
  readonly manifestBucket: IBucket;
  /** Accounts collected at once (Collect Accounts). @default 40 */
  readonly accountConcurrency?: number;
  /** Accounts analyzed at once (Analyze Accounts). @default 40 */
  readonly analysisConcurrency?: number;
  /** Interval between status checks of a new cluster. @default Duration.seconds(60) */
  readonly clusterPollInterval?: Duration;
  /** Where it logs (level ALL, no execution data). @default - a log group of its own, kept a year */
  readonly logGroup?: logs.ILogGroup;
  /** @default SWEEP_STATE_MACHINE_NAME */
  readonly stateMachineName?: string;
}

/**
 * The sweep, top to bottom, JSONPath only (what the emulator's interpreter runs):
 *
 *   Start Run -> Duplicate Trigger? -> Single Cluster Run? -> [Check Cluster Status <-> Wait For Cluster]
 *   -> Collect Accounts (Distributed Map over the targets manifest: Collect Account, a failure swallowed)
 *   -> Build Issuer Index -> Analyze Accounts (Distributed Map over the analysis manifest: Analyze Account, which
 *      starts the remediation executions of its plans; a failure swallowed, the digest reports the account)
 *   -> Report Run (one digest) -> Run Done
 *
 * The sweep never waits for approvals: each plan has its own remediation execution. Items come from S3 manifests
 * and each item runs as a child execution, so the sweep's own history does not grow with accounts, and each Map item
 * ends with `{}`, so the Maps' results stay small without a ResultWriter (which the emulator cannot run).
 */
export class SweepStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: SweepStateMachineProps) {
    super(scope, id);
    const accountConcurrency = checkWhole('accountConcurrency', props.accountConcurrency ?? 40, 1000);
    const analysisConcurrency = checkWhole('analysisConcurrency', props.analysisConcurrency ?? 40, 1000);
    const pollInterval = props.clusterPollInterval ?? Duration.seconds(60);
    if (pollInterval.toSeconds() < 1) throw new Error('clusterPollInterval must be at least 1 second');
    const { fn, invoked } = requireStepFunctions('sweep', props.functions);

    // ---- start, dedupe, wait for a new cluster --------------------------------------------------------------
    const startRun = invokeStep(
      this,
      'Start Run',
      fn('start-run'),
      {
        'input.$': '$',
        'executionId.$': '$$.Execution.Id',
        'executionName.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
      },
      '$',
    );
    const skipDuplicate = new sfn.Succeed(this, 'Skip Duplicate Trigger', { stateName: 'Skip Duplicate Trigger' });
    const checkCluster = invokeStep(
      this,
      'Check Cluster Status',
      fn('check-cluster'),
      { 'cluster.$': '$.cluster', 'attempt.$': '$.clusterCheck.attempt' },
      '$.clusterCheck',
    );
    const waitForCluster = new sfn.Wait(this, 'Wait For Cluster', {
      stateName: 'Wait For Cluster',
      time: sfn.WaitTime.duration(pollInterval),
    });

    // ---- collect every account, index the issuers, analyze every account ------------------------------------
    const collectAccounts = this.accountMap('Collect Accounts', {
      manifest: '$.targetsManifest',
      maxConcurrency: accountConcurrency,
      itemSelector: { 'runId.$': '$.runId', 'regions.$': '$.regions', 'target.$': '$$.Map.Item.Value' },
      item: invokeStep(
        this,
        'Collect Account',
        fn('collect-account'),
        { 'runId.$': '$.runId', 'regions.$': '$.regions', 'target.$': '$.target' },
        sfn.JsonPath.DISCARD,
      ),
      done: 'Account Collected',
      // The account then has no snapshot: Build Issuer Index reports it unreachable, never healthy.
      failed: 'Account Collection Failed',
    });
    const buildIndex = invokeStep(this, 'Build Issuer Index', fn('build-index'), { 'runId.$': '$.runId' }, '$.index');
    const analyzeAccounts = this.accountMap('Analyze Accounts', {
      manifest: '$.index.manifest',
      maxConcurrency: analysisConcurrency,
      itemSelector: { 'runId.$': '$.runId', 'dryRun.$': '$.dryRun', 'target.$': '$$.Map.Item.Value' },
      item: invokeStep(
        this,
        'Analyze Account',
        fn('analyze-account'),
        { 'runId.$': '$.runId', 'dryRun.$': '$.dryRun', 'target.$': '$.target' },
        sfn.JsonPath.DISCARD,
      ),
      done: 'Account Analyzed',
      // The account then has no summary: the digest reports it as failed.
      failed: 'Account Analysis Failed',
    });

    const reportRun = invokeStep(
      this,
      'Report Run',
      fn('report'),
      { 'runId.$': '$.runId', phase: 'final' },
      '$.report',
    );
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
    collectAccounts.next(buildIndex).next(analyzeAccounts).next(reportRun);
    reportRun.next(runDone);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName ?? SWEEP_STATE_MACHINE_NAME,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: {
        destination: props.logGroup ?? new logs.LogGroup(this, 'LogGroup', { retention: logs.RetentionDays.ONE_YEAR }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    // The Distributed Maps read their manifests (ItemReader s3:getObject) under the manifest prefix only.
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadRunManifests',
        actions: ['s3:GetObject'],
        resources: [props.manifestBucket.arnForObjects(MANIFEST_KEY_PATTERN)],
      }),
    );
    acknowledgeMachineGrants(this.stateMachine, invoked);
    this.acknowledgeDistributedMapGrants(props.manifestBucket);
  }

  /**
   * The wildcards of the Distributed Maps' grants, as cdk-nag names them: the manifests (objects under
   * MANIFEST_KEY_PATTERN of one bucket), and the child executions of this machine only (CDK's DistributedMapPolicy:
   * StartExecution on the machine itself, Describe/Stop on its executions, Redrive on its Map Runs' executions).
   */
  private acknowledgeDistributedMapGrants(bucket: IBucket): void {
    const stack = Stack.of(this);
    const logicalId = (c: Construct) => stack.getLogicalId(c.node.defaultChild as CfnResource);
    const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const executions =
      `arn:<AWS::Partition>:states:${pseudo(stack.region, 'Region')}:${pseudo(stack.account, 'AccountId')}:execution:` +
      `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(this.stateMachine)}"}]}]}`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalId(bucket)}.Arn>/${MANIFEST_KEY_PATTERN}]`,
        reason:
          'The Distributed Maps read the run manifests (ItemReader s3:getObject), whose keys are made per run: ' +
          `s3:GetObject on ${MANIFEST_KEY_PATTERN} of the snapshot bucket only, nothing else in it.`,
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason:
          'A Distributed Map runs each item as a child execution of this state machine: DescribeExecution and ' +
          'StopExecution on the executions of this machine only (their names are made at run time).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/*:*]`,
        reason:
          "RedriveExecution on this machine's Map Run child executions only (CDK's Distributed Map grant), so that " +
          'an operator can redrive a failed Map Run; no other state machine.',
      },
    );
  }

  /**
   * A Distributed Map over the accounts of an S3 manifest ({bucket, key} at `manifest`), each item a STANDARD child
   * execution of `item`, whose failure is caught and swallowed; the Map's result is discarded.
   */
  private accountMap(
    name: string,
    options: {
      readonly manifest: string;
      readonly maxConcurrency: number;
      readonly itemSelector: Record<string, string>;
      readonly item: sfn.TaskStateBase;
      readonly done: string;
      readonly failed: string;
    },
  ): sfn.DistributedMap {
    const map = new sfn.DistributedMap(this, name, {
      stateName: name,
      itemReader: new sfn.S3JsonItemReader({
        bucketNamePath: sfn.JsonPath.stringAt(`${options.manifest}.bucket`),
        key: sfn.JsonPath.stringAt(`${options.manifest}.key`),
      }),
      itemSelector: options.itemSelector,
      maxConcurrency: options.maxConcurrency,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    });
    options.item.addCatch(emptyEnd(this, options.failed), { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
    map.itemProcessor(options.item.next(emptyEnd(this, options.done)));
    return map;
  }
}
