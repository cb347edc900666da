/**
 * The emulator under concurrent load (emulator/launch.py patch m): many SDK calls in flight from several accounts at
 * once, writes and reads of the same accounts' roles interleaved, never get a 500, and what was written reads back.
 * Without the IAM/STS lock, moto answers some of them "RuntimeError: dictionary changed size during iteration" as an
 * HTML 500. Every client makes one attempt (maxAttempts 1), so a 500 is seen, not retried away.
 *
 * The file runs its own emulator, started with test/support/fast-switch on PYTHONPATH: Python then switches threads
 * every microsecond instead of every 5 ms, so a request is often interrupted in the middle of walking an account's
 * roles (as it is now and then on a loaded machine with a large estate: the bench's 10 x 1,000 roles). Without the
 * lock this test fails on most runs; with it, the walk cannot be interrupted by a write however often threads switch.
 */

import { join } from 'node:path';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  type Role,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { EMULATOR_CREDENTIALS, type SeedClients, seedClients } from '../../emulator/seed';
import { type RunningEmulator, startEmulator } from '../../emulator/start';
import { mapLimit } from '../../lambdas/shared/concurrency';
import { budgetFor, EMULATOR_READY_MS } from './budget';

const IN_FLIGHT = 32;
const ACCOUNTS = 4;
/** Roles per account made before the mixed phase, which reads and updates them while it makes as many again. */
const BASE_ROLES = 150;
const REGION = 'us-west-2';

const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(390000000000 + i));
const FAST_SWITCH = join(__dirname, '..', 'support', 'fast-switch');

let emulator: RunningEmulator;
let endpoint: string;
let sts: STSClient;
const clients = new Map<string, SeedClients>();

beforeAll(async () => {
  emulator = await startEmulator({ env: { PYTHONPATH: FAST_SWITCH }, timeoutMs: EMULATOR_READY_MS });
  endpoint = emulator.url;
  sts = new STSClient({ endpoint, region: REGION, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 });
  for (const a of accounts) clients.set(a, seedClients(endpoint, a));
}, EMULATOR_READY_MS + 60_000); // + installing the venv when it is not there yet

function trust(tag: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole', Sid: tag },
    ],
  });
}

function seed(account: string): SeedClients {
  const c = clients.get(account);
  if (!c) throw new Error(`no clients for ${account}`);
  return c;
}

interface Call {
  readonly what: string;
  run(): Promise<unknown>;
}

/** Runs every call with IN_FLIGHT in flight; returns the failures (status and message), none expected. */
async function runAll(calls: readonly Call[]): Promise<string[]> {
  const failures: string[] = [];
  await mapLimit(calls, IN_FLIGHT, async (call) => {
    try {
      await call.run();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      failures.push(
        `${call.what}: ${status ?? '?'} ${(error as Error).name}: ${(error as Error).message.slice(0, 120)}`,
      );
    }
  });
  return failures;
}

const createRole = (account: string, name: string): Call => ({
  what: `CreateRole ${account}/${name}`,
  run: () => seed(account).iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust('v1') })),
});

