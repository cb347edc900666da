import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { HANDLER_ENV_VAR } from '../../lambdas/workflow/steps';

/**
 * The variable that names a function's workflow step (lambdas/workflow/steps.ts) or handler file; the generic handler
 * runs the step it names, and the local runtime (infra/local/) maps functions by it.
 */
export { HANDLER_ENV_VAR } from '../../lambdas/workflow/steps';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Where the handler files live, one per function: lambdas/handlers/<handler>.ts. */
export const HANDLERS_DIR = path.join(REPO_ROOT, 'lambdas', 'handlers');
/**
 * The handlers as bundled when the package is packed (scripts/bundle-assets.ts, dist/assets/lambda/<file>/index.js):
 * present in the published package only, whose users have neither the handlers' sources nor esbuild. The same esbuild
 * options as the bundling below.
 */
export const PREBUILT_HANDLERS_DIR = path.join(REPO_ROOT, 'assets', 'lambda');
const HANDLER_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * How a handler is bundled (esbuild): at synth from the sources, or at pack time (scripts/bundle-assets.ts reads
 * these same options). Nothing is external: the functions run the SDK versions the tests ran against, not whichever
 * the Lambda runtime carries.
 */
export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
  externalModules: [],
} as const satisfies BundlingOptions;

export interface IrsaFunctionProps {
  /** What IRSA_DOCTOR_HANDLER names: a workflow step, or the handler file of a console function; kebab-case. */
  readonly handler: string;
  /**
   * The handler file's name without extension, `lambdas/handlers/<file>.ts`, kebab-case: `workflow-step` for every
   * workflow step (the generic handler runs the step IRSA_DOCTOR_HANDLER names).
   * @default - the same as `handler`
   */
  readonly file?: string;
  /**
   * Variables merged over the defaults (POWERTOOLS_SERVICE_NAME, NODE_OPTIONS); IRSA_DOCTOR_HANDLER is always set
   * from `handler` and may not be given here.
   * @default - the defaults only
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 1024 */
  readonly memorySize?: number;
  /** @default Duration.minutes(5) */
  readonly timeout?: Duration;
  /**
   * The execution role, for functions that share one (a role other accounts trust by name). The function adds
   * write access to its own log group and X-Ray to it.
   * @default - a role of its own, with only its log group and X-Ray
   */
  readonly role?: iam.IRole;
  /** @default - none */
  readonly description?: string;
  /** Bundling options merged over the defaults (minify, source maps, node22, module before main). @default - none */
  readonly bundling?: BundlingOptions;
}

/**
 * A NodejsFunction with every project default: Node.js 22 on ARM64, X-Ray active tracing, its own log group kept a
 * year, the handler named in IRSA_DOCTOR_HANDLER, minified bundle with source maps. Given values are merged over the
 * defaults, never replacing them wholesale.
 *
 * The log group and (without `role`) the execution role are made beside the function, as `<id>LogGroup` and
 * `<id>Role`, because the function's props need them before it exists.
 */
export class IrsaFunction extends NodejsFunction {
  readonly handlerName: string;
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IrsaFunctionProps) {
    if (!HANDLER_NAME.test(props.handler)) {
      throw new Error(`${id}: handler must be kebab-case such as "start-run", got ${JSON.stringify(props.handler)}`);
    }
    const code = IrsaFunction.codeFor(props.file ?? props.handler, props.bundling);
    if (props.environment && HANDLER_ENV_VAR in props.environment) {
      throw new Error(`${id}: environment may not set ${HANDLER_ENV_VAR}; it is always the handler name`);
    }
    const memorySize = props.memorySize ?? 1024;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`${id}: memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}`);
    }
    const timeout = props.timeout ?? Duration.minutes(5);
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error(`${id}: timeout must be from 1 second to 15 minutes, got ${timeout.toHumanString()}`);
    }

    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, { retention: logs.RetentionDays.ONE_YEAR });
    const ownRole = props.role
      ? undefined
      : new iam.Role(scope, `${id}Role`, {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          description: `Execution role of the IRSA Doctor ${props.handler} function`,
        });
    const role = props.role ?? (ownRole as iam.Role);

    super(scope, id, {
      ...code,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: lambda.Tracing.ACTIVE,
      memorySize,
      timeout,
      role,
      logGroup,
      ...(props.description ? { description: props.description } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'irsa-doctor',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        [HANDLER_ENV_VAR]: props.handler,
      },
    });
    this.handlerName = props.handler;
    this.functionLogGroup = logGroup;

    // Lambda writes to the log group made above (it needs no logs:CreateLogGroup, and no managed policy).
    logGroup.grants.write(role);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project pins and tests on (package.json "node" 22, esbuild target node22, the ' +
        'local Step Functions runner); moving to a newer runtime is a separate, tested change.',
    });
    if (ownRole) {
      Validations.of(ownRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added for active tracing) use "*": X-Ray trace ' +
          'APIs have no resource-level permissions.',
      });
    }
  }

  /**
   * The function's code: the prebuilt bundle when the package ships one (PREBUILT_HANDLERS_DIR), else the handler's
   * source bundled by esbuild at synth (the repository).
   */
  static codeFor(
    file: string,
    bundling?: BundlingOptions,
  ): Pick<NodejsFunctionProps, 'code' | 'handler' | 'entry' | 'depsLockFilePath' | 'projectRoot' | 'bundling'> {
    const prebuilt = path.join(PREBUILT_HANDLERS_DIR, file);
    if (HANDLER_NAME.test(file) && fs.existsSync(path.join(prebuilt, 'index.js'))) {
      return { code: lambda.Code.fromAsset(prebuilt), handler: 'index.handler' };
    }
    return {
      entry: IrsaFunction.entryFor(file),
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      bundling: { ...HANDLER_BUNDLING, ...bundling },
    };
  }

  /** The handler file for `handler`; throws if the name is not kebab-case or the file does not exist. */
  static entryFor(handler: string): string {
    if (!HANDLER_NAME.test(handler)) {
      throw new Error(`handler must be a kebab-case file name such as "start-run", got ${JSON.stringify(handler)}`);
    }
    const entry = path.join(HANDLERS_DIR, `${handler}.ts`);
    if (!fs.existsSync(entry)) {
      throw new Error(`handler "${handler}" has no file: expected ${path.relative(REPO_ROOT, entry)}`);
    }
    return entry;
  }
}
