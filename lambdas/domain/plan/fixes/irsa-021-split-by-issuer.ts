import { issuerKey, providerArn } from '../../arn';
import { DEFAULT_AUDIENCE } from '../../snapshot';
import type { StatementView } from '../../trust-policy/classify';
import { setOwn } from '../patch-trust-policy';
import type { PlanningLookups } from '../planning-lookups';
import { FIX_ORDER, type Fixer, ok, statementIndexOf } from './fixer';

type Json = Record<string, unknown>;

/** One cluster's part of a merged statement: its key prefix, provider and name. */
interface Group {
  readonly prefix: string;
  readonly arn: string;
  readonly name: string;
}

/** IRSA-021: one statement names several clusters' providers and keys; split it, one statement per cluster. */
export const irsa021SplitByIssuer: Fixer<'IRSA-021'> = {
  rule: 'IRSA-021',
  order: FIX_ORDER.additions,
  role: (finding, { patch, views, lookups, role }) => {
    const view = views[statementIndexOf(finding)];
    const otherSids = views.map((v) => v.statement.sid).filter((x) => x !== undefined);
    const keys = view ? groupsOf(view, lookups, role.accountId) : new Map<string, Group>();
    const done =
      view !== undefined &&
      keys.size >= 2 &&
      splittable(view, keys) &&
      patch.split(
        view.statement.index,
        (current) => buildParts(current, keys, sidSuffixes(keys, lookups, view, otherSids)),
        `split into ${keys.size} statements, one per cluster (${[...keys.values()].map((g) => g.name).join(', ')}), each with its own provider, keys and audience`,
      );
    return ok(done, 'the statement could not be split by issuer');
  },
};

/** The clusters of a statement, by issuer key: its providers, then the known clusters its condition keys name. */
function groupsOf(view: StatementView, lookups: PlanningLookups, account: string): Map<string, Group> {
  const index = lookups.index;
  const keys = new Map<string, Group>();
  for (const p of view.providers) {
    keys.set(p.key, { prefix: p.url, arn: p.arn, name: index.clustersByKey.get(p.key)?.[0]?.cluster.name ?? p.url });
  }
  for (const c of view.issuerConditions) {
    const cluster = keys.has(c.prefixKey) ? undefined : index.clustersByKey.get(c.prefixKey)?.[0];
    if (cluster) {
      keys.set(c.prefixKey, {
        prefix: cluster.hostPath,
        arn: providerArn(index.partition, account, cluster.hostPath),
        name: cluster.cluster.name,
      });
    }
  }
  return keys;
}

const plain = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Each part trusts one provider: a statement that also names another principal (a provider of no cluster here, an
 * AWS or Service principal) or whose Condition is not an object of objects would lose text; a person splits it.
 */
function splittable(view: StatementView, keys: ReadonlyMap<string, Group>): boolean {
  const { Principal: principal, Condition: condition } = view.statement.raw;
  if (!plain(principal) || Object.keys(principal).some((k) => k !== 'Federated')) return false;
  const groupArns = new Set([...keys.values()].map((g) => g.arn));
  const federated = principal.Federated;
  const names = Array.isArray(federated) ? federated : [federated];
  if (!names.every((f) => typeof f === 'string' && groupArns.has(f))) return false;
  return plain(condition) && Object.values(condition).every(plain);
}

/**
 * IAM wants the Sids of a policy unique, and cluster names repeat across regions (prod in two regions): a part
 * whose cluster name repeats also carries its region, and a number if even that repeats.
 */
function sidSuffixes(
  keys: ReadonlyMap<string, Group>,
  lookups: PlanningLookups,
  view: StatementView,
  otherSids: readonly string[],
): Map<string, string> {
  const sidSuffix = new Map<string, string>();
  const names = [...keys.values()].map((g) => g.name);
  const taken = (x: string) =>
    [...sidSuffix.values()].includes(x) || otherSids.includes(`${view.statement.sid ?? ''}${x}`);
  for (const [key, group] of keys) {
    const region = lookups.index.clustersByKey.get(key)?.[0]?.cluster.region ?? '';
    const repeated = names.filter((n) => n === group.name).length > 1;
    const base = (repeated ? `${group.name}${region}` : group.name).replace(/[^A-Za-z0-9]/g, '');
    let suffix = base;
    for (let i = 2; taken(suffix); i++) suffix = `${base}${i}`;
    sidSuffix.set(key, suffix);
  }
  return sidSuffix;
}

function issuerKeyOf(k: string): string | undefined {
  const colon = k.lastIndexOf(':');
  return colon > 0 ? issuerKey(k.slice(0, colon)) : undefined;
}

/** The parts, built from the statement as the other edits leave it. */
function buildParts(current: Json, keys: ReadonlyMap<string, Group>, sidSuffix: ReadonlyMap<string, string>): Json[] {
  return [...keys].map(([key, group]) => {
    const conditions = partConditions(current, keys, key, group);
    const part: Json = {};
    for (const [k, v] of Object.entries(current)) {
      if (k === 'Sid') part.Sid = `${String(v)}${sidSuffix.get(key) ?? ''}`;
      else if (k === 'Principal') part.Principal = { Federated: group.arn };
      else if (k === 'Condition') part.Condition = conditions;
      else setOwn(part, k, structuredClone(v));
    }
    return part;
  });
}

/** Each cluster keeps its own issuer keys and every condition that names no issuer; its audience is pinned. */
function partConditions(current: Json, keys: ReadonlyMap<string, Group>, key: string, group: Group) {
  const conditions: Record<string, Json> = {};
  for (const [operator, block] of Object.entries((current.Condition ?? {}) as Record<string, Json>)) {
    const kept: Json = {};
    for (const [k, v] of Object.entries(block ?? {})) {
      const issuer = issuerKeyOf(k);
      if (issuer === undefined || !keys.has(issuer) || issuer === key) setOwn(kept, k, structuredClone(v));
    }
    if (Object.keys(kept).length > 0) setOwn(conditions, operator, kept);
  }
  const hasAud = Object.values(conditions).some((block) =>
    Object.keys(block).some((k) => k.toLowerCase() === `${group.prefix.toLowerCase()}:aud`),
  );
  if (!hasAud)
    conditions.StringEquals = { ...(conditions.StringEquals ?? {}), [`${group.prefix}:aud`]: DEFAULT_AUDIENCE };
  return conditions;
}
