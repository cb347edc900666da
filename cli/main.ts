import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES } from '../lambdas/domain/finding';
import { PARTITIONS } from '../lambdas/domain/partitions';
import { WIDENING_CLASSES } from '../lambdas/domain/plan/plan-model';
import { DEFAULT_REGIONS } from '../lambdas/domain/regions';
import {
  CredentialsError,
  InputReadError,
  KubeApiError,
  KubeconfigError,
  OutputWriteError,
  SnapshotValidationError,
  UsageError,
} from '../lambdas/shared/errors';
import { clip, escapeControls } from '../lambdas/shared/text';
import { analyzeCommand, FORMATS } from './commands/analyze';
import {
  approvalsDecideCommand,
  approvalsHistoryCommand,
  approvalsListCommand,
  approvalsShowCommand,
  loginCommand,
  rollbackCommand,
} from './commands/approvals';
import { muteAddCommand, muteListCommand, muteRemoveCommand } from './commands/mute';
import { planCommand } from './commands/plan';
import { PROBE_FORMATS, PROBE_TOKEN_SECONDS, probeCommand } from './commands/probe';
import { rulesCommand } from './commands/rules';
import { DEFAULT_SCANNER_ROLE, scanCommand } from './commands/scan';
import { type CliIo, NetworkError, processIo } from './io';
import { collectKubeObjects, KUBE_OBJECTS_HELP } from './kube-objects-input';

