import { providerArn } from '../arn';
import type { RoleRef } from '../estate-index';
import { type Finding, severityRank, stableId } from '../finding';
import { ruleMeta } from '../rules/catalog';
import { DEFAULT_AUDIENCE } from '../snapshot';
import { classifyStatement, type StatementView } from '../trust-policy/classify';
import { evaluateTrustPolicy, webIdentityRequest } from '../trust-policy/evaluate';
import type { ReadResult, TrustPolicy } from '../trust-policy/model';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import { hasWildcard } from '../trust-policy/wildcard';
import { jsonDiff } from './diff';
import { unique } from './fixes/subject-patterns';
import type { IacOwner, Plan, PlanOf, Proof, TrustDocument } from './plan-model';
import type { PlanningLookups } from './planning-lookups';
import type { DeclaredWidening, IntendedRequest, WideningClass } from './prove';

type Json = Record<string, unknown>;

/** What the fixers of one role made: the findings fixed and left open, and what the plan is for. */
export interface RoleWork {
  readonly ref: RoleRef;
  readonly before: Json;
  /** The document before, as read (for the decisions of the role's known workloads before the change). */
  readonly beforePolicy: TrustPolicy;
  readonly after: TrustDocument | undefined;
  readonly changes: readonly string[];
  readonly fixed: readonly Finding[];
  readonly open: ReadonlyArray<{ finding: Finding; reason: string }>;
  readonly intended: readonly IntendedRequest[];
  readonly declared: readonly DeclaredWidening[];
  readonly proposeOnly: readonly string[];
  /** Shadowed values of duplicate keys the plan does not merge: not in `after`. */
  readonly dropped: ReadonlyArray<{ path: string; key: string; values: readonly unknown[] }>;
  /** The document's text, repeated keys included, for the diff's before side. */
  readonly beforeText?: string;
}

/** Where the role plans come from: the proof (with the run's budget), settings, and lookups. */
export interface RolePlanEnv {
  readonly lookups: PlanningLookups;
  readonly quota: number;
  readonly owner: IacOwner | undefined;
  /** Why the remediator may not write this role (empty when it may). */
  readonly outOfScope: readonly string[];
  readonly allowWidening: readonly WideningClass[];
  prove(work: RoleWork, after: TrustDocument, intended: IntendedRequest[]): { proof: Proof; spent: string[] };
  dependencies(after: TrustDocument): string[];
  quotaFinding(first: Finding, length: number): void;
}

/** The duplicate keys of a document whose shadowed values the plan does not merge (IRSA-022 not fixed for them). */
export function droppedDuplicates(read: ReadResult, merged: ReadonlySet<string>): RoleWork['dropped'] {
  return read.quirks.flatMap((q) =>
    q.kind === 'duplicate-key' && !merged.has(`${q.path}|${q.key}`)
      ? [{ path: q.path, key: q.key, values: q.values.slice(0, -1) }]
      : [],
  );
}

/** Why a plan that would drop shadowed duplicate values must be shown to a person. */
export function droppedReason(dropped: RoleWork['dropped']): string[] {
  if (dropped.length === 0) return [];
  return [
    `the document repeats a key (duplicate key, IRSA-022) and this plan, built from the document as JSON parsers read it (the last of each key), would drop ${dropped
      .map((d) => `${d.values.length} shadowed value(s) of "${d.key}" at ${d.path}`)
      .join(', ')}: merge or remove the repeated keys by hand first`,
  ];
}

/** The plans of one role: the change the fixers made, with its proof, and a proposal for what they left open. */
export function rolePlans(work: RoleWork, env: RolePlanEnv): Array<PlanOf<'update-trust-policy'>> {
  const first = work.fixed[0] ?? work.open[0]?.finding;
  if (!first) return [];
  const plans: Array<PlanOf<'update-trust-policy'>> = [];
  if (work.fixed.length > 0 && work.changes.length > 0 && work.after)
    plans.push(changePlan(work, work.after, first, env));
  const proposal = proposalPlan(work, first, env.owner);
  if (proposal) plans.push(proposal);
  return plans;
}

