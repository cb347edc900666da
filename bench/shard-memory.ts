/**
 * Analysis memory per shard: what one analyze-account holds. The parent generates the bench estate (1,000 roles per
 * account), picks the account with the most related accounts, and saves what analyze-account reads for it: the
 * account's snapshot, the run's issuer index (every account's issuers) and its related accounts. A child process (this
 * file, bundled) reads that file and runs planAccount (the shard's analysis and planning, as the step does); its peak
 * resident set is the shard's, to compare with planning the whole estate in one process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type IssuerEntry, issuerEntry, planAccount, relatedAccounts } from '../lambdas/domain/estate-shard';
import type { AccountSnapshot, EstateSnapshot } from '../lambdas/domain/snapshot';

export interface ShardMemoryResult {
  readonly accounts: number;
  readonly rolesInAccount: number;
  readonly relatedAccounts: number;
  readonly findings: number;
  readonly plans: number;
  readonly planMs: number;
  readonly peakRssMB: number;
}

interface ShardInput {
  readonly account: AccountSnapshot;
  readonly index: IssuerEntry[];
  readonly related: AccountSnapshot[];
}

function inThisProcess(path: string): ShardMemoryResult {
  const input = JSON.parse(readFileSync(path, 'utf8')) as ShardInput;
  const t = performance.now();
  const out = planAccount(input.account, input.index, new Map(input.related.map((a) => [a.accountId, a])));
  return {
    accounts: input.index.length,
    rolesInAccount: input.account.roles.length,
    relatedAccounts: input.related.length,
    findings: out.findings.length,
    plans: out.plans.length,
    planMs: performance.now() - t,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Saves the shard input of the estate's most connected account, and measures it in a child process. */
export function runShardMemoryBench(bundle: string, estate: EstateSnapshot, dir: string): ShardMemoryResult {
  const index = estate.accounts.map(issuerEntry);
  const ranked = estate.accounts
    .map((account) => ({ account, related: relatedAccounts(account, index) }))
    .sort((a, b) => b.related.length - a.related.length);
  const top = ranked[0];
  if (!top) throw new Error('shard bench: empty estate');
  const byId = new Map(estate.accounts.map((a) => [a.accountId, a]));
  const input: ShardInput = {
    account: top.account,
    index,
    related: top.related.map((id) => byId.get(id)).filter((a): a is AccountSnapshot => a !== undefined),
  };
  const path = join(dir, 'shard-input.json');
  writeFileSync(path, JSON.stringify(input));
  const child = spawnSync(process.execPath, [bundle, '--shard-child', path], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`shard bench child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as ShardMemoryResult;
}

if (process.argv[2] === '--shard-child') {
  process.stdout.write(`${JSON.stringify(inThisProcess(process.argv[3] ?? ''))}\n`);
}
