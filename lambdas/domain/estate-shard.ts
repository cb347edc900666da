/**
 * Sharded analysis (issue 15): one account's snapshot analyzed against the issuer index of the whole estate, so
 * that memory is bounded by the largest account and the accounts it shares workloads with, not the organization.
 *
 * What a finding of account A can depend on outside A, and how the shard of A carries it:
 * - every cluster and OIDC provider of the estate (IRSA-001, -002, -005, -012...): the issuer index (IssuerEntry,
 *   one per account: clusters without their Kubernetes objects, providers, collection status, quotas);
 * - the workloads of other accounts that name A's roles (IRSA-016, -024, -031, -036, the cluster-side rules on their
 *   pods): those accounts' own entries list the accounts whose roles they name (`refersTo`), and the shard carries
 *   them pruned to what concerns A (service accounts and pods naming A's roles, every Pod Identity association);
 * - the service accounts of other accounts' clusters that A's roles trust (KUBE-003) and the roles of other
 *   accounts that name A's providers (IRSA-005's references): related accounts again, pruned the same way.
 * A finding belongs to the shard of its `accountId`; a finding about an account outside the estate (a role of an
 * account not swept) to the shard of the cluster's account it was read from.
 */
import { parseArn, roleAccountId } from './arn';
import type { Finding } from './finding';
import { ROLE_ARN_ANNOTATION } from './kube-annotations';
import { type PlanOptions, planShard } from './plan/plan-estate';
import type { Plan } from './plan/plan-model';
import type { AccountSnapshot, ClusterSnapshot, EstateSnapshot, KubernetesSnapshot, RoleSnapshot } from './snapshot';

/** One account in the run's issuer index: what the other accounts' analyses need of it (small: no roles). */
export interface IssuerEntry
  extends Pick<AccountSnapshot, 'accountId' | 'name' | 'clusters' | 'oidcProviders' | 'collection' | 'quotas'> {
  /** Accounts (other than this one) whose roles this account's workloads or trust policies name. */
  readonly refersTo?: readonly string[];
  /** Whether some cluster's Kubernetes objects were read (other accounts' roles may trust its service accounts). */
  readonly kubernetesRead?: boolean;
}

const PROVIDER_ACCOUNT = /arn:[^:"\\]+:iam::(\d{12}):oidc-provider\//g;

/** The index entry of an account: its issuers, without roles or Kubernetes objects. */
export function issuerEntry(account: AccountSnapshot): IssuerEntry {
  const refersTo = [...referencedAccounts(account)].filter((a) => a !== account.accountId).sort();
  const kubernetesRead = account.clusters.some((c) => c.kubernetes !== undefined);
  return {
    accountId: account.accountId,
    ...(account.name !== undefined ? { name: account.name } : {}),
    ...(account.collection ? { collection: account.collection } : {}),
    ...(account.quotas ? { quotas: account.quotas } : {}),
    clusters: account.clusters.map(withoutKubernetes),
    oidcProviders: account.oidcProviders,
    ...(refersTo.length > 0 ? { refersTo } : {}),
    ...(kubernetesRead ? { kubernetesRead } : {}),
  };
}

/** An index entry as an account of a shard: its issuers, nothing else. */
export function issuerAccount(entry: IssuerEntry): AccountSnapshot {
  return {
    accountId: entry.accountId,
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    ...(entry.collection ? { collection: entry.collection } : {}),
    ...(entry.quotas ? { quotas: entry.quotas } : {}),
    clusters: entry.clusters,
    oidcProviders: entry.oidcProviders,
    roles: [],
  };
}

function withoutKubernetes(cluster: ClusterSnapshot): ClusterSnapshot {
  if (cluster.kubernetes === undefined) return cluster;
  const { kubernetes: _dropped, ...rest } = cluster;
  return rest;
}

/** The role ARNs the account's workloads name (service accounts, Kubernetes annotations, Pod Identity). */
function namedRoles(account: AccountSnapshot): Set<string> {
  const roles = new Set<string>();
  for (const sa of account.serviceAccounts ?? []) if (sa.roleArn) roles.add(sa.roleArn);
  for (const a of account.podIdentityAssociations ?? []) {
    roles.add(a.roleArn);
    if (a.targetRoleArn) roles.add(a.targetRoleArn);
  }
  for (const c of account.clusters) {
    for (const sa of c.kubernetes?.serviceAccounts ?? []) {
      const arn = sa.annotations?.[ROLE_ARN_ANNOTATION];
      if (arn) roles.add(arn);
    }
  }
  return roles;
}

function trustText(role: RoleSnapshot): string {
  return typeof role.trustPolicy === 'string' ? role.trustPolicy : JSON.stringify(role.trustPolicy);
}

/** Accounts of the providers a trust policy names (the text may be URL-encoded: decoded leniently). */
function providerAccounts(role: RoleSnapshot): Set<string> {
  const out = new Set<string>();
  let text = trustText(role);
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // a malformed encoding: the raw text is searched
    }
  }
  for (const m of text.matchAll(PROVIDER_ACCOUNT)) if (m[1]) out.add(m[1]);
  return out;
}

