/**
 * Call economy of a sweep: an emulated organization is seeded, swept through the counting proxy, and the AWS calls
 * are compared, operation by operation, with the lower bound of calls that can read that estate at all.
 */
import { CreateClusterCommand } from '@aws-sdk/client-eks';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { startFaultProxy } from '../emulator/fault-proxy';
import { EMULATOR_CREDENTIALS, seedClients } from '../emulator/seed';
import { startEmulator } from '../emulator/start';
import { createWorkflowHub, synthesizeHubTemplate } from '../infra/local/local-hub';
import { AwsClientFactory } from '../lambdas/adapters/aws-clients';
import { collectEstate } from '../lambdas/adapters/collect-estate';
import { analyzeEstate } from '../lambdas/domain/analyze-estate';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import { logger } from '../lambdas/handlers/make-handler';
import { mapLimit } from '../lambdas/shared/concurrency';
import { runbookSweep } from './runbook';

export interface SweepShape {
  readonly accounts: number;
  readonly regions: number;
  readonly clustersPerRegion: number;
  readonly rolesPerAccount: number;
}

export interface SweepBenchResult {
  readonly shape: SweepShape;
  readonly seedSeconds: number;
  readonly sweepSeconds: number;
  readonly findings: number;
  /** Calls per operation as the emulator saw them (retries would count; the bench injects no faults). */
  readonly calls: Record<string, number>;
  readonly lowerBound: Record<string, number>;
  readonly core: { readonly calls: number; readonly lowerBound: number; readonly overPercent: number };
  /** Add-on and Pod Identity reads, which the lower bound has no term for. */
  readonly workloadCalls: number;
  /** State transitions of the synthesized state machine run locally over 1 account and over all of them. */
  readonly transitions?: { readonly oneAccount: number; readonly allAccounts: number; readonly perAccount: number };
  /** The scripted manual runbook on the same estate, when run. */
  readonly runbook?: { readonly calls: Record<string, number>; readonly total: number; readonly seconds: number };
}

const HUB = '123456789012';
const SCANNER = 'IrsaDoctorScanner';
const REGION_NAMES = ['us-west-2', 'eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1', 'ca-central-1'];

/** The fewest calls that can read the estate (issue 4): what a perfect collector would make. */
export function lowerBound(snapshot: EstateSnapshot, regions: readonly string[]): Record<string, number> {
  const bound: Record<string, number> = {};
  const add = (op: string, n: number) => {
    bound[op] = (bound[op] ?? 0) + n;
  };
  for (const account of snapshot.accounts) {
    add('sts:AssumeRole', account.accountId === HUB ? 0 : 1);
    add('iam:ListOpenIDConnectProviders', 1);
    add('iam:GetOpenIDConnectProvider', account.oidcProviders.length);
    add('iam:GetAccountAuthorizationDetails', Math.max(1, Math.ceil(account.roles.length / 1000)));
    for (const region of regions) {
      const clusters = account.clusters.filter((c) => c.region === region).length;
      add('eks:ListClusters', Math.max(1, Math.ceil(clusters / 100)));
      add('eks:DescribeCluster', clusters);
    }
  }
  return bound;
}