function changePlan(
  work: RoleWork,
  after: TrustDocument,
  first: Finding,
  env: RolePlanEnv,
): PlanOf<'update-trust-policy'> {
  const roleArn = work.ref.role.arn;
  const afterRead = parseTrustPolicy(after);
  const intended = [...work.intended, ...statementSubjects(afterRead, work.ref.accountId, env.lookups)];
  const { proof, spent } = env.prove(work, after, dedupeIntended(intended));
  if (!proof.size.withinQuota) env.quotaFinding(first, proof.size.minifiedLength);
  const reasons = [
    ...(proof.size.withinQuota
      ? []
      : [
          `the new document is ${proof.size.minifiedLength} characters, over the ${env.quota}-character trust-policy quota (see the IRSA-023 finding)`,
        ]),
    ...(!proof.holds ? [`the proof does not hold: ${proof.summary.join(' ')}`] : []),
    ...work.proposeOnly,
    ...spent,
    ...env.outOfScope,
    ...wideningReasons(work.declared, proof, env.allowWidening),
  ];
  const proposeOnly = reasons.length > 0 ? reasons.join('; ') : undefined;
  const owner = env.owner;
  const fixedRules = unique(work.fixed.map((f) => f.ruleId));
  return {
    id: stableId('plan', 'update-trust-policy', work.ref.accountId, roleArn, JSON.stringify(after)),
    ruleIds: fixedRules,
    findingIds: unique(work.fixed.map((f) => f.id)),
    accountId: work.ref.accountId,
    resourceArn: roleArn,
    ...clusterOf(first),
    action: 'update-trust-policy',
    before: work.before,
    after,
    diff: jsonDiff(roleArn, work.before, after, work.beforeText),
    rationale: `Fixes ${fixedRules.join(', ')} in role ${work.ref.role.name} with the smallest edit: ${work.changes.join('; ')}. Every other statement and condition is unchanged.${droppedText(work.dropped)}`,
    requiresApproval: true,
    applicable: proposeOnly === undefined && !owner,
    ...(proposeOnly || owner
      ? { proposeOnlyReason: proposeOnly ?? `owned by ${owner?.tool} (${owner?.evidence}): ${owner?.howToChange}` }
      : {}),
    ...(owner ? { owner } : {}),
    proof,
    risk: riskOf(work, proof, losingWorkloads(work, afterRead, env.lookups)),
    dependsOn: env.dependencies(after),
  };
}

function clusterOf(first: Finding): { cluster?: string; region?: string } {
  return first.cluster ? { cluster: first.cluster, region: first.region } : {};
}

function droppedText(dropped: RoleWork['dropped']): string {
  if (dropped.length === 0) return '';
  return ` It does NOT keep the shadowed value(s) of repeated keys, which JSON parsers ignore but the text holds: ${dropped
    .map((d) => `"${d.key}" at ${d.path}: ${d.values.map((v) => JSON.stringify(v)).join(', ')}`)
    .join('; ')}.`;
}

/**
 * Every class the plan declares, and every class the proof finds newly allowed (a sampled proof may miss what a
 * declaration says the plan adds, e.g. sts:TagSession under a condition its probes do not satisfy), that the
 * settings do not allow: each makes the plan propose-only.
 */
function wideningReasons(
  declared: readonly DeclaredWidening[],
  proof: Proof,
  allowWidening: readonly WideningClass[],
): string[] {
  const allowed = new Set<WideningClass>(allowWidening);
  const blocked = new Map<WideningClass, string[]>();
  const block = (c: WideningClass | undefined, why: string | undefined) => {
    if (c === undefined || allowed.has(c)) return;
    const whys = blocked.get(c) ?? [];
    if (why && !whys.includes(why)) whys.push(why);
    blocked.set(c, whys);
  };
  for (const d of declared) block(d.class, d.why);
  for (const o of proof.probes.newlyAllowed) block(o.wideningClass, o.declaredBy);
  return [...blocked].map(
    ([c, whys]) =>
      `it knowingly allows more than named workloads, a widening of class ${c} (${whys.join('; ')}); only configuration makes such plans applicable: allowWidening including "${c}" (hub config allowWidening, Lambda environment ALLOW_WIDENING, CLI plan --allow-widening)`,
  );
}

/** Known workloads checked for a lost access per plan: enough for any real role, bounded for hostile ones. */
const MAX_WORKLOADS_CHECKED = 1000;

/** The known workloads of the role (service accounts naming it) that the document allows before and not after. */
export function losingWorkloads(work: RoleWork, read: ReadResult, lookups: PlanningLookups): string[] {
  const workloads = (lookups.index.serviceAccountsByRole.get(work.ref.role.arn) ?? []).slice(0, MAX_WORKLOADS_CHECKED);
  const losing: string[] = [];
  for (const { serviceAccount: sa } of workloads) {
    const cluster = lookups.clusterOf(sa);
    if (!cluster) continue;
    const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
    const request = webIdentityRequest(
      providerArn(lookups.partition, work.ref.accountId, cluster.hostPath),
      cluster.hostPath,
      { sub, aud: sa.audience ?? DEFAULT_AUDIENCE },
    );
    const allowedBefore = evaluateTrustPolicy(work.beforePolicy, request).decision === 'Allow';
    if (allowedBefore && !(read.ok && evaluateTrustPolicy(read.policy, request).decision === 'Allow'))
      losing.push(`${sub} on cluster ${cluster.cluster.name}`);
  }
  return losing;
}

/**
 * How risky the change is for those who use the role: high when a known workload or a request the plan is for
 * loses access; medium when it allows more (named workloads, declared widening); low for pure hardening (only
 * narrowing, nobody who uses the role loses access: adding :aud, narrowing :sub to the known workloads). A trust
 * policy update is undone by writing the old document back (the workflow's rollback), so it is not hard to undo.
 */
