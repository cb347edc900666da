import {
  type Account,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import { UsageError } from '../shared/errors';
import type { AwsClientFactory } from './aws-clients';

export interface TargetAccount {
  readonly accountId: string;
  readonly name?: string;
  /**
   * Listed under organizationalUnits: the OUs from the configured one down to the account's parent (what OU-scoped
   * approver rules match; lambdas/domain/approver-scope.ts).
   */
  readonly ouPath?: readonly string[];
}

export interface TargetOptions {
  /** Accounts to sweep, as given; Organizations is not called. */
  readonly accounts?: readonly string[];
  /** Read the accounts from AWS Organizations (the hub must be the management or a delegated administrator account). */
  readonly organization?: boolean;
  /** With `organization`: only accounts under these OUs (ou-... ids, or the root r-...), children included. */
  readonly organizationalUnits?: readonly string[];
  /** Never sweep these accounts. */
  readonly exclude?: readonly string[];
}

const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * The accounts a sweep covers: the configured list, or the organization's ACTIVE accounts (optionally only those
 * under some OUs), minus the exclusions; with neither, the caller's own account. Sorted, without duplicates.
 */
export async function resolveTargets(factory: AwsClientFactory, options: TargetOptions): Promise<TargetAccount[]> {
  validateTargetOptions(options);
  const targets = await candidateTargets(factory, options);
  const excluded = new Set(options.exclude ?? []);
  const seen = new Map<string, TargetAccount>();
  for (const t of targets) if (!excluded.has(t.accountId) && !seen.has(t.accountId)) seen.set(t.accountId, t);
  return [...seen.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
}

/** Throws a UsageError for malformed account or OU ids and for options that contradict each other. */
function validateTargetOptions(options: TargetOptions): void {
  const bad = [...(options.accounts ?? []), ...(options.exclude ?? [])].filter((a) => !ACCOUNT_ID.test(a));
  if (bad.length > 0) {
    throw new UsageError(`account ids must be 12 digits; got ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  const badOus = (options.organizationalUnits ?? []).filter((o) => !PARENT_ID.test(o));
  if (badOus.length > 0) {
    throw new UsageError(
      `organizational units must be ids like ou-ab12-cdef3456 or r-ab12; got ${badOus.map((b) => JSON.stringify(b)).join(', ')}`,
    );
  }
  if (options.accounts && options.accounts.length > 0 && options.organization) {
    throw new UsageError('give either an account list or --organization, not both');
  }
  if (options.organizationalUnits?.length && !options.organization) {
    throw new UsageError('organizational units filter the organization: add --organization');
  }
}

/** The organization's accounts, else the listed accounts, else the caller's own account (before exclusions). */
async function candidateTargets(factory: AwsClientFactory, options: TargetOptions): Promise<TargetAccount[]> {
  if (options.organization) return organizationAccounts(factory, options.organizationalUnits ?? []);
  if (options.accounts && options.accounts.length > 0) return options.accounts.map((accountId) => ({ accountId }));
  return [{ accountId: await factory.callerAccount() }];
}

async function organizationAccounts(factory: AwsClientFactory, ous: readonly string[]): Promise<TargetAccount[]> {
  const client = factory.organizations();
  const accounts: Array<{ account: Account; ouPath?: readonly string[] }> = [];
  if (ous.length === 0) {
    for await (const page of paginateListAccounts({ client }, {})) {
      accounts.push(...(page.Accounts ?? []).map((account) => ({ account })));
    }
  } else {
    accounts.push(...(await accountsUnder(client, ous)));
  }
  return accounts
    .filter(({ account: a }) => a.Id && isActive(a))
    .map(({ account: a, ouPath }) => ({
      accountId: a.Id as string,
      ...(a.Name ? { name: a.Name } : {}),
      ...(ouPath ? { ouPath } : {}),
    }));
}

/** The accounts in each OU and its children, each with its OU path: breadth-first, each OU once. */
async function accountsUnder(
  client: OrganizationsClient,
  ous: readonly string[],
): Promise<Array<{ account: Account; ouPath: readonly string[] }>> {
  const accounts: Array<{ account: Account; ouPath: readonly string[] }> = [];
  const queue = ous.map((ou) => ({ parent: ou, path: [ou] }));
  const visited = new Set<string>();
  while (queue.length > 0) {
    const { parent, path } = queue.shift() as { parent: string; path: string[] };
    if (visited.has(parent)) continue;
    visited.add(parent);
    for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent })) {
      accounts.push(...(page.Accounts ?? []).map((account) => ({ account, ouPath: path })));
    }
    for (const child of await childOus(client, parent)) queue.push({ parent: child, path: [...path, child] });
  }
  return accounts;
}

async function childOus(client: OrganizationsClient, parent: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent })) {
    ids.push(...(page.OrganizationalUnits ?? []).flatMap((ou) => (ou.Id ? [ou.Id] : [])));
  }
  return ids;
}

/** `State` replaces the deprecated `Status` (ACTIVE, SUSPENDED, PENDING_CLOSURE, ...); either must say ACTIVE. */
function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}
