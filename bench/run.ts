/**
 * `npm run bench [-- --roles N --iterations K --accounts A --regions R --clusters C --roles-per-account N --org-accounts N --org-latency MS --org-concurrency N --startup-runs N --only startup,analysis,cli,sweep,org,proof,kube]`:
 * benchmarks, never part of the tests. `startup` (first, quick; alone: `npm run bench:cli`) packs and installs the package
 * and times the installed CLI's cold start against `node -e 0` (bench/cli-startup.ts).
 * Prints the figures and writes them as JSON to bench/results/latest.json for tracking over time.
 * `analysis` also plans the same estate, in a child process, for its time and peak memory; `cli` times the CLI's
 * analyze and plan commands on it. `kube` seeds a local kube-apiserver (--kube-pods, --kube-service-accounts) and counts
 * the calls reading it takes against the lower bound. `org` sweeps an organization of --org-accounts accounts on the
 * local runtime (the hub's state machines on the emulator's Step Functions) with --org-latency ms added to every AWS
 * call, and reports wall time and events per execution (bench/org-sweep.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import type { benchEstate as BenchEstate, runAnalysisBench as RunAnalysisBench } from './analysis';
import { cliStartupLines, runCliStartupBench } from './cli-startup';
import { runKubeBench } from './kube';
import { runOrgSweepBench } from './org-sweep';
import { runCliBench, runPlanningBench } from './planning';
import { runProofBench } from './proof';
import { runShardMemoryBench } from './shard-memory';
import { runSweepBench } from './sweep';

/**
 * The analyzer is measured as it ships: bundled by esbuild the way the Lambda functions are (no keepNames, which
 * wraps every closure at creation and costs about a fifth of the analysis time), not through tsx's loader.
 */