async function seed(endpoint: string, shape: SweepShape, regions: readonly string[]): Promise<string[]> {
  const accounts = Array.from({ length: shape.accounts }, (_, i) => String(200000000000 + i));
  await mapLimit(accounts, 4, async (accountId) => {
    const s = seedClients(endpoint, accountId);
    await s.iam.send(
      new CreateRoleCommand({
        RoleName: SCANNER,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const issuers: string[] = [];
    for (const region of regions) {
      for (let c = 0; c < shape.clustersPerRegion; c++) {
        const out = await s.eks(region).send(
          new CreateClusterCommand({
            name: `c${c}`,
            roleArn: `arn:aws:iam::${accountId}:role/eks`,
            resourcesVpcConfig: { subnetIds: ['subnet-1'] },
          }),
        );
        const issuer = (out.cluster?.identity?.oidc?.issuer ?? '').replace('https://', '');
        issuers.push(issuer);
        await s.iam.send(
          new CreateOpenIDConnectProviderCommand({ Url: `https://${issuer}`, ClientIDList: ['sts.amazonaws.com'] }),
        );
      }
    }
    // rolesPerAccount in all, the scanner role included
    const names = Array.from({ length: Math.max(0, shape.rolesPerAccount - 1) }, (_, i) => `app-${i}`);
    await mapLimit(names, 8, async (name, i) => {
      const issuer = issuers[i % issuers.length] ?? 'oidc.eks.us-west-2.amazonaws.com/id/NONE';
      await s.iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${issuer}` },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: {
                  StringEquals: {
                    [`${issuer}:sub`]: `system:serviceaccount:apps:${name}`,
                    [`${issuer}:aud`]: 'sts.amazonaws.com',
                  },
                },
              },
            ],
          }),
        }),
      );
    });
  });
  return accounts;
}

export async function runSweepBench(
  shape: SweepShape,
  log: (line: string) => void = () => {},
  options: { readonly runbook?: boolean } = {},
): Promise<SweepBenchResult> {
  if (shape.regions > REGION_NAMES.length) throw new Error(`at most ${REGION_NAMES.length} regions`);
  const regions = REGION_NAMES.slice(0, shape.regions);
  const emulator = await startEmulator();
  try {
    log(
      `sweep: seeding ${shape.accounts} accounts x ${shape.regions} regions x ${shape.clustersPerRegion} clusters, ${shape.rolesPerAccount} roles each...`,
    );
    let t = performance.now();
    const accounts = await seed(emulator.url, shape, regions);
    const seedSeconds = (performance.now() - t) / 1000;
    const proxy = await startFaultProxy({ target: emulator.url });
    try {
      const factory = new AwsClientFactory({
        endpoint: proxy.url,
        roleName: SCANNER,
        hubAccountId: HUB,
        credentials: EMULATOR_CREDENTIALS,
      });
      log('sweep: sweeping...');
      t = performance.now();
      const snapshot = await collectEstate(
        factory,
        accounts.map((accountId) => ({ accountId })),
        { regions },
      );
      const sweepSeconds = (performance.now() - t) / 1000;
      const calls = proxy.counts();
      const bound = lowerBound(snapshot, regions);
      const coreCalls = Object.keys(bound).reduce((n, op) => n + (calls[op] ?? 0), 0);
      const boundCalls = Object.values(bound).reduce((n, v) => n + v, 0);
      const all = Object.values(calls).reduce((n, v) => n + v, 0);
      const incomplete = snapshot.accounts.filter((a) => a.collection?.status !== 'complete');
      if (incomplete.length > 0) throw new Error(`sweep incomplete: ${JSON.stringify(incomplete[0]?.collection)}`);
      let runbook: SweepBenchResult['runbook'];
      if (options.runbook !== false) {
        log('sweep: running the scripted manual runbook on the same estate...');
        proxy.reset();
        t = performance.now();
        const manual = new AwsClientFactory({
          endpoint: proxy.url,
          roleName: SCANNER,
          hubAccountId: HUB,
          credentials: EMULATOR_CREDENTIALS,
        });
        await runbookSweep(manual, accounts, regions);
        const seconds = (performance.now() - t) / 1000;
        const runbookCalls = proxy.counts();
        runbook = { calls: runbookCalls, total: Object.values(runbookCalls).reduce((n, v) => n + v, 0), seconds };
      }
      log('sweep: running the synthesized state machine locally (1 account, then all)...');
      const transitions = await countTransitions(emulator.url, accounts, regions);
      return {
        transitions,
        ...(runbook ? { runbook } : {}),
        shape,
        seedSeconds,
        sweepSeconds,
        findings: analyzeEstate(snapshot).findings.length,
        calls,
        lowerBound: bound,
        core: { calls: coreCalls, lowerBound: boundCalls, overPercent: ((coreCalls - boundCalls) / boundCalls) * 100 },
        workloadCalls: all - coreCalls,
      };
    } finally {
      await proxy.close();
    }
  } finally {
    await emulator.stop();
  }
}

/** Runs the hub stack's synthesized state machine (the emulator's Step Functions, real handlers) over the accounts. */
async function countTransitions(endpoint: string, accounts: readonly string[], regions: readonly string[]) {
  process.env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
  logger.setLogLevel('SILENT');
  const template = synthesizeHubTemplate({});
  const run = async (targets: readonly string[], prefix: string) => {
    const hub = await createWorkflowHub({ endpoint, prefix, accounts: targets, regions, template });
    const result = await hub.workflow.run('Sweep', { mode: 'sweep' }, `${prefix}-run`);
    hub.workflow.close();
    if (result.status !== 'SUCCEEDED') throw new Error(`sweep ${result.status}: ${result.error} ${result.cause}`);
    return result.transitions;
  };
  const oneAccount = await run(accounts.slice(0, 1), 'bench-one');
  const allAccounts = await run(accounts, 'bench-all');
  return {
    oneAccount,
    allAccounts,
    perAccount: accounts.length > 1 ? (allAccounts - oneAccount) / (accounts.length - 1) : 0,
  };
}
