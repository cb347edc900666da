import { fromIni } from '@aws-sdk/credential-providers';
import { AwsClientFactory } from '../../lambdas/adapters/aws-clients';
import { collectEstate } from '../../lambdas/adapters/collect-estate';
import {
  type KubeContextRequest,
  kubeResultLine,
  matchKubeContexts,
  parseKubeContextOption,
  readKubeClusters,
} from '../../lambdas/adapters/kubernetes/kube-scan';
import { defaultKubeconfigPath, type Kubeconfig, loadKubeconfig } from '../../lambdas/adapters/kubernetes/kubeconfig';
import { createThumbprintObserver } from '../../lambdas/adapters/oidc-thumbprint';
import { resolveTargets } from '../../lambdas/adapters/targets';
import { analyzeEstate } from '../../lambdas/domain/analyze-estate';
import { DEFAULT_REGIONS, parseRegionList } from '../../lambdas/domain/regions';
import type { EstateSnapshot } from '../../lambdas/domain/snapshot';
import { CredentialsError, UsageError } from '../../lambdas/shared/errors';
import { parseSnapshot } from '../../lambdas/shared/schemas';
import { type CliIo, writeFileAtomic } from '../io';
import { readMutelist, withMutelist } from '../mutelist';
import { progressBar } from '../render/progress';
import { parseFormat, parseSeverity, printFindings } from './analyze';

export const DEFAULT_SCANNER_ROLE = 'IrsaDoctorScanner';

export interface ScanOptions {
  readonly profile?: string;
  readonly regions?: string;
  readonly accounts?: string;
  readonly organization?: boolean;
  readonly ou?: string;
  readonly exclude?: string;
  readonly roleName: string;
  readonly externalId?: string;
  readonly endpointUrl?: string;
  readonly output?: string;
  readonly format: string;
  readonly failOn?: string;
  readonly concurrency: string;
  readonly maxAttempts: string;
  readonly tls: boolean;
  readonly workloads: boolean;
  /** Read each swept cluster's Kubernetes API with this kubeconfig (contexts matched by endpoint). */
  readonly kubeconfig?: string;
  /** `NAME` or `NAME=CLUSTER@REGION`, repeatable: only these contexts (default: every context of the kubeconfig). */
  readonly kubeContext?: readonly string[];
  /** A YAML or JSON list of suppressions: covered findings shown as suppressed, not counted as open. */
  readonly mutelist?: string;
  /** False with the global --no-color (terminalFor: FORCE_COLOR, NO_COLOR and the terminal decide otherwise). */
  readonly color?: boolean;
}

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}; got "${value}"`);
  }
  return n;
}

/**
 * `irsa-doctor scan`: collects the estate from AWS (or an emulator), writes the snapshot, analyzes it and prints
 * the findings. Exit 0 ran, 1 --fail-on met, 2 bad usage or unusable credentials.
 */
export async function scanCommand(options: ScanOptions, io: CliIo): Promise<number> {
  const format = parseFormat(options.format);
  const failOn = options.failOn === undefined ? undefined : parseSeverity(options.failOn);
  const accountConcurrency = wholeNumber(options.concurrency, '--concurrency', 1, 64);
  const maxAttempts = wholeNumber(options.maxAttempts, '--max-attempts', 1, 20);
  const regions = options.regions === undefined ? DEFAULT_REGIONS : regionsOption(options.regions);
  const endpoint = options.endpointUrl ?? io.env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL; got "${endpoint}"`);
  }
  // The kubeconfig and the mutelist are read before the sweep, so a bad file or --kube-context fails fast.
  const kube = kubeOptions(options, io);
  const mutelist = options.mutelist === undefined ? [] : await readMutelist(options.mutelist, new Date());
  const credentials = options.profile ? fromIni({ profile: options.profile }) : undefined;
  const baseOptions = {
    maxAttempts,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };

  const hub = await hubAccount(baseOptions, options.profile);
  const factory = new AwsClientFactory({
    ...baseOptions,
    roleName: options.roleName,
    hubAccountId: hub,
    ...(options.externalId ? { externalId: options.externalId } : {}),
    sessionName: 'irsa-doctor-scan',
  });
  const targets = await resolveTargets(factory, {
    accounts: list(options.accounts),
    organization: Boolean(options.organization),
    organizationalUnits: list(options.ou),
    exclude: list(options.exclude),
  });

  const bar = progressBar(io.stderr);
  const started = Date.now();
  const swept = await collectEstate(factory, targets, {
    regions,
    accountConcurrency,
    workloads: options.workloads,
    ...(options.tls ? { tls: createThumbprintObserver() } : {}),
    onProgress: (p) => bar.update(p),
  });
  bar.done();
  const snapshot = kube ? await readKubernetesSide(swept, kube, io) : swept;
  // What is written must be what analyze accepts: validate before writing.
  parseSnapshot(snapshot, 'collected snapshot');
  if (options.output) await writeFileAtomic(options.output, `${JSON.stringify(snapshot, null, 2)}\n`);

  if (io.stderr.isTTY) io.stderr.write(scanSummary(snapshot, regions.length, Date.now() - started, options.output));
  return printFindings(withMutelist(analyzeEstate(snapshot), mutelist, new Date()), format, failOn, io, options);
}