/** Accounts whose roles the account's workloads name, or whose providers its trust policies name. */
function referencedAccounts(account: AccountSnapshot): Set<string> {
  const out = new Set<string>();
  for (const arn of namedRoles(account)) {
    const id = roleAccountId(arn);
    if (id) out.add(id);
  }
  for (const role of account.roles) for (const id of providerAccounts(role)) out.add(id);
  return out;
}

/** Lower-cased issuer host/path (what a provider URL and a cluster issuer share). */
function issuerKeyOf(url: string): string {
  return url
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/**
 * The other accounts whose full snapshot (pruned by pruneFor) the shard of `account` needs: those whose entries
 * refer to it, those it refers to, and those with Kubernetes objects read on a cluster whose issuer one of its
 * providers names.
 */
export function relatedAccounts(account: AccountSnapshot, index: readonly IssuerEntry[]): string[] {
  const self = account.accountId;
  const own = referencedAccounts(account);
  const providerKeys = new Set(account.oidcProviders.map((p) => issuerKeyOf(p.url)));
  const out: string[] = [];
  for (const entry of index) {
    if (entry.accountId === self) continue;
    const related =
      (entry.refersTo ?? []).includes(self) ||
      own.has(entry.accountId) ||
      (entry.kubernetesRead === true &&
        entry.clusters.some((c) => c.oidcIssuer !== null && providerKeys.has(issuerKeyOf(c.oidcIssuer))));
    if (related) out.push(entry.accountId);
  }
  return out;
}

/** What the shard of one account looks for in a related account. */
export interface ShardFocus {
  readonly accountId: string;
  /** Role ARNs the account's workloads name. */
  readonly named: ReadonlySet<string>;
  /** Issuer keys of the account's providers: clusters its roles may trust (kept with every pod). */
  readonly issuers: ReadonlySet<string>;
}

export function focusOf(account: AccountSnapshot): ShardFocus {
  return {
    accountId: account.accountId,
    named: namedRoles(account),
    issuers: new Set(account.oidcProviders.map((p) => issuerKeyOf(p.url))),
  };
}

/**
 * What the shard of an account keeps of a related account: its issuers; the Kubernetes objects of its clusters
 * (whole for a cluster whose issuer the account's providers name, else the service accounts with only the pods that
 * name the account's roles by annotation, association or injected AWS_ROLE_ARN); its declared service accounts
 * naming those roles; its Pod Identity associations; and its roles that the account's workloads name or whose
 * trust policies name the account's providers.
 */
export function pruneFor(other: AccountSnapshot, focus: ShardFocus): AccountSnapshot {
  const accountId = focus.accountId;
  const mine = (arn: string | null | undefined) => typeof arn === 'string' && roleAccountId(arn) === accountId;
  const associated = new Set(
    (other.podIdentityAssociations ?? [])
      .filter((a) => mine(a.roleArn) || mine(a.targetRoleArn))
      .map((a) => JSON.stringify([a.cluster, a.region, a.namespace, a.serviceAccount])),
  );
  const clusters = other.clusters.map((c): ClusterSnapshot => {
    const kube = c.kubernetes;
    if (!kube || (c.oidcIssuer !== null && focus.issuers.has(issuerKeyOf(c.oidcIssuer)))) return c;
    const keep = new Set(
      kube.serviceAccounts
        .filter(
          (sa) =>
            mine(sa.annotations?.[ROLE_ARN_ANNOTATION]) ||
            associated.has(JSON.stringify([c.name, c.region, sa.namespace, sa.name])),
        )
        .map((sa) => JSON.stringify([sa.namespace, sa.name])),
    );
    const kubernetes: KubernetesSnapshot = {
      ...kube,
      pods: kube.pods.filter(
        (p) =>
          keep.has(JSON.stringify([p.namespace, p.serviceAccountName])) ||
          p.containers.some((k) => mine(k.awsEnv?.AWS_ROLE_ARN)),
      ),
    };
    return { ...c, kubernetes };
  });
  return {
    ...other,
    clusters,
    roles: other.roles.filter((r) => focus.named.has(r.arn) || providerAccounts(r).has(accountId)),
    serviceAccounts: (other.serviceAccounts ?? []).filter((sa) => mine(sa.roleArn)),
    podIdentityAssociations: other.podIdentityAssociations ?? [],
  };
}

/**
 * The snapshot the analysis of one account runs on: the account whole, the related accounts pruned for it
 * (`related`, full snapshots as collected), and every other account of the index as its issuers only. Accounts in
 * account-id order, as the whole estate's.
 */
export function shardSnapshot(
  account: AccountSnapshot,
  index: readonly IssuerEntry[],
  related: ReadonlyMap<string, AccountSnapshot>,
  partition = 'aws',
): EstateSnapshot {
  const focus = focusOf(account);
  const accounts = index
    .filter((e) => e.accountId !== account.accountId)
    .map((e) => {
      const full = related.get(e.accountId);
      return full ? pruneFor(full, focus) : issuerAccount(e);
    });
  accounts.push(account);
  accounts.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  return { schemaVersion: 1, partition, accounts };
}

type Placed = {
  readonly accountId: string;
  readonly resourceArn: string;
  readonly cluster?: string;
  readonly region?: string;
};

const clusterKey = (name: string | undefined, region: string | undefined) => JSON.stringify([name, region]);

/**
 * Which findings of a shard are its account's: `record`, those it records and counts (its `accountId`, or an account
 * outside the estate read from this account's clusters); `plan`, those it plans (the findings on its resources,
 * whichever account reports them, so that all of a resource's findings make one plan in one shard). A finding about
 * an account outside the estate names its cluster only by name and region: on a cluster whose name and region a
 * related account's cluster with Kubernetes objects shares (`ambiguous`), it is left to planAccount's second pass.
 */
export function ownedBy(
  accountId: string,
  known: ReadonlySet<string>,
  account: AccountSnapshot,
  ambiguous: ReadonlySet<string> = new Set(),
): { record: (f: Placed) => boolean; plan: (f: Placed) => boolean } {
  const clusters = new Set(account.clusters.map((c) => clusterKey(c.name, c.region)));
  const mine = (id: string, f: Placed) => {
    if (id === accountId) return true;
    if (known.has(id) || f.cluster === undefined) return false;
    const key = clusterKey(f.cluster, f.region);
    return clusters.has(key) && !ambiguous.has(key);
  };
  return {
    record: (f) => mine(f.accountId, f),
    plan: (f) => {
      const resource = parseArn(f.resourceArn)?.accountId;
      return mine(resource !== undefined && known.has(resource) ? resource : f.accountId, f);
    },
  };
}

/** The account's clusters (name and region) that a related account with Kubernetes objects also has. */
export function ambiguousClusters(account: AccountSnapshot, related: Iterable<AccountSnapshot>): Set<string> {
  const own = new Set(account.clusters.map((c) => clusterKey(c.name, c.region)));
  const out = new Set<string>();
  for (const other of related) {
    for (const c of other.clusters) {
      const key = clusterKey(c.name, c.region);
      if (c.kubernetes && own.has(key)) out.add(key);
    }
  }
  return out;
}

/**
 * Analyzes and plans one account: its shard (shardSnapshot) analyzed and planned, keeping what ownedBy gives it;
 * findings `skipPlanning` names are recorded and not planned (suppressed ones). When a related account shares a
 * cluster name and region with it, the findings about accounts outside the estate on those clusters are taken from
 * a second analysis of the account with the other accounts as their issuers only (they come from its own clusters).
 */
export function planAccount(
  account: AccountSnapshot,
  index: readonly IssuerEntry[],
  related: ReadonlyMap<string, AccountSnapshot>,
  options: PlanOptions & { readonly partition?: string; readonly skipPlanning?: (f: Finding) => boolean } = {},
): { findings: Finding[]; planned: Finding[]; plans: Plan[] } {
  const partition = options.partition ?? 'aws';
  const skip = options.skipPlanning ?? (() => false);
  const entries = index.some((e) => e.accountId === account.accountId) ? index : [...index, issuerEntry(account)];
  const known = new Set(entries.map((e) => e.accountId));
  const ambiguous = ambiguousClusters(account, related.values());
  const owned = ownedBy(account.accountId, known, account, ambiguous);
  const passes = [{ snapshot: shardSnapshot(account, entries, related, partition), owned }];
  if (ambiguous.size > 0) {
    const outside = (f: Placed) =>
      !known.has(f.accountId) && f.cluster !== undefined && ambiguous.has(clusterKey(f.cluster, f.region));
    passes.push({
      snapshot: shardSnapshot(account, entries, new Map(), partition),
      owned: { record: outside, plan: (f) => !known.has(parseArn(f.resourceArn)?.accountId ?? '') && outside(f) },
    });
  }
  const findings: Finding[] = [];
  const planned: Finding[] = [];
  const plans: Plan[] = [];
  for (const pass of passes) {
    const result = planShard(
      pass.snapshot,
      { record: pass.owned.record, plan: (f) => pass.owned.plan(f) && !skip(f) },
      options,
    );
    findings.push(...result.analysis.findings, ...result.findings.filter(pass.owned.record));
    planned.push(...result.planned, ...result.findings);
    plans.push(...result.plans);
  }
  return { findings, planned, plans };
}