export const EXIT = { OK: 0, FINDINGS: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

const kubeObjectsOption = () =>
  new Option('--kube-objects <CLUSTER@REGION=FILE>', KUBE_OBJECTS_HELP).argParser(collectKubeObjects);

const KUBE_OBJECTS_EXAMPLE =
  "\n\nA cluster's Kubernetes side, without giving irsa-doctor access to the cluster:\n  kubectl --context prod get serviceaccounts,pods,mutatingwebhookconfigurations -A -o json --show-managed-fields > prod-objects.json\n  irsa-doctor COMMAND --snapshot snapshot.json --kube-objects prod@us-west-2=prod-objects.json\nWithout --show-managed-fields everything works except knowing when each annotation was set (a pod created\nbefore its role-arn annotation). A file replaces what the snapshot held for that cluster.";

const failOnOption = () =>
  new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or worse exists').choices([...SEVERITIES]);

const partitionOption = () =>
  new Option(
    '--partition <partition>',
    "AWS partition: IAM, STS and Organizations are called in its global regions (default: the region's, else aws)",
  ).choices([...PARTITIONS]);

function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('irsa-doctor')
    .description('Finds and fixes broken EKS IAM Roles for Service Accounts (IRSA).')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('analyze')
    .description('Analyze an estate snapshot and print what is broken and why.')
    .requiredOption(
      '--snapshot <file>',
      'estate snapshot JSON (schema/estate-snapshot.v1.schema.json); "-" reads stdin',
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .addOption(failOnOption())
    .option('--trust-policy-quota <chars>', 'trust-policy length quota when the snapshot does not carry it', undefined)
    .addOption(kubeObjectsOption())
    .option(
      '--mutelist <file>',
      'YAML or JSON list of suppressions (rule, account, resource, cluster, namespace; reason, expiresAt): covered findings are shown as suppressed, not counted, not planned',
    )
    .addHelpText(
      'after',
      `\nExit codes: 0 analysis ran; 1 a finding met --fail-on; 2 bad input or usage.\n\nExample:\n  irsa-doctor analyze --snapshot examples/estate.json --fail-on high${KUBE_OBJECTS_EXAMPLE.replace('COMMAND', 'analyze')}`,
    )
    .action(async (opts) => setCode(await analyzeCommand(opts, io)));

  program
    .command('plan')
    .description('Plan the smallest fix for every fixable finding, with a diff and a proof.')
    .requiredOption(
      '--snapshot <file>',
      'estate snapshot JSON (schema/estate-snapshot.v1.schema.json); "-" reads stdin',
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('--trust-policy-quota <chars>', 'trust-policy length quota when the snapshot does not carry it', undefined)
    .option(
      '--allow-widening <classes>',
      `classes of declared widening a plan may carry and stay applicable, comma-separated (${WIDENING_CLASSES.join(', ')}); default none`,
      undefined,
    )
    .addOption(kubeObjectsOption())
    .option(
      '--mutelist <file>',
      'YAML or JSON list of suppressions (rule, account, resource, cluster, namespace; reason, expiresAt): covered findings are shown as suppressed, not counted, not planned',
    )
    .addHelpText(
      'after',
      `\nJSON output: {"plans": [...], "findings": [...]}. Markdown is the approver's view: finding, evidence, diff, proof, risk.\nNothing is changed: plans are applied by the workflow after approval.${KUBE_OBJECTS_EXAMPLE.replace('COMMAND', 'plan')}`,
    )
    .action(async (opts) => setCode(await planCommand(opts, io)));

  program
    .command('scan')
    .description('Collect the estate from AWS (every account and region asked for), write the snapshot, analyze it.')
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
    .option('--output <file>', 'write the collected snapshot here (written whole or not at all)')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .addOption(failOnOption())
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
    .option(
      '--mutelist <file>',
      'YAML or JSON list of suppressions (rule, account, resource, cluster, namespace; reason, expiresAt): covered findings are shown as suppressed, not counted, not planned',
    )
    .addHelpText(
      'after',
      '\nA progress bar is drawn on stderr when it is a terminal. An account whose role cannot be assumed is reported\n(SWEEP-001) and the sweep goes on.\n\nWith --kubeconfig, each matched cluster is read with get/list on serviceaccounts, pods and\nmutatingwebhookconfigurations (view-only; nothing is written); one line per cluster on stderr says how it ended.\nA context that matches no swept cluster is reported and not used. A cluster that cannot be read is recorded as\nunreadable (reason and fix), never as having no service accounts.\n\nExit codes: 0 scan ran; 1 a finding met --fail-on; 2 bad usage or unusable credentials.\n\nExamples:\n  irsa-doctor scan --profile prod --regions us-west-2,eu-west-1 --output snapshot.json\n  irsa-doctor scan --organization --ou ou-ab12-cdef3456 --role-name IrsaDoctorScanner --format markdown\n  irsa-doctor scan --regions us-west-2 --kubeconfig ~/.kube/config --kube-context admin=prod@us-west-2',
    )
    .action(async (opts) => setCode(await scanCommand(opts, io)));

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
    .requiredOption('--namespace <namespace>', "the service account's namespace")
    .requiredOption('--service-account <name>', 'the service account')
    .option('--kubeconfig <file>', 'kubeconfig file(s), ":"-separated (default: KUBECONFIG, else ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context (default: its current-context)')
    .option('--snapshot <file>', 'read the cluster, providers and role from this estate snapshot instead of AWS')
    .option('-p, --profile <name>', 'AWS profile (default: AWS_PROFILE, else the SDK credential chain)')
    .option('--endpoint-url <url>', 'send every AWS call here (an emulator); default AWS_ENDPOINT_URL, else AWS')
    .option('--role-name <name>', "read-only role assumed in an account other than the caller's", DEFAULT_SCANNER_ROLE)
    .option('--external-id <id>', 'ExternalId for that AssumeRole, when the role requires one')
    .option('--assume', 'also call sts:AssumeRoleWithWebIdentity with the token and print the caller identity')
    .addOption(new Option('--format <format>', 'output format').choices([...PROBE_FORMATS]).default('table'))
    .addHelpText(
      'after',
      `\nWhat it writes: one TokenRequest (POST .../serviceaccounts/NAME/token: a ${PROBE_TOKEN_SECONDS} s token for the audience of the\nservice account's eks.amazonaws.com/audience annotation, default sts.amazonaws.com); nothing else, in the cluster\nor in AWS. The token is never printed. RBAC: "get" on serviceaccounts and "create" on serviceaccounts/token in the\nnamespace (and, optionally, "get" on /openid/v1/jwks to verify the token's signature with the server's keys). The\nverdict is the project's own evaluation (the signature is left to STS); --assume asks STS.\n\nExit codes: 0 every check passed (and --assume succeeded); 1 a check failed or could not be decided, or --assume\nfailed; 2 bad usage, an unusable kubeconfig or AWS credentials, a 403 (the message names the permission), an\nunreachable API server.\n\nExample:\n  irsa-doctor probe --cluster prod --region us-west-2 --namespace kube-system --service-account aws-load-balancer-controller --assume`,
    )
    .action(async (opts) => setCode(await probeCommand(opts, io)));

  const consoleOptions = (command: Command) =>
    command
      .option('--console-url <url>', 'the approval console (ConsoleUrl output); default IRSA_DOCTOR_CONSOLE_URL')
      .option('--token-file <file>', 'where login keeps the ID token (default ~/.config/irsa-doctor/token)');
  const listFormat = () => new Option('--format <format>', 'output format').choices(['table', 'json']).default('table');
  // As the AWS CLI pages: everything by default; --max-items stops early and prints the NextToken that goes on.
  const paging = (command: Command) =>
    command
      .option('--max-items <n>', 'print at most this many, then the NextToken that continues the listing')
      .option('--starting-token <token>', 'continue a listing from the NextToken an earlier call printed')
      .option('--page-size <n>', 'items per API call (1 to 500; default 100)');

  consoleOptions(
    program
      .command('login')
      .description('Sign in to the approval console (Cognito) and keep the ID token for the approval commands.')
      .option('--username <name>', 'user name (default: $USER)')
      .option('--password-stdin', 'read the password from stdin (else IRSA_DOCTOR_PASSWORD)'),
  ).action(async (opts) => setCode(await loginCommand(opts, io)));

  const approvals = program
    .command('approvals')
    .description('Review, approve and reject the plans waiting for a person, through the approval API.')
    .addHelpText(
      'after',
      '\nEvery call goes through the approval API: the same sign-in, approvers group, content-hash binding and audit log as\nthe web console. Plans are named RUN/PLAN, as "approvals list" prints them.\n\nExit codes: 0 done; 1 a decision was refused (changed content, expired, already decided); 2 usage, sign-in or 403.\n\nExamples:\n  irsa-doctor login --console-url https://d111.cloudfront.net --username alice --password-stdin < pw\n  irsa-doctor approvals list\n  irsa-doctor approvals show RUN/PLAN\n  irsa-doctor approvals approve RUN/PLAN --hash <content hash from show> --comment "checked"',
    );
  paging(consoleOptions(approvals.command('list').description('Plans waiting for approval, by account and cluster.')))
    .addOption(listFormat())
    .action(async (opts) => setCode(await approvalsListCommand(opts, io)));
  consoleOptions(
    approvals.command('show <plan>').description('One plan: findings, the error pods see, diff, proof, content hash.'),
  )
    .addOption(listFormat())
    .action(async (plan, opts) => setCode(await approvalsShowCommand(plan, opts, io)));
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
    ).action(async (plans, opts) => setCode(await approvalsDecideCommand(decision, plans, opts, io)));
  }
  paging(
    consoleOptions(approvals.command('history').description('Applied changes, newest first, and their rollbacks.')),
  )
    .addOption(listFormat())
    .action(async (opts) => setCode(await approvalsHistoryCommand(opts, io)));

  const mute = program
    .command('mute')
    .description('The mutelist: findings accepted for a while, recorded as suppressed and not planned.')
    .addHelpText(
      'after',
      '\nThrough the approval API, as "approvals": the same sign-in and approvers group. A mute says what it matches\n(every option given must match; --resource may end in *), why (--reason), and until when (--expires: days, a\ndate or a UTC time, at most a year ahead); it is recorded as yours. The next analysis records the findings it\nmatches as suppressed, not planned.\n\nExit codes: 0 done; 1 the API refused (bad mute, unknown id); 2 usage, sign-in or 403.\n\nExamples:\n  irsa-doctor mute add --rule IRSA-015 --account 111122223333 --reason "legacy app, replaced in Q3" --expires 90d\n  irsa-doctor mute add --resource "arn:aws:iam::111122223333:role/batch-*" --reason "batch roles, ticket OPS-12" --expires 2031-01-31\n  irsa-doctor mute list\n  irsa-doctor mute list --max-items 20 --format json\n  irsa-doctor mute remove 5f0c2a9e-0d7b-4c8e-9a51-3f1b2c4d5e6f',
    );
  paging(consoleOptions(mute.command('list').description('Mutes not expired, newest first.')))
    .addOption(listFormat())
    .action(async (opts) => setCode(await muteListCommand(opts, io)));
  consoleOptions(
    mute
      .command('add')
      .description('Mute the findings matching every option given, with a reason and an expiry.')
      .option('--rule <id>', 'rule id (e.g. IRSA-015; "irsa-doctor rules" lists them)')
      .option('--account <id>', 'account id (12 digits)')
      .option('--resource <arn>', 'resource ARN (role or OIDC provider); may end in *')
      .option('--cluster <name>', 'EKS cluster name')
      .option('--namespace <name>', 'Kubernetes namespace')
      .option('--reason <text>', 'why these findings are accepted (required; recorded)')
      .option('--expires <when>', 'until when: days (30d), a date (2031-01-31) or a UTC time (required)'),
  )
    .addOption(listFormat())
    .action(async (opts) => setCode(await muteAddCommand(opts, io)));
  consoleOptions(mute.command('remove <ids...>').description('Remove mutes by id ("mute list" prints them).')).action(
    async (ids, opts) => setCode(await muteRemoveCommand(ids, opts, io)),
  );

  consoleOptions(
    program
      .command('rollback <changeId>')
      .description('Restore the document an applied change replaced (refused if the resource changed since).')
      .option('--comment <text>', 'recorded in the audit log'),
  ).action(async (changeId, opts) => setCode(await rollbackCommand(changeId, opts, io)));

  program
    .command('rules')
    .description('List every check with its default severity.')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .action((opts) => setCode(rulesCommand(opts, io)));

  return program;
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
    return reportError(err, io);
  }
}

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
  if (
    err instanceof UsageError ||
    err instanceof InputReadError ||
    err instanceof OutputWriteError ||
    err instanceof CredentialsError ||
    err instanceof KubeconfigError ||
    err instanceof NetworkError ||
    // A Kubernetes API failure that stops a command (the probe's 403 names the permission it needs).
    err instanceof KubeApiError
  ) {
    io.stderr.write(`irsa-doctor: ${clip(err.message, 1000)}\n`);
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
