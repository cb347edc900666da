/**
 * The `irsa-doctor` command tree. Only commander and light modules are imported here: each action loads its
 * command module (and through it the AWS SDK, the rule registry, the schema validator) when it runs, so
 * `--version`, `--help` and `completion` start without them.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SEVERITIES } from '../lambdas/domain/finding';
import { PARTITIONS } from '../lambdas/domain/partitions';
import { WIDENING_CLASSES } from '../lambdas/domain/plan/plan-model';
import { DEFAULT_REGIONS } from '../lambdas/domain/regions';
import {
  CredentialsError,
  InputReadError,
  KubeApiError,
  KubeconfigError,
  NetworkError,
  OutputWriteError,
  SnapshotValidationError,
  UsageError,
} from '../lambdas/shared/errors';
import { clip, escapeControls } from '../lambdas/shared/text';
import {
  ANALYSIS_FORMATS,
  COMPLETION_SHELLS,
  collectKubeObjects,
  DEFAULT_SCANNER_ROLE,
  KUBE_OBJECTS_HELP,
  LIST_FORMATS,
  PLAN_FORMATS,
  PROBE_FORMATS,
  PROBE_TOKEN_SECONDS,
  RULES_FORMATS,
} from './cli-options';
import { collectList, type FilterOptions, parseFindingFilter } from './filters';
import { type CliIo, processIo } from './process-io';
import { TOOL_VERSION } from './version';

/**
 * Loads a module when its command runs: a CommonJS require (the package is CommonJS; tsx and jest resolve it to the
 * TypeScript source, the compiled package to the JavaScript), so `--version`, `--help` and `completion` never load
 * the AWS SDK or the rule registry.
 */
function load<T>(id: string): T {
  return require(id) as T;
}

export const EXIT = { OK: 0, FINDINGS: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

/** What an action gets: the io to write to and its options, with `format` resolved from -o/--output (or --format). */
interface ActionContext {
  readonly io: CliIo;
  // biome-ignore lint/suspicious/noExplicitAny: commander's parsed options, typed by each command's own interface.
  readonly opts: any;
}

const kubeObjectsOption = () =>
  new Option('--kube-objects <CLUSTER@REGION=FILE>', KUBE_OBJECTS_HELP).argParser(collectKubeObjects);

const KUBE_OBJECTS_EXAMPLE =
  "\n\nA cluster's Kubernetes side, without giving irsa-doctor access to the cluster:\n  kubectl --context prod get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json --show-managed-fields > prod-objects.json\n  irsa-doctor COMMAND --snapshot snapshot.json --kube-objects prod@us-west-2=prod-objects.json\nWithout --show-managed-fields everything works except knowing when each annotation was set (a pod created\nbefore its role-arn annotation). A file replaces what the snapshot held for that cluster.";

const MUTELIST_HELP =
  'YAML or JSON list of suppressions (rule, account, resource, cluster, namespace; reason, expiresAt): covered findings are shown as suppressed, not counted, not planned';

/** A severity in any case; commander's message lists the choices. */
function severityArgument(value: string): string {
  const lower = value.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(lower)) return lower;
  throw new InvalidArgumentError(`Allowed choices are ${SEVERITIES.join(', ')} (any case).`);
}

const failOnOption = () =>
  new Option('--fail-on <severity>', 'exit 1 when an open finding of this severity or worse is shown')
    .choices([...SEVERITIES])
    .argParser(severityArgument);

/**
 * `-o, --output <format>`, as the AWS CLI, eksctl and kubectl name it. Until 0.2 `--output` named a file: a value
 * that is not a format is refused with the flag that does that now.
 */
function formatArgument(formats: readonly string[], snapshotFlag: boolean) {
  return (value: string): string => {
    const lower = value.trim().toLowerCase();
    if (formats.includes(lower)) return lower;
    const choices = `Allowed choices are ${formats.join(', ')}.`;
    if (!/[./\\]/.test(value)) throw new InvalidArgumentError(choices);
    // A file name: what --output meant before 0.2.
    throw new InvalidArgumentError(
      `${choices} --output is the format now; ${
        snapshotFlag ? `to write the collected snapshot use --save-snapshot ${value}, ` : ''
      }to write this output to a file use --out-file ${value}.`,
    );
  };
}