async function listAllRoles(account: string): Promise<Role[]> {
  const roles: Role[] = [];
  let marker: string | undefined;
  do {
    const page = await seed(account).iam.send(new ListRolesCommand({ Marker: marker, MaxItems: 100 }));
    roles.push(...(page.Roles ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return roles;
}

interface Reader {
  readonly iam: IAMClient;
  readonly eks: EKSClient;
}

/**
 * Clients signed with credentials of a role assumed in `account`, as the sweep reads an account. moto looks that role
 * up by ARN on every such request (any service), walking the account's roles: the reader role is made last, so the walk
 * is the longest, while the mixed phase adds roles to the same account.
 */
async function reader(account: string): Promise<Reader> {
  await seed(account).iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust('v1') }));
  const out = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/reader`, RoleSessionName: 'load' }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole gave no credentials');
  const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  const config = { endpoint, region: REGION, credentials, maxAttempts: 1 };
  return { iam: new IAMClient(config), eks: new EKSClient(config) };
}

/** The mixed phase, interleaved across accounts: creates, reads, trust edits, role assumptions and EKS calls. */
function mixedCalls(readerOf: (account: string) => Reader): Call[] {
  const calls: Call[] = [];
  for (let i = 0; i < BASE_ROLES; i++) {
    for (const account of accounts) {
      const as = {
        get iam() {
          return readerOf(account).iam;
        },
        get eks() {
          return readerOf(account).eks;
        },
      };
      const base = `base-${i}`;
      calls.push(createRole(account, `more-${i}`));
      calls.push({
        what: `GetRole ${account}/${base}`,
        run: () => as.iam.send(new GetRoleCommand({ RoleName: base })),
      });
      calls.push({
        what: `UpdateAssumeRolePolicy ${account}/${base}`,
        run: () => as.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: base, PolicyDocument: trust('v2') })),
      });
      calls.push({ what: `ListClusters ${account}`, run: () => as.eks.send(new ListClustersCommand({})) });
      if (i % 5 === 0) calls.push({ what: `ListRoles ${account}`, run: () => listAllRoles(account) });
      if (i % 3 === 0) {
        calls.push({
          what: `AssumeRole ${account}/${base}`,
          run: () =>
            sts.send(
              new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${base}`, RoleSessionName: 'load' }),
            ),
        });
      }
      if (i % 10 === 0) {
        const name = `load-${i}`;
        calls.push({
          what: `CreateCluster ${account}/${name}`,
          run: async () => {
            await seed(account)
              .eks(REGION)
              .send(
                new CreateClusterCommand({
                  name,
                  roleArn: `arn:aws:iam::${account}:role/eks`,
                  resourcesVpcConfig: { subnetIds: ['subnet-1'] },
                }),
              );
            await as.eks.send(new DescribeClusterCommand({ name }));
          },
        });
      }
    }
  }
  return calls;
}

const readers = new Map<string, Reader>();
const baseCreates = Array.from({ length: BASE_ROLES }, (_, i) =>
  accounts.map((a) => createRole(a, `base-${i}`)),
).flat();
const mixed = mixedCalls((account) => {
  const r = readers.get(account);
  if (!r) throw new Error(`no reader for ${account}`);
  return r;
});
/** The calls the test makes: both phases (a ListRoles is up to 4 pages), each account's reader (2) and read-back (4). */
const CALLS =
  baseCreates.length +
  mixed.length +
  3 * mixed.filter((c) => c.what.startsWith('ListRoles')).length +
  accounts.length * 6;

afterAll(async () => {
  sts?.destroy();
  for (const r of readers.values()) {
    r.iam.destroy();
    r.eks.destroy();
  }
  for (const c of clients.values()) {
    c.iam.destroy();
    c.organizations.destroy();
    c.eks(REGION).destroy();
  }
  await emulator?.stop();
});

describe(`the emulator with ${IN_FLIGHT} SDK calls in flight from ${ACCOUNTS} accounts`, () => {
  it(
    'answers every IAM, STS and EKS call (no 500), and every write reads back',
    async () => {
      expect(await runAll(baseCreates)).toEqual([]);

      for (const account of accounts) readers.set(account, await reader(account));
      expect(await runAll(mixed)).toEqual([]);

      for (const account of accounts) {
        const roles = await listAllRoles(account);
        const expected = ['reader', ...Array.from({ length: BASE_ROLES }, (_, i) => [`base-${i}`, `more-${i}`]).flat()];
        expect(roles.map((r) => r.RoleName).sort()).toEqual(expected.sort());
        for (const role of roles.filter((r) => r.RoleName?.startsWith('base-'))) {
          expect(decodeURIComponent(role.AssumeRolePolicyDocument ?? '')).toBe(trust('v2'));
        }
      }
    },
    budgetFor({ calls: CALLS }),
  );
});
