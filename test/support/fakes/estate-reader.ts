/**
 * The EstateReader port in memory (lambdas/ports/estate-reader.ts), over a set of account snapshots the test gives:
 *
 * - resolveTargets as lambdas/adapters/targets.ts: malformed ids and contradicting options are a UsageError; the
 *   organization's accounts (optionally under some OUs), else the listed accounts, else the caller's own account,
 *   minus the exclusions, sorted, without duplicates;
 * - collectAccount: the account's snapshot with its clusters limited to the regions asked for (and the
 *   collection's regions set to them); an account the fake does not know is `unreachable` (never a throw), as
 *   the scanner role would find an account without it;
 * - clusterStatus: what `setClusterStatus` said, else ACTIVE for a cluster of a known snapshot, else NOT_FOUND;
 * - verifyRead: with a FixWriter fake attached (`resources`), the plan's resource as that fake holds it now put
 *   into the account (a role's trust policy, a provider's client ids and thumbprints); otherwise the account as it
 *   was.
 */
import type { Plan } from '../../../lambdas/domain/plan/plan-model';
import type { AccountSnapshot, OidcProviderSnapshot } from '../../../lambdas/domain/snapshot';
import { unreachableAccount } from '../../../lambdas/domain/snapshot';
import type { EstateReader, SweepTarget, TargetSelection } from '../../../lambdas/ports/estate-reader';
import { UsageError } from '../../../lambdas/shared/errors';

const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/** An account of the fake organization. */
export interface OrganizationAccount {
  readonly accountId: string;
  readonly name?: string;
  /** The OUs (and root) it is under, its parents' parents included. */
  readonly parents?: readonly string[];
  readonly status?: 'ACTIVE' | 'SUSPENDED';
}

/** What the fake reads a resource's state from (an InMemoryFixWriter does). */
export interface ResourceStates {
  get(resourceArn: string): unknown;
}

export interface InMemoryEstateOptions {
  readonly accounts?: readonly AccountSnapshot[];
  readonly organization?: readonly OrganizationAccount[];
  /** The account the scanner runs in (the hub): the target when nothing else is selected. */
  readonly callerAccount?: string;
  readonly resources?: ResourceStates;
}

export class InMemoryEstateReader implements EstateReader {
  private readonly accounts = new Map<string, AccountSnapshot>();
  private readonly statuses = new Map<string, string>();
  private readonly organization: readonly OrganizationAccount[];
  private readonly callerAccount: string;
  private readonly resources: ResourceStates | undefined;
  /** Every account collected, in order. */
  readonly collected: string[] = [];

  constructor(options: InMemoryEstateOptions = {}) {
    for (const a of options.accounts ?? []) this.accounts.set(a.accountId, structuredClone(a));
    this.organization = options.organization ?? [];
    this.callerAccount = options.callerAccount ?? '000000000000';
    this.resources = options.resources;
  }

  setAccount(account: AccountSnapshot): this {
    this.accounts.set(account.accountId, structuredClone(account));
    return this;
  }

  setClusterStatus(cluster: { accountId: string; region: string; name: string }, status: string): this {
    this.statuses.set(clusterKey(cluster), status);
    return this;
  }

  async resolveTargets(selection: TargetSelection): Promise<SweepTarget[]> {
    validate(selection);
    const candidates: SweepTarget[] = selection.organization
      ? this.organizationAccounts(selection.organizationalUnits)
      : selection.accounts.length > 0
        ? selection.accounts.map((accountId) => ({ accountId }))
        : [{ accountId: this.callerAccount }];
    const excluded = new Set(selection.exclude);
    const seen = new Map<string, SweepTarget>();
    for (const t of candidates) if (!excluded.has(t.accountId) && !seen.has(t.accountId)) seen.set(t.accountId, t);
    return [...seen.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
  }

  async collectAccount(target: SweepTarget, regions: readonly string[]): Promise<AccountSnapshot> {
    this.collected.push(target.accountId);
    const account = this.accounts.get(target.accountId);
    if (!account) {
      return unreachableAccount(
        target.accountId,
        [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'the scanner role cannot be assumed' }],
        target.name,
      );
    }
    const copy = structuredClone(account);
    return {
      ...copy,
      ...(target.name ? { name: target.name } : {}),
      clusters: copy.clusters.filter((c) => regions.includes(c.region)),
      collection: { ...(copy.collection ?? { status: 'complete' }), regions: [...regions] },
    };
  }

  async clusterStatus(cluster: { accountId: string; region: string; name: string }): Promise<string> {
    const set = this.statuses.get(clusterKey(cluster));
    if (set !== undefined) return set;
    const known = this.accounts
      .get(cluster.accountId)
      ?.clusters.find((c) => c.region === cluster.region && c.name === cluster.name);
    return known ? known.status || 'ACTIVE' : 'NOT_FOUND';
  }

  async verifyRead(plan: Plan, account: AccountSnapshot): Promise<AccountSnapshot> {
    if (!this.resources) return structuredClone(account);
    const state = this.resources.get(plan.resourceArn);
    if (plan.action === 'update-trust-policy') {
      return {
        ...account,
        roles: account.roles.map((r) =>
          r.arn === plan.resourceArn && state !== null ? { ...r, trustPolicy: state as Record<string, unknown> } : r,
        ),
      };
    }
    if (
      plan.action === 'create-oidc-provider' ||
      plan.action === 'add-client-id' ||
      plan.action === 'update-thumbprint'
    ) {
      const others = account.oidcProviders.filter((p) => p.arn !== plan.resourceArn);
      if (state === null) return { ...account, oidcProviders: others };
      const s = state as { url: string; clientIds: readonly string[]; thumbprints: readonly string[] };
      const provider: OidcProviderSnapshot = {
        arn: plan.resourceArn,
        url: s.url,
        clientIds: [...s.clientIds],
        thumbprints: [...s.thumbprints],
      };
      return { ...account, oidcProviders: [...others, provider] };
    }
    return structuredClone(account);
  }

  private organizationAccounts(ous: readonly string[]): SweepTarget[] {
    return this.organization
      .filter((a) => (a.status ?? 'ACTIVE') === 'ACTIVE')
      .filter((a) => ous.length === 0 || ous.some((ou) => (a.parents ?? []).includes(ou)))
      .map((a) => {
        // Listed under an OU: its path from that OU down (as the Organizations walk records it).
        const parents = a.parents ?? [];
        const from = ous.length > 0 ? parents.findIndex((p) => ous.includes(p)) : -1;
        return {
          accountId: a.accountId,
          ...(a.name ? { name: a.name } : {}),
          ...(from >= 0 ? { ouPath: parents.slice(from) } : {}),
        };
      });
  }
}

function clusterKey(c: { accountId: string; region: string; name: string }): string {
  return `${c.accountId}/${c.region}/${c.name}`;
}

function validate(selection: TargetSelection): void {
  const bad = [...selection.accounts, ...selection.exclude].filter((a) => !ACCOUNT_ID.test(a));
  if (bad.length > 0) {
    throw new UsageError(`account ids must be 12 digits; got ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  const badOus = selection.organizationalUnits.filter((o) => !PARENT_ID.test(o));
  if (badOus.length > 0) {
    throw new UsageError(
      `organizational units must be ids like ou-ab12-cdef3456 or r-ab12; got ${badOus.map((b) => JSON.stringify(b)).join(', ')}`,
    );
  }
  if (selection.accounts.length > 0 && selection.organization) {
    throw new UsageError('give either an account list or --organization, not both');
  }
  if (selection.organizationalUnits.length > 0 && !selection.organization) {
    throw new UsageError('organizational units filter the organization: add --organization');
  }
}