function addOutputOptions(command: Command, formats: readonly string[], options: { snapshotFlag?: boolean } = {}) {
  const parse = formatArgument(formats, options.snapshotFlag ?? false);
  return command
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices([...formats])
        .default('table')
        .argParser(parse),
    )
    .addOption(
      new Option('--format <format>', 'deprecated alias of --output')
        .choices([...formats])
        .argParser(parse)
        .hideHelp(),
    )
    .option('--out-file <file>', 'write the output to this file (whole or not at all) instead of stdout');
}

/** `--severity`, `--rule`, `--account`, `--cluster`, `--namespace`: each repeatable and comma-separated. */
function addFilterOptions(command: Command) {
  return command
    .addOption(
      new Option(
        '--severity <levels>',
        'only findings of this severity or worse (high: high and critical), or of exactly these (high,low); any case',
      )
        .choices([...SEVERITIES])
        .argParser(collectList),
    )
    .option('--rule <ids>', 'only findings of these rules (IRSA-015,IRSA-021)', collectList)
    .option('--account <ids>', 'only findings in these accounts (12-digit ids)', collectList)
    .option('--cluster <names>', 'only findings about these EKS clusters (by name)', collectList)
    .option(
      '-n, --namespace <names>',
      'only findings about service accounts or objects in these Kubernetes namespaces',
      collectList,
    );
}

const FILTER_HELP =
  '\nFilters (--severity, --rule, --account, --cluster, --namespace) keep the findings that match every filter given;\nthey apply after the mutelist and before the output and --fail-on: a finding filtered out is not shown and does\nnot fail the run.';

