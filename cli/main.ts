import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES } from '../lambdas/domain/finding';
import { DEFAULT_REGIONS } from '../lambdas/domain/regions';
import {
  CredentialsError,
  InputReadError,
  OutputWriteError,
  SnapshotValidationError,
  UsageError,
} from '../lambdas/shared/errors';
import { analyzeCommand, FORMATS } from './commands/analyze';
import { planCommand } from './commands/plan';
import { rulesCommand } from './commands/rules';
import { DEFAULT_SCANNER_ROLE, scanCommand } from './commands/scan';
import { type CliIo, processIo } from './io';

export const EXIT = { OK: 0, FINDINGS: 1, BAD_INPUT: 2, INTERNAL: 3 } as const;

const failOnOption = () =>
  new Option('--fail-on <severity>', 'exit 1 when a finding of this severity or worse exists').choices([...SEVERITIES]);

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
    .addHelpText(
      'after',
      '\nExit codes: 0 analysis ran; 1 a finding met --fail-on; 2 bad input or usage.\n\nExample:\n  irsa-doctor analyze --snapshot examples/estate.json --fail-on high',
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
    .addHelpText(
      'after',
      '\nJSON output: {"plans": [...], "findings": [...]}. Markdown is the approver\'s view: finding, evidence, diff, proof, risk.\nNothing is changed: plans are applied by the workflow after approval.',
    )
    .action(async (opts) => setCode(await planCommand(opts, io)));

  program
    .command('scan')
    .description('Collect the estate from AWS (every account and region asked for), write the snapshot, analyze it.')
    .option('--profile <name>', 'AWS profile for the base (hub) credentials; default: the SDK credential chain')
    .option(
      '--regions <list>',
      `comma-separated regions to list EKS clusters in (default: ${DEFAULT_REGIONS.length} default-enabled regions, see README)`,
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
    .addHelpText(
      'after',
      '\nA progress bar is drawn on stderr when it is a terminal. An account whose role cannot be assumed is reported\n(SWEEP-001) and the sweep goes on.\n\nExit codes: 0 scan ran; 1 a finding met --fail-on; 2 bad usage or unusable credentials.\n\nExamples:\n  irsa-doctor scan --profile prod --regions us-west-2,eu-west-1 --output snapshot.json\n  irsa-doctor scan --organization --ou ou-ab12-cdef3456 --role-name IrsaDoctorScanner --format markdown',
    )
    .action(async (opts) => setCode(await scanCommand(opts, io)));

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
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        return EXIT.OK;
      }
      return EXIT.BAD_INPUT;
    }
    if (
      err instanceof SnapshotValidationError ||
      err instanceof UsageError ||
      err instanceof InputReadError ||
      err instanceof OutputWriteError ||
      err instanceof CredentialsError
    ) {
      io.stderr.write(`irsa-doctor: ${err.message}\n`);
      return EXIT.BAD_INPUT;
    }
    throw err;
  }
}