function riskOf(work: RoleWork, proof: Proof, losing: readonly string[]): Plan['risk'] {
  const widening = proof.probes.newlyAllowed.length > 0 || work.intended.length > 0;
  const intendedDenied = proof.intended
    .filter((i) => i.before === 'Allow' && i.after !== 'Allow')
    .map((i) => i.sub ?? i.principal);
  const cut = [...losing, ...intendedDenied];
  const notes = [
    ...(cut.length > 0 ? [`Takes access away from who uses the role: ${unique(cut).join('; ')}.`] : []),
    ...(widening
      ? [
          `Allows exactly what it names: ${unique(
            proof.probes.newlyAllowed
              .map((p) => p.declaredBy ?? '')
              .concat(work.intended.map((i) => i.why))
              .filter((x) => x),
          ).join('; ')}.`,
        ]
      : []),
    ...(proof.probes.newlyDenied > 0
      ? [
          `Denies ${proof.probes.newlyDenied} probe request(s) that were allowed before (narrowing)${cut.length === 0 ? '; no known workload of the role loses access' : ''}.`,
        ]
      : []),
    ...(work.open.length > 0
      ? [`Left for a person: ${work.open.map((o) => `${o.finding.ruleId} (${o.reason})`).join('; ')}.`]
      : []),
  ];
  return {
    level: cut.length > 0 ? 'high' : widening ? 'medium' : 'low',
    notes: notes.length > 0 ? notes : ['Changes only what the findings name.'],
  };
}

function proposalPlan(
  work: RoleWork,
  first: Finding,
  owner: IacOwner | undefined,
): PlanOf<'update-trust-policy'> | undefined {
  const fixedSet = new Set(work.fixed);
  const unresolved = work.open.filter((o) => !fixedSet.has(o.finding));
  if (!unresolved.some((o) => severityRank(o.finding.severity) <= severityRank('medium'))) return undefined;
  const roleArn = work.ref.role.arn;
  return {
    id: stableId('plan', 'propose', work.ref.accountId, roleArn, unresolved.map((o) => o.finding.id).join(',')),
    ruleIds: unique(unresolved.map((o) => o.finding.ruleId)),
    findingIds: unique(unresolved.map((o) => o.finding.id)),
    accountId: work.ref.accountId,
    resourceArn: roleArn,
    ...clusterOf(first),
    action: 'update-trust-policy',
    before: work.before,
    after: null,
    diff: '',
    rationale: `Needs a person: ${unresolved.map((o) => `${o.finding.ruleId}: ${o.reason}`).join('; ')}.`,
    requiresApproval: true,
    applicable: false,
    proposeOnlyReason: 'the fix depends on intent the snapshot does not show',
    ...(owner ? { owner } : {}),
    risk: { level: 'medium', notes: ['No change is proposed automatically.'] },
    dependsOn: [],
  };
}

/** The reason a role finding with no fixer is left open: the rule's remediation. */
export function notPatched(finding: Finding): { finding: Finding; reason: string } {
  return { finding, reason: ruleMeta(finding.ruleId).remediation };
}

/** The subjects every IRSA statement of the new document names literally: they must all be allowed after. */
function statementSubjects(read: ReadResult, account: string, lookups: PlanningLookups): IntendedRequest[] {
  if (!read.ok) return [];
  const out: IntendedRequest[] = [];
  for (const view of read.policy.statements.map(classifyStatement)) {
    if (view.kind === 'irsa' && view.statement.effect === 'Allow') out.push(...namedSubjects(view, account, lookups));
  }
  return out;
}

function namedSubjects(view: StatementView, account: string, lookups: PlanningLookups): IntendedRequest[] {
  const out: IntendedRequest[] = [];
  for (const p of view.providers) {
    if (p.accountId !== account || !lookups.index.clustersByKey.has(p.key)) continue;
    const aud =
      view.issuerConditions.find((c) => c.claimNormal === 'aud' && c.prefixKey === p.key)?.entry.values[0] ??
      DEFAULT_AUDIENCE;
    for (const v of literalSubjects(view, p.key))
      out.push({ providerArn: p.arn, sub: v, aud, why: `statement #${view.statement.index} names ${v}` });
  }
  return out;
}

/** The :sub values of one issuer without wildcards: one subject each, under StringLike as under StringEquals. */
function literalSubjects(view: StatementView, key: string): string[] {
  return view.issuerConditions
    .filter((c) => {
      const base = c.entry.operator?.base;
      return c.claimNormal === 'sub' && c.prefixKey === key && (base === 'StringEquals' || base === 'StringLike');
    })
    .flatMap((c) => c.entry.values.filter((v) => !hasWildcard(v)));
}

function dedupeIntended(list: readonly IntendedRequest[]): IntendedRequest[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const key = `${r.providerArn}|${r.sub}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