const partitionOption = () =>
  new Option(
    '--partition <partition>',
    "AWS partition: IAM, STS and Organizations are called in its global regions (default: the region's, else aws)",
  ).choices([...PARTITIONS]);

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('irsa-doctor')
    .description('Finds and fixes broken EKS IAM Roles for Service Accounts (IRSA).')
    .version(TOOL_VERSION)
    .option('--no-color', 'no colour in the output (as NO_COLOR=1; FORCE_COLOR=1 forces colour off a terminal)')
    .exitOverride();

  /** Runs an action: resolves the output format, --no-color and --out-file, and records the exit code. */
  const act =
    (run: (ctx: ActionContext, ...operands: string[]) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const operands = args.slice(0, -2) as string[];
      setCode(await runAction(command, io, (ctx) => run(ctx, ...operands)));
    };

  addFilterOptions(
    addOutputOptions(
      program
        .command('analyze')
        .description('Analyze an estate snapshot and print what is broken and why.')
        .requiredOption(
          '--snapshot <file>',
          'estate snapshot JSON (schema/estate-snapshot.v1.schema.json); "-" reads stdin',
        ),
      ANALYSIS_FORMATS,
    ).addOption(failOnOption()),
  )
    .option('--trust-policy-quota <chars>', 'trust-policy length quota when the snapshot does not carry it', undefined)
    .addOption(kubeObjectsOption())
    .option('--mutelist <file>', MUTELIST_HELP)
    .addHelpText(
      'after',
      `${FILTER_HELP}\n\nExit codes: 0 analysis ran; 1 a finding met --fail-on; 2 bad input or usage.\n\nExamples:\n  irsa-doctor analyze --snapshot examples/estate.json --fail-on high\n  irsa-doctor analyze --snapshot examples/estate.json --severity high --account 111111111111 -o json --out-file findings.json${KUBE_OBJECTS_EXAMPLE.replace('COMMAND', 'analyze')}`,
    )
    .action(
      act(async ({ io, opts }) => {
        const { analyzeCommand } = load<typeof import('./commands/analyze')>('./commands/analyze');
        return analyzeCommand({ ...opts, filter: parseFindingFilter(opts as FilterOptions) }, io);
      }),
    );

  addFilterOptions(
    addOutputOptions(
      program
        .command('plan')
        .description('Plan the smallest fix for every fixable finding, with a diff and a proof.')
        .requiredOption(
          '--snapshot <file>',
          'estate snapshot JSON (schema/estate-snapshot.v1.schema.json); "-" reads stdin',
        ),
      PLAN_FORMATS,
    ),
  )
    .option('--trust-policy-quota <chars>', 'trust-policy length quota when the snapshot does not carry it', undefined)
    .option(
      '--allow-widening <classes>',
      `classes of declared widening a plan may carry and stay applicable, comma-separated (${WIDENING_CLASSES.join(', ')}); default none`,
      undefined,
    )
    .addOption(kubeObjectsOption())
    .option('--mutelist <file>', MUTELIST_HELP)
    .addHelpText(
      'after',
      `${FILTER_HELP.replace('and --fail-on: a finding filtered out is not shown and does\nnot fail the run', 'a plan is shown when it fixes a finding kept (with the plans it depends on)')}\n\nJSON output: {"plans": [...], "findings": [...]}. Markdown is the approver's view: finding, evidence, diff, proof, risk.\nNothing is changed: plans are applied by the workflow after approval.${KUBE_OBJECTS_EXAMPLE.replace('COMMAND', 'plan')}`,
    )
    .action(
      act(async ({ io, opts }) => {
        const { planCommand } = load<typeof import('./commands/plan')>('./commands/plan');
        return planCommand({ ...opts, filter: parseFindingFilter(opts as FilterOptions) }, io);
      }),
    );

  addFilterOptions(
    addOutputOptions(
      program
        .command('scan')
        .description(
          'Collect the estate from AWS (every account and region asked for), write the snapshot, analyze it.',
        )
        .option(
          '-p, --profile <name>',
          'AWS profile for the base (hub) credentials (default: AWS_PROFILE, else the SDK credential chain)',
        )
        .option(
          '-r, --region <region>',
          "the region to sweep when --regions is not given; its partition is the sweep's (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region)",
        )
        .addOption(partitionOption())
        .option(
          '--regions <list>',
          `comma-separated regions to list EKS clusters in (default: --region, else the partition's default-enabled regions: ${DEFAULT_REGIONS.length} in aws, see README)`,
        )
        .option('--accounts <list>', "comma-separated account ids to sweep (default: the caller's own account)")
        .option(
          '--organization',
          'sweep the ACTIVE accounts of the AWS Organization (management or delegated admin account)',
        )
        .option('--ou <list>', 'with --organization: only accounts under these OU ids (children included)')
        .option('--exclude <list>', 'account ids never to sweep')
        .option('--role-name <name>', 'read-only role assumed in each member account', DEFAULT_SCANNER_ROLE)
        .option('--external-id <id>', 'ExternalId for the AssumeRole calls, when the scanner role requires one')
        .option('--endpoint-url <url>', 'send every AWS call here (an emulator); default AWS_ENDPOINT_URL, else AWS')
        .option('--save-snapshot <file>', 'write the collected snapshot here (written whole or not at all)'),
      ANALYSIS_FORMATS,
      { snapshotFlag: true },
    ).addOption(failOnOption()),
  )
    .option('--concurrency <n>', 'accounts read at once', '4')
    .option('--max-attempts <n>', 'attempts per AWS call (adaptive retry with backoff and jitter)', '8')
    .option('--no-tls', "skip the TLS check of each provider's issuer (thumbprints)")
    .option('--no-workloads', 'skip EKS add-on service accounts and Pod Identity associations')
    .option(
      '--kubeconfig <file>',
      "after the sweep, read each cluster's Kubernetes API (service accounts, pods, webhooks) with this kubeconfig; contexts are matched to swept clusters by API endpoint (several files: a:b, as KUBECONFIG)",
    )
    .option(
      '--kube-context <name>',
      'only this context (repeatable); NAME=CLUSTER@REGION (or NAME=ACCOUNT/CLUSTER@REGION) names its cluster instead of matching by endpoint; without --kubeconfig, KUBECONFIG or ~/.kube/config is read',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--mutelist <file>', MUTELIST_HELP)
    .addHelpText(
      'after',
      `\nA progress bar is drawn on stderr when it is a terminal. An account whose role cannot be assumed is reported\n(SWEEP-001) and the sweep goes on. The snapshot (--save-snapshot) is written whole, unfiltered.\n${FILTER_HELP}\n\nWith --kubeconfig, each matched cluster is read with get/list on serviceaccounts, pods and\nmutatingwebhookconfigurations (view-only; nothing is written); one line per cluster on stderr says how it ended.\nA context that matches no swept cluster is reported and not used. A cluster that cannot be read is recorded as\nunreadable (reason and fix), never as having no service accounts.\n\nExit codes: 0 scan ran; 1 a finding met --fail-on; 2 bad usage or unusable credentials.\n\nExamples:\n  irsa-doctor scan --profile prod --regions us-west-2,eu-west-1 --save-snapshot snapshot.json\n  irsa-doctor scan --organization --ou ou-ab12-cdef3456 --role-name IrsaDoctorScanner -o markdown\n  irsa-doctor scan --regions us-west-2 --kubeconfig ~/.kube/config --kube-context admin=prod@us-west-2`,
    )
    .action(
      act(async ({ io, opts }) => {
        const { scanCommand } = load<typeof import('./commands/scan')>('./commands/scan');
        // ScanOptions.output is the snapshot file (what --output named before 0.2).
        return scanCommand(
          { ...opts, output: opts.saveSnapshot, filter: parseFindingFilter(opts as FilterOptions) },
          io,
        );
      }),
    );

  addOutputOptions(
    program
      .command('probe')
      .description(
        "Test one service account's IRSA chain end to end, like the seeds' test pod but without a pod: a real token from the cluster, checked against the issuer, the IAM provider and the role's trust policy.",
      )
      .requiredOption('--cluster <name|arn>', 'the EKS cluster (name, or ARN for its account and region)')
      .option(
        '-r, --region <region>',
        "the cluster's region (default: from the ARN, else AWS_REGION, AWS_DEFAULT_REGION, the profile's region)",
      )
      .addOption(partitionOption())
      .requiredOption('-n, --namespace <namespace>', "the service account's namespace")
      .requiredOption('--service-account <name>', 'the service account')
      .option('--kubeconfig <file>', 'kubeconfig file(s), ":"-separated (default: KUBECONFIG, else ~/.kube/config)')
      .option('--kube-context <name>', 'kubeconfig context (default: its current-context)')
      .option('--snapshot <file>', 'read the cluster, providers and role from this estate snapshot instead of AWS')
      .option('-p, --profile <name>', 'AWS profile (default: AWS_PROFILE, else the SDK credential chain)')
      .option('--endpoint-url <url>', 'send every AWS call here (an emulator); default AWS_ENDPOINT_URL, else AWS')
      .option(
        '--role-name <name>',
        "read-only role assumed in an account other than the caller's",
        DEFAULT_SCANNER_ROLE,
      )
      .option('--external-id <id>', 'ExternalId for that AssumeRole, when the role requires one')
      .option('--assume', 'also call sts:AssumeRoleWithWebIdentity with the token and print the caller identity'),
    PROBE_FORMATS,
  )
    .addHelpText(
      'after',
      `\nWhat it writes: one TokenRequest (POST .../serviceaccounts/NAME/token: a ${PROBE_TOKEN_SECONDS} s token for the audience of the\nservice account's eks.amazonaws.com/audience annotation, default sts.amazonaws.com); nothing else, in the cluster\nor in AWS. The token is never printed. RBAC: "get" on serviceaccounts and "create" on serviceaccounts/token in the\nnamespace (and, optionally, "get" on /openid/v1/jwks to verify the token's signature with the server's keys). The\nverdict is the project's own evaluation (the signature is left to STS); --assume asks STS.\n\nExit codes: 0 every check passed (and --assume succeeded); 1 a check failed or could not be decided, or --assume\nfailed; 2 bad usage, an unusable kubeconfig or AWS credentials, a 403 (the message names the permission), an\nunreachable API server.\n\nExample:\n  irsa-doctor probe --cluster prod --region us-west-2 --namespace kube-system --service-account aws-load-balancer-controller --assume`,
    )
    .action(
      act(async ({ io, opts }) => {
        const { probeCommand } = load<typeof import('./commands/probe')>('./commands/probe');
        return probeCommand(opts, io);
      }),
    );

  addConsoleCommands(program, act);

  addOutputOptions(
    program.command('rules').description('List every check with its default severity.'),
    RULES_FORMATS,
  ).action(
    act(async ({ io, opts }) => {
      const { rulesCommand } = load<typeof import('./commands/rules')>('./commands/rules');
      return rulesCommand(opts, io);
    }),
  );

  program
    .command('completion')
    .description('Print a shell completion script (commands, options and their values) for bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'the shell').choices([...COMPLETION_SHELLS]))
    .addHelpText(
      'after',
      '\nExamples:\n  source <(irsa-doctor completion bash)   # bash: this shell (add the line to ~/.bashrc to keep it)\n  source <(irsa-doctor completion zsh)    # zsh: likewise, in ~/.zshrc\n  irsa-doctor completion fish > ~/.config/fish/completions/irsa-doctor.fish',
    )
    .action(
      act(async ({ io }, shell) => {
        const { completionScript } = load<typeof import('./completion')>('./completion');
        io.stdout.write(completionScript(program, shell as (typeof COMPLETION_SHELLS)[number]));
        return EXIT.OK;
      }),
    );

  styleErrors(program, io);
  return program;
}

type Act = (
  run: (ctx: ActionContext, ...operands: string[]) => Promise<number>,
) => (...args: unknown[]) => Promise<void>;

/** login, approvals, mute and rollback: the commands that talk to the approval API. */
function addConsoleCommands(program: Command, act: Act): void {
  const consoleOptions = (command: Command) =>
    command
      .option('--console-url <url>', 'the approval console (ConsoleUrl output); default IRSA_DOCTOR_CONSOLE_URL')
      .option('--token-file <file>', 'where login keeps the tokens (default ~/.config/irsa-doctor/token)');
  // As the AWS CLI pages: everything by default; --max-items stops early and prints the NextToken that goes on.
  const paging = (command: Command) =>
    command
      .option('--max-items <n>', 'print at most this many, then the NextToken that continues the listing')
      .option('--starting-token <token>', 'continue a listing from the NextToken an earlier call printed')
      .option('--page-size <n>', 'items per API call (1 to 500; default 100)');
  const approvalsModule = () => load<typeof import('./commands/approvals')>('./commands/approvals');

  consoleOptions(
    program
      .command('login')
      .description(
        'Sign in to the approval console through the browser (single sign-on, code flow with PKCE) and keep the tokens.',
      )
      .option('--no-browser', 'only print the sign-in URL (open it in a browser on this machine)'),
  ).action(act(async ({ io, opts }) => (await approvalsModule()).loginCommand(opts, io)));

  const approvals = program
    .command('approvals')
    .description('Review, approve and reject the plans waiting for a person, through the approval API.')
    .addHelpText(
      'after',
      '\nEvery call goes through the approval API: the same sign-in, approvers group, content-hash binding and audit log as\nthe web console. Plans are named RUN/PLAN, as "approvals list" prints them.\n\nExit codes: 0 done; 1 a decision was refused (changed content, expired, already decided); 2 usage, sign-in or 403.\n\nExamples:\n  irsa-doctor login --console-url https://d111.cloudfront.net\n  irsa-doctor approvals list\n  irsa-doctor approvals show RUN/PLAN\n  irsa-doctor approvals approve RUN/PLAN --hash <content hash from show> --comment "checked"',
    );
  addOutputOptions(
    paging(
      consoleOptions(approvals.command('list').description('Plans waiting for approval, by account and cluster.')),
    ),
    LIST_FORMATS,
  ).action(act(async ({ io, opts }) => (await approvalsModule()).approvalsListCommand(opts, io)));
  addOutputOptions(
    consoleOptions(
      approvals
        .command('show <plan>')
        .description('One plan: findings, the error pods see, diff, proof, content hash.'),
    ),
    LIST_FORMATS,
  ).action(act(async ({ io, opts }, plan) => (await approvalsModule()).approvalsShowCommand(plan as string, opts, io)));
  for (const decision of ['approve', 'reject'] as const) {
    consoleOptions(
      approvals
        .command(`${decision} <plans...>`)
        .description(
          decision === 'approve'
            ? 'Approve plans: bound to --hash (one plan), else to the content printed just before.'
            : 'Reject plans: nothing will be written for them.',
        )
        .option('--comment <text>', 'recorded with the decision in the audit log')
        .option('--hash <contentHash>', 'the content hash "show" printed (one plan)'),
    ).action(
      act(async ({ io, opts }, plans) =>
        (await approvalsModule()).approvalsDecideCommand(decision, plans as unknown as string[], opts, io),
      ),
    );
  }
  addOutputOptions(
    paging(
      consoleOptions(approvals.command('history').description('Applied changes, newest first, and their rollbacks.')),
    ),
    LIST_FORMATS,
  ).action(act(async ({ io, opts }) => (await approvalsModule()).approvalsHistoryCommand(opts, io)));

  const mute = program
    .command('mute')
    .description('The mutelist: findings accepted for a while, recorded as suppressed and not planned.')
    .addHelpText(
      'after',
      '\nThrough the approval API, as "approvals": the same sign-in and approvers group. A mute says what it matches\n(every option given must match; --resource may end in *), why (--reason), and until when (--expires: days, a\ndate or a UTC time, at most a year ahead); it is recorded as yours. The next analysis records the findings it\nmatches as suppressed, not planned.\n\nExit codes: 0 done; 1 the API refused (bad mute, unknown id); 2 usage, sign-in or 403.\n\nExamples:\n  irsa-doctor mute add --rule IRSA-015 --account 111122223333 --reason "legacy app, replaced in Q3" --expires 90d\n  irsa-doctor mute add --resource "arn:aws:iam::111122223333:role/batch-*" --reason "batch roles, ticket OPS-12" --expires 2031-01-31\n  irsa-doctor mute list\n  irsa-doctor mute list --max-items 20 -o json\n  irsa-doctor mute remove 5f0c2a9e-0d7b-4c8e-9a51-3f1b2c4d5e6f',
    );
  const muteModule = () => load<typeof import('./commands/mute')>('./commands/mute');
  addOutputOptions(
    paging(consoleOptions(mute.command('list').description('Mutes not expired, newest first.'))),
    LIST_FORMATS,
  ).action(act(async ({ io, opts }) => (await muteModule()).muteListCommand(opts, io)));
  addOutputOptions(
    consoleOptions(
      mute
        .command('add')
        .description('Mute the findings matching every option given, with a reason and an expiry.')
        .option('--rule <id>', 'rule id (e.g. IRSA-015; "irsa-doctor rules" lists them)')
        .option('--account <id>', 'account id (12 digits)')
        .option('--resource <arn>', 'resource ARN (role or OIDC provider); may end in *')
        .option('--cluster <name>', 'EKS cluster name')
        .option('-n, --namespace <name>', 'Kubernetes namespace')
        .option('--reason <text>', 'why these findings are accepted (required; recorded)')
        .option('--expires <when>', 'until when: days (30d), a date (2031-01-31) or a UTC time (required)'),
    ),
    LIST_FORMATS,
  ).action(act(async ({ io, opts }) => (await muteModule()).muteAddCommand(opts, io)));
  consoleOptions(mute.command('remove <ids...>').description('Remove mutes by id ("mute list" prints them).')).action(
    act(async ({ io, opts }, ids) => (await muteModule()).muteRemoveCommand(ids as unknown as string[], opts, io)),
  );

  consoleOptions(
    program
      .command('rollback <changeId>')
      .description('Restore the document an applied change replaced (refused if the resource changed since).')
      .option('--comment <text>', 'recorded in the audit log'),
  ).action(
    act(async ({ io, opts }, changeId) => (await approvalsModule()).rollbackCommand(changeId as string, opts, io)),
  );
}

/**
 * The output format (-o/--output, or the deprecated --format with one line on stderr), --no-color (as NO_COLOR,
 * and `color: false` in the options), and --out-file (the output gathered, then written atomically).
 */
async function runAction(command: Command, io: CliIo, run: (ctx: ActionContext) => Promise<number>): Promise<number> {
  const opts = { ...command.opts() };
  if (command.getOptionValueSource('format') === 'cli') {
    io.stderr.write('irsa-doctor: --format is deprecated: use -o/--output (same values)\n');
    if (command.getOptionValueSource('output') === 'cli' && opts.output !== opts.format) {
      throw new UsageError(`--format ${opts.format} and --output ${opts.output} disagree: give --output only`);
    }
    opts.output = opts.format;
  }
  if (opts.output !== undefined) opts.format = opts.output;
  let commandIo = io;
  if (command.optsWithGlobals().color === false) {
    opts.color = false;
    const { FORCE_COLOR: _forced, ...env } = io.env;
    commandIo = { ...io, env: { ...env, NO_COLOR: '1' } };
  }
  const outFile = opts.outFile as string | undefined;
  if (outFile === undefined) return run({ io: commandIo, opts });
  const pieces: string[] = [];
  const code = await run({
    io: { ...commandIo, stdout: { write: (text: string) => pieces.push(text) > 0, isTTY: false } },
    opts,
  });
  const { writeFileAtomic } = load<typeof import('./io')>('./io');
  await writeFileAtomic(outFile, pieces.join(''));
  return code;
}

/** Every usage error commander reports is one line: `irsa-doctor: <command>: <what is wrong>; see <command> --help`. */
function styleErrors(command: Command, io: CliIo): void {
  const path: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  const name = path.slice(1).join(' ');
  command.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (message, write) => {
      const text = message
        .replace(/^error: /, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim()
        .replace(/\.$/, '');
      write(`irsa-doctor: ${name || 'usage'}: ${text}; see "${path.join(' ')} --help"\n`);
    },
  });
  for (const sub of command.commands) styleErrors(sub, io);
}