/** The kubeconfig and the contexts asked for; undefined when the cluster side is not to be read. */
function kubeOptions(
  options: ScanOptions,
  io: CliIo,
): { config: Kubeconfig; requests: readonly KubeContextRequest[] } | undefined {
  const requests = (options.kubeContext ?? []).map(parseKubeContextOption);
  if (options.kubeconfig === undefined && requests.length === 0) return undefined;
  return { config: loadKubeconfig(options.kubeconfig ?? defaultKubeconfigPath(io.env)), requests };
}

/**
 * Reads the Kubernetes API of every swept cluster a context matches, one stderr line per cluster and per context
 * not used. A cluster that cannot be read is recorded partial or unreadable, never an error of the scan.
 */
async function readKubernetesSide(
  snapshot: EstateSnapshot,
  kube: { config: Kubeconfig; requests: readonly KubeContextRequest[] },
  io: CliIo,
): Promise<EstateSnapshot> {
  const match = matchKubeContexts(snapshot, kube.config, kube.requests);
  for (const line of match.unmatched) io.stderr.write(`kubernetes: ${line}\n`);
  if (match.targets.length === 0) {
    io.stderr.write('kubernetes: no swept cluster matched a kubeconfig context; no cluster was read\n');
    return snapshot;
  }
  const read = await readKubeClusters(snapshot, match.targets, {
    onCluster: (result) => io.stderr.write(`${kubeResultLine(result)}\n`),
  });
  return read.snapshot;
}

function regionsOption(text: string): readonly string[] {
  const parsed = parseRegionList(text);
  if (parsed.invalid.length > 0 || parsed.regions.length === 0) {
    throw new UsageError(
      `--regions must be a comma-separated list of region names like us-west-2,eu-west-1; ${
        parsed.invalid.length > 0
          ? `not regions: ${parsed.invalid.map((r) => JSON.stringify(r)).join(', ')}`
          : 'got none'
      }`,
    );
  }
  return parsed.regions;
}

/** The account the base credentials belong to; a CredentialsError saying what to check when they do not work. */
async function hubAccount(
  baseOptions: ConstructorParameters<typeof AwsClientFactory>[0],
  profile: string | undefined,
): Promise<string> {
  try {
    return await new AwsClientFactory(baseOptions).callerAccount();
  } catch (err) {
    const e = err as Error;
    throw new CredentialsError(
      `cannot use the AWS credentials${profile ? ` of profile "${profile}"` : ''} (sts:GetCallerIdentity failed: ${e.name}: ${e.message}); check --profile, AWS_PROFILE or the environment's credentials`,
      { cause: err },
    );
  }
}

/** The one-line summary shown on a terminal: accounts by collection status, clusters, roles, where it was written. */
function scanSummary(snapshot: EstateSnapshot, regions: number, elapsedMs: number, output: string | undefined): string {
  const by = (s: string) => snapshot.accounts.filter((a) => a.collection?.status === s).length;
  return `scanned ${snapshot.accounts.length} account(s) x ${regions} region(s) in ${(elapsedMs / 1000).toFixed(1)} s: ${by('complete')} complete, ${by('partial')} partial, ${by('unreachable')} unreachable; ${snapshot.accounts.reduce((n, a) => n + a.clusters.length, 0)} clusters, ${snapshot.accounts.reduce((n, a) => n + a.roles.length, 0)} roles${output ? `; snapshot written to ${output}` : ''}\n`;
}