function bundle(entry: string): string {
  const outfile = join(__dirname, '..', '.tmp', 'bench', `${entry}.cjs`);
  buildSync({
    entryPoints: [join(__dirname, `${entry}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
const {
  runAnalysisBench,
  benchEstate,
}: { runAnalysisBench: typeof RunAnalysisBench; benchEstate: typeof BenchEstate } = require(bundle('analysis'));

/** The plain-text estate of `roles` roles, saved where the planning child and the CLI read it. */
function savedEstate(roles: number): string {
  const path = join(__dirname, '..', '.tmp', 'bench', `estate-${roles}.json`);
  writeFileSync(path, JSON.stringify(benchEstate(roles, 'plain')));
  return path;
}

const { values } = parseArgs({
  options: {
    roles: { type: 'string', default: '100000' },
    iterations: { type: 'string', default: '5' },
    accounts: { type: 'string', default: '10' },
    regions: { type: 'string', default: '2' },
    clusters: { type: 'string', default: '3' },
    'roles-per-account': { type: 'string', default: '1000' },
    only: { type: 'string' },
    'kube-pods': { type: 'string', default: '5000' },
    'kube-service-accounts': { type: 'string', default: '1000' },
    'org-accounts': { type: 'string', default: '1000' },
    'org-latency': { type: 'string', default: '100' },
    'org-concurrency': { type: 'string', default: '40' },
    'startup-runs': { type: 'string', default: '15' },
  },
});
const positive = (name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    process.stderr.write(`bench: --${name} must be a whole number from 1 to ${max}; got "${value}"\n`);
    process.exit(2);
  }
  return n;
};
const SECTIONS = ['startup', 'analysis', 'cli', 'sweep', 'org', 'proof', 'kube'];
const only = values.only?.split(',');
if (only?.some((section) => !SECTIONS.includes(section))) {
  process.stderr.write(
    `bench: --only takes startup, analysis, cli, sweep, org, proof or kube, comma-separated; got "${values.only}"\n`,
  );
  process.exit(2);
}

/** Whether this run includes `section` (all of them without --only). */
const runs = (section: string): boolean => only === undefined || only.includes(section);

/** Analysis against JSON.parse, then planning of the same estate beside it. */
function analysisSection(lines: string[], results: Record<string, unknown>): void {
  const roles = positive('roles', values.roles);
  const iterations = positive('iterations', values.iterations);
  process.stderr.write(`analysis: generating ${roles} roles and timing ${iterations} rounds...\n`);
  const analysis = runAnalysisBench(roles, iterations, 'plain');
  const encoded = runAnalysisBench(roles, iterations, 'url');
  lines.push(
    `Analysis of ${analysis.roles} roles (${analysis.findings} findings), median of ${analysis.iterations} rounds, Node ${process.version}:`,
    `  JSON.parse of the snapshot text (${(analysis.snapshotChars / 1e6).toFixed(1)} M characters): ${analysis.snapshotParseMs.toFixed(1)} ms`,
    `  JSON.parse of its ${analysis.roles} trust policies alone:         ${analysis.jsonParseMs.toFixed(1)} ms`,
    `  analyzeEstate of the parsed snapshot (policies as plain JSON text): ${analysis.analysisMs.toFixed(1)} ms`,
    `  ratio analysis / JSON.parse of the snapshot text: ${analysis.ratio.toFixed(2)}x (target <= 3x)`,
    `  ratio analysis / JSON.parse of the trust policies: ${analysis.policyRatio.toFixed(2)}x (the measure before issue 13)`,
    `  the same in process CPU time (steadier on a shared machine): ${analysis.cpu.snapshotParseMs.toFixed(1)} / ${analysis.cpu.jsonParseMs.toFixed(1)} / ${analysis.cpu.analysisMs.toFixed(1)} ms, ratios ${analysis.cpu.ratio.toFixed(2)}x and ${analysis.cpu.policyRatio.toFixed(2)}x`,
    `  analyzeEstate, policies URL-encoded as IAM sends: ${encoded.analysisMs.toFixed(1)} ms (${encoded.ratio.toFixed(2)}x its snapshot text, ${encoded.policyRatio.toFixed(2)}x its policies; decoding included)`,
    `  snapshot schema validation (in neither ratio):    ${analysis.validationMs.toFixed(1)} ms`,
  );
  Object.assign(results, { analysis, analysisUrlEncoded: encoded });

  process.stderr.write(`planning: the same ${roles} roles, in a child process...\n`);
  const planning = runPlanningBench(bundle('planning'), savedEstate(roles));
  lines.push(
    `Planning the same estate (planEstate: analysis, then a plan per finding), one run in a child process:`,
    `  ${planning.planMs.toFixed(0)} ms for ${planning.plans} plans (${planning.applicable} applicable) from ${planning.findings} findings`,
    `  peak RSS ${planning.peakRssMB.toFixed(0)} MB (${planning.loadedRssMB.toFixed(0)} MB with the snapshot read and parsed, before planning)`,
  );
  results.planning = planning;

  process.stderr.write('shard: one account of the same estate as analyze-account holds it, in a child process...\n');
  const shard = runShardMemoryBench(
    bundle('shard-memory'),
    benchEstate(roles, 'plain'),
    join(__dirname, '..', '.tmp', 'bench'),
  );
  lines.push(
    `Analysis per shard (analyze-account: one account of ${shard.rolesInAccount} roles, the issuer index of all ${shard.accounts} accounts, ${shard.relatedAccounts} related accounts pruned), one run in a child process:`,
    `  ${shard.planMs.toFixed(0)} ms for ${shard.findings} findings and ${shard.plans} plans; peak RSS ${shard.peakRssMB.toFixed(0)} MB (the whole estate above: ${planning.peakRssMB.toFixed(0)} MB)`,
  );
  results.shard = shard;
}

/** The CLI's analyze and plan commands on the same estate. */
function cliSection(lines: string[], results: Record<string, unknown>): void {
  const roles = positive('roles', values.roles);
  process.stderr.write(`cli: analyze and plan of ${roles} roles through bin/irsa-doctor.cjs...\n`);
  const estate = savedEstate(roles);
  const root = join(__dirname, '..');
  const cli = [runCliBench(root, 'analyze', estate), runCliBench(root, 'plan', estate)];
  lines.push(
    '',
    `The CLI on the same ${roles} roles (node bin/irsa-doctor.cjs <command> --snapshot <file> --output json > /dev/null; reading, validation and output included):`,
    ...cli.map(
      (c) =>
        `  ${c.command.padEnd(8)} ${(c.wallMs / 1000).toFixed(1)} s, peak RSS ${c.peakRssMB.toFixed(0)} MB (exit ${c.exitCode})`,
    ),
  );
  results.cli = cli;
}

/** An organization swept on the local runtime, every AWS call slowed: wall time and events per execution. */
async function orgSection(lines: string[], results: Record<string, unknown>): Promise<void> {
  const shape = {
    accounts: positive('org-accounts', values['org-accounts'], 10_000),
    latencyMs: Number(values['org-latency']),
    brokenEvery: 100,
    concurrency: positive('org-concurrency', values['org-concurrency'], 1000),
  };
  const org = await runOrgSweepBench(shape, (line) => process.stderr.write(`${line}\n`));
  const items = org.mapRuns.map((m) => `${m.items} items (${m.failed} failed)`).join(', ');
  lines.push(
    '',
    `Organization sweep on the local runtime (emulator Step Functions, real handlers): ${shape.accounts} accounts, ${shape.latencyMs} ms added to every AWS call, Distributed Map concurrency ${shape.concurrency}:`,
    `  sweep ${org.sweepStatus} in ${org.sweepSeconds.toFixed(1)} s wall time (target <= 300 s); seeding took ${org.seedSeconds.toFixed(1)} s`,
    `  ${org.awsCalls} AWS calls through the proxy, ${org.lambdaInvocations} Lambda invocations; Distributed Maps: ${items}`,
    `  events: the sweep execution ${org.sweepEvents} (independent of the number of accounts: each account runs in a Map child execution), each remediation execution at most ${org.remediationEventsMax} (${org.plans} plans, settled in ${org.settleSeconds.toFixed(1)} s)`,
    `  extrapolated: 10,000 accounts -> sweep execution ${org.extrapolated.sweepAt10kAccounts} events; 10,000 plans -> ${org.extrapolated.remediationAt10kPlans} events per remediation execution (limit 25,000)`,
  );
  results.org = org;
}

/** Kubernetes calls per cluster against the lower bound, on a real kube-apiserver. */
async function kubeSection(lines: string[], results: Record<string, unknown>): Promise<void> {
  const shape = {
    pods: positive('kube-pods', values['kube-pods'], 50_000),
    serviceAccounts: positive('kube-service-accounts', values['kube-service-accounts'], 20_000),
    namespaces: 10,
    pageSize: 500,
  };
  const kube = await runKubeBench(shape, (line) => process.stderr.write(`${line}\n`));
  lines.push(
    '',
    `Reading one cluster's Kubernetes API (kube-apiserver ${kube.serverVersion ?? ''}, view-only identity, ${shape.pageSize} objects per page): ${kube.objects.serviceaccounts} service accounts, ${kube.objects.pods} pods, ${kube.status}:`,
    `  HTTP calls: ${kube.calls}; lower bound (/version + one list call per kind per page): ${kube.lowerBound}`,
    `  read and converted in ${kube.readSeconds.toFixed(2)} s (seeding took ${kube.seedSeconds.toFixed(1)} s)`,
  );
  results.kube = kube;
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  const lines: string[] = [];

  if (runs('startup')) {
    const startup = runCliStartupBench(positive('startup-runs', values['startup-runs'], 1000), (line) =>
      process.stderr.write(`${line}\n`),
    );
    lines.push(...cliStartupLines(startup), '');
    results.startup = startup;
  }

  if (runs('proof')) {
    const iterations = positive('iterations', values.iterations);
    for (const [subjects, providers] of [
      [200, 10],
      [200, 1],
    ] as const) {
      const proof = runProofBench(subjects, providers, iterations);
      lines.push(
        `Exact proof, ${proof.subjects} subjects over ${proof.providers} provider(s), stale-provider repoint, median of ${proof.iterations} rounds:`,
        `  exact difference: ${proof.exactMs.toFixed(1)} ms (${proof.classes} classes, ${proof.undeclared} undeclared, ${proof.work} steps)`,
        `  whole proof (exact + ${proof.probes} probes): ${proof.proveMs.toFixed(1)} ms`,
      );
      results[`proof${subjects}x${providers}`] = proof;
    }
  }

  if (runs('analysis')) analysisSection(lines, results);
  if (runs('cli')) cliSection(lines, results);

  if (runs('sweep')) {
    const shape = {
      accounts: positive('accounts', values.accounts, 200),
      regions: positive('regions', values.regions, 6),
      clustersPerRegion: positive('clusters', values.clusters, 100),
      rolesPerAccount: positive('roles-per-account', values['roles-per-account'], 20000),
    };
    const sweep = await runSweepBench(shape, (line) => process.stderr.write(`${line}\n`));
    const ops = [...new Set([...Object.keys(sweep.calls), ...Object.keys(sweep.lowerBound)])].sort();
    lines.push(
      '',
      `Sweep of ${shape.accounts} accounts x ${shape.regions} regions x ${shape.clustersPerRegion} clusters, ${shape.rolesPerAccount} roles per account (emulator, no faults):`,
      `  ${'operation'.padEnd(40)} ${'calls'.padStart(7)} ${'lower bound'.padStart(12)}`,
      ...ops.map(
        (op) =>
          `  ${op.padEnd(40)} ${String(sweep.calls[op] ?? 0).padStart(7)} ${(op in sweep.lowerBound ? String(sweep.lowerBound[op]) : '-').padStart(12)}`,
      ),
      `  reads the lower bound covers: ${sweep.core.calls} calls vs ${sweep.core.lowerBound} (${sweep.core.overPercent >= 0 ? '+' : ''}${sweep.core.overPercent.toFixed(1)}%, target <= +5%)`,
      `  add-on and Pod Identity reads (no lower-bound term; --no-workloads skips them): ${sweep.workloadCalls} calls`,
      `  sweep wall time: ${sweep.sweepSeconds.toFixed(2)} s (${sweep.findings} findings); seeding took ${sweep.seedSeconds.toFixed(1)} s`,
    );
    if (sweep.runbook) {
      const all = Object.values(sweep.calls).reduce((n, v) => n + v, 0);
      const manual = sweep.runbook;
      lines.push(
        '',
        'The scripted manual runbook on the same estate (per cluster: describe it, list providers, get every role):',
        ...Object.entries(manual.calls).map(([op, n]) => `  ${op.padEnd(40)} ${String(n).padStart(7)}`),
        `  calls: runbook ${manual.total} vs this tool ${all} (${(manual.total / all).toFixed(1)}x more; ${(manual.total / sweep.core.lowerBound).toFixed(1)}x the lower bound)`,
        `  wall time: runbook ${manual.seconds.toFixed(2)} s vs this tool ${sweep.sweepSeconds.toFixed(2)} s (${(manual.seconds / sweep.sweepSeconds).toFixed(1)}x slower)`,
      );
    }
    if (sweep.transitions) {
      const t = sweep.transitions;
      lines.push(
        '',
        `State machine (synthesized, run locally): ${t.oneAccount} transitions for 1 account, ${t.allAccounts} for ${shape.accounts}: ${t.perAccount.toFixed(1)} per account`,
      );
    }
    results.sweep = sweep;
  }

  if (runs('org')) await orgSection(lines, results);
  if (runs('kube')) await kubeSection(lines, results);

  process.stdout.write(`${lines.join('\n')}\n`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${join(dir, 'latest.json')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