/** Runs the CLI and returns its exit code. Bad input never escapes as a stack trace. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    return reportError(explainFetchFailure(err), io);
  }
}

/**
 * A bare `TypeError: fetch failed` (undici's message for every network failure) that escaped a command becomes a
 * NetworkError with the reason underneath (connection refused, host not found, TLS, timeout): never the whole message.
 */
export function explainFetchFailure(err: unknown): unknown {
  if (!(err instanceof TypeError) || err.message !== 'fetch failed') return err;
  const { DEFAULT_HTTP_TIMEOUT_MS, networkReason } = load<typeof import('./io')>('./io');
  return new NetworkError(`network request failed: ${networkReason(err, DEFAULT_HTTP_TIMEOUT_MS)}`, { cause: err });
}

/** The command tree, for the completion scripts and the README reference test (nothing is run). */
export function commandTree(io: CliIo = processIo): Command {
  return buildProgram(io, () => undefined);
}

const BAD_INPUT_ERRORS = [
  UsageError,
  InputReadError,
  OutputWriteError,
  CredentialsError,
  KubeconfigError,
  NetworkError,
  // A Kubernetes API failure that stops a command (the probe's 403 names the permission it needs).
  KubeApiError,
];

/** Says what went wrong on stderr (commander has already said it for usage errors) and returns the exit code. */
function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
      return EXIT.OK;
    }
    return EXIT.BAD_INPUT;
  }
  if (err instanceof SnapshotValidationError) {
    // One line per problem; each already shows a value by its path, first characters and length.
    io.stderr.write(`irsa-doctor: ${escapeControls(err.message, true)}\n`);
    return EXIT.BAD_INPUT;
  }
  if (BAD_INPUT_ERRORS.some((type) => err instanceof type)) {
    io.stderr.write(`irsa-doctor: ${clip((err as Error).message, 1000)}\n`);
    return EXIT.BAD_INPUT;
  }
  // Anything else is a bug: one line, and the stack only when asked for (IRSA_DOCTOR_DEBUG=1).
  const e = err instanceof Error ? err : new Error(String(err));
  io.stderr.write(
    `irsa-doctor: internal error: ${clip(`${e.name}: ${e.message}`, 1000)}${
      io.env.IRSA_DOCTOR_DEBUG
        ? `\n${escapeControls(e.stack ?? '', true)}`
        : ' (set IRSA_DOCTOR_DEBUG=1 for the stack trace)'
    }\n`,
  );
  return EXIT.INTERNAL;
}
