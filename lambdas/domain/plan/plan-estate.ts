import { type AnalysisResult, analyzeForPlanning, type PlanningHandle } from '../analyze-estate';
import { EstateIndex, type RoleRef } from '../estate-index';
import { type Finding, type RuleId, stableId } from '../finding';
import { type RemediationScope, roleInRemediationScope } from '../remediation-scope';
import { ruleMeta } from '../rules/catalog';
import { DEFAULT_TRUST_POLICY_QUOTA, type EstateSnapshot, type RoleSnapshot } from '../snapshot';
import { classifyStatement } from '../trust-policy/classify';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import { CurrentDocument } from './current-document';
import { FIX_ORDER, type RoleFixContext } from './fixes/fixer';
import { fixCluster, fixerOf, fixProvider, fixRole, fixServiceAccount } from './fixes/fixer-registry';
import { iacOwner } from './ownership';
import { TrustPolicyPatch } from './patch-trust-policy';
import type { Plan, PlanResult, TrustDocument } from './plan-model';
import { PlanningLookups } from './planning-lookups';
import { DEFAULT_EXACT_BUDGET } from './proof/exact-difference';
import { type IntendedRequest, proveTrustChange, type WideningClass } from './prove';
import { ProviderPlans } from './provider-plans';
import { droppedDuplicates, droppedReason, notPatched, type RolePlanEnv, type RoleWork, rolePlans } from './role-plan';

export interface PlanOptions {
  /** Trust-policy length quota when the snapshot does not carry the account's live value. Default 2,048. */
  readonly trustPolicyQuota?: number;
  /**
   * Classes of declared widening (WIDENING_CLASSES) a plan may carry and still be applicable. Default none: a plan
   * whose proof finds a newly allowed request of any other class is propose-only.
   */
  readonly allowWidening?: readonly WideningClass[];
  /**
   * What the member remediator role may write (lambdas/domain/remediation-scope.ts), as the member stacks were
   * deployed with. A plan for a role or provider outside it is propose-only, with the reason: IAM would refuse the
   * write. Undefined: not checked (an offline plan that does not know how the member roles were deployed).
   */
  readonly remediationScope?: RemediationScope;
  /**
   * Work steps the exact proofs of one planning run may spend together. Default: PROOF_BUDGET_BASE plus
   * PROOF_BUDGET_PER_ROLE for each role of the snapshot (a realistic trust plan spends a few hundred; the bench's
   * 100,000 roles spend about 9 million in all). Each proof gets at most DEFAULT_EXACT_BUDGET of what is left; once
   * it is spent, the remaining proofs are undecided and their plans propose-only, with the reason: planning time
   * stays linear in the snapshot whatever its policies hold (a step is about a microsecond).
   */
  readonly proofBudget?: number;
}

export const PROOF_BUDGET_BASE = 10_000_000;
export const PROOF_BUDGET_PER_ROLE = 2_000;

const MAX_QUOTA = 4096;
type Json = Record<string, unknown>;

/**
 * Plans the smallest change that repairs each fixable finding, with a diff and, for trust policies, a proof.
 * Pure: reads the snapshot and the findings, writes nothing. Plans that need a person's choice, or touch a resource
 * an infrastructure-as-code tool owns, are returned as propose-only (`applicable: false`). Planning reuses the
 * analysis's index and the documents it read (analyzeForPlanning).
 */
export function planEstate(
  snapshot: EstateSnapshot,
  options: PlanOptions = {},
): PlanResult & { analysis: AnalysisResult } {
  const { result, handle } = analyzeForPlanning(snapshot, options);
  return { ...new Planner(handle, result.findings, options).run(), analysis: result };
}

/**
 * planEstate for one shard (lambdas/domain/estate-shard.ts): analyzes the shard's snapshot and returns the findings
 * `owned.record` selects (its account's); plans only those `owned.plan` selects (on its account's resources), so the
 * other accounts of the shard cost no planning.
 */
export function planShard(
  snapshot: EstateSnapshot,
  owned: { readonly record: (f: Finding) => boolean; readonly plan: (f: Finding) => boolean },
  options: PlanOptions = {},
): PlanResult & { analysis: AnalysisResult; planned: readonly Finding[] } {
  const { result, handle } = analyzeForPlanning(snapshot, options);
  const planned = result.findings.filter(owned.plan);
  const plans = new Planner(handle, planned, options).run();
  return { ...plans, planned, analysis: { ...result, findings: result.findings.filter(owned.record) } };
}

/**
 * Plans from findings already computed for this snapshot (by analyzeEstate with the same options), e.g. stored
 * ones. Builds the index and reads the documents it fixes itself; planEstate reuses those of the analysis.
 */
export function planFromFindings(
  snapshot: EstateSnapshot,
  findings: readonly Finding[],
  options: PlanOptions = {},
): PlanResult {
  return new Planner({ index: new EstateIndex(snapshot), roles: new Map() }, findings, options).run();
}

/**
 * A finding whose fix is a Kubernetes change: its rule's fixer makes service-account (Kubernetes) plans and no role
 * patch, or it is about a Kubernetes object and its rule has no fixer (reported, never patched into a role's plan).
 */
function clusterSide(f: Finding): boolean {
  const fixer = fixerOf(f.ruleId);
  if (fixer?.role) return false;
  return fixer?.serviceAccount !== undefined || (f.kubernetesObject !== undefined && fixer === undefined);
}

class Planner {
  private readonly plans: Plan[] = [];
  private readonly planningFindings: Finding[] = [];
  /** Provider ARN → id of the plan that creates it. */
  private readonly creates = new Map<string, string>();
  private readonly lookups: PlanningLookups;
  /** What the exact proofs of this run may spend in all, and still (PlanOptions.proofBudget). */
  private readonly proofBudget: number;
  private proofStepsLeft: number;

  constructor(
    private readonly handle: PlanningHandle,
    private readonly findings: readonly Finding[],
    private readonly options: PlanOptions,
  ) {
    this.lookups = new PlanningLookups(handle.index);
    this.proofBudget = options.proofBudget ?? PROOF_BUDGET_BASE + PROOF_BUDGET_PER_ROLE * handle.index.roles.length;
    this.proofStepsLeft = this.proofBudget;
  }

  run(): PlanResult {
    const byResource = new Map<string, Finding[]>();
    for (const f of this.findings) {
      if (f.severity === 'info') continue;
      const list = byResource.get(f.resourceArn);
      if (list) list.push(f);
      else byResource.set(f.resourceArn, [f]);
    }
    // Providers first: trust-policy plans depend on the providers they name.
    for (const [arn, list] of byResource) {
      if (list[0]?.resourceType === 'oidc-provider') this.planProvider(arn, list);
    }
    for (const [arn, all] of byResource) this.planResource(arn, all);
    return { plans: this.plans, findings: this.planningFindings };
  }

  private planResource(arn: string, all: readonly Finding[]): void {
    // Cluster-side findings (a Kubernetes change, even when a role is their resource) get Kubernetes plans.
    const kube = all.filter(clusterSide);
    const list = kube.length === 0 ? all : all.filter((f) => !clusterSide(f));
    if (kube.length > 0) this.planServiceAccount(kube);
    const type = list[0]?.resourceType;
    if (type === 'role') this.planRole(arn, list);
    else if (type === 'service-account') this.planServiceAccount(list);
    else if (type === 'cluster') this.planCluster(list);
  }

  private planProvider(arn: string, list: readonly Finding[]): void {
    const existing = this.handle.index.providersByArn.get(arn)?.provider;
    const ctx = new ProviderPlans(arn, existing, this.findings, this.options.remediationScope !== undefined);
    for (const [rule, findings] of byRule(list)) fixProvider(rule, findings, ctx);
    for (const plan of ctx.plans()) {
      if (plan.action === 'create-oidc-provider') this.creates.set(arn, plan.id);
      this.plans.push(plan);
    }
  }

  private planServiceAccount(list: readonly Finding[]): void {
    const ctx = {
      partition: this.handle.index.partition,
      lookups: this.lookups,
      propose: (plan: Plan) => this.plans.push(plan),
    };
    for (const f of list) fixServiceAccount(f, ctx);
  }

  private planCluster(list: readonly Finding[]): void {
    const ctx = { partition: this.handle.index.partition, propose: (plan: Plan) => this.plans.push(plan) };
    for (const f of list) fixCluster(f, ctx);
  }

  private planRole(roleArn: string, list: readonly Finding[]): void {
    const ref = this.lookups.role(roleArn);
    if (!ref) return;
    const analysed = this.handle.roles.get(roleArn);
    const read = analysed?.read ?? parseTrustPolicy(ref.role.trustPolicy);
    if (!read.ok) return; // DOC-001: nothing can be patched in a document that cannot be read
    const views = analysed?.views ?? read.policy.statements.map(classifyStatement);
    const document = read.policy.document as Json;
    const patch = new TrustPolicyPatch(document);
    const ctx: RoleFixContext = {
      role: ref,
      patch,
      views,
      lookups: this.lookups,
      current: new CurrentDocument(patch),
      intended: [],
      declared: [],
      proposeOnly: [],
      swapped: new Set(),
      merged: new Set(),
    };
    const { fixed, open } = runRoleFixers(list, ctx);
    const dropped = droppedDuplicates(read, ctx.merged);
    const work: RoleWork = {
      ref,
      before: document,
      beforePolicy: read.policy,
      after: fixed.length > 0 && patch.changes.length > 0 ? patch.result() : undefined,
      changes: patch.changes,
      fixed,
      open,
      intended: ctx.intended,
      declared: ctx.declared,
      proposeOnly: [...ctx.proposeOnly, ...droppedReason(dropped)],
      dropped,
      ...(dropped.length > 0 ? { beforeText: read.decodedText } : {}),
    };
    this.plans.push(...rolePlans(work, this.rolePlanEnv(ref)));
  }

  private rolePlanEnv(ref: RoleRef): RolePlanEnv {
    const quota =
      this.handle.index.accounts.get(ref.accountId)?.quotas?.trustPolicyLength ??
      this.options.trustPolicyQuota ??
      DEFAULT_TRUST_POLICY_QUOTA;
    return {
      lookups: this.lookups,
      quota,
      owner: iacOwner(ref.role.tags, 'role'),
      outOfScope: this.outOfScope(ref.role),
      allowWidening: this.options.allowWidening ?? [],
      prove: (work, after, intended) => this.prove(work, after, intended, quota),
      dependencies: (after) => this.dependencies(after),
      quotaFinding: (first, length) => this.quotaFinding(ref, first, length, quota),
    };
  }

  /** Proves a trust change within what is left of the run's budget; `spent` says when the budget ran out. */
  private prove(work: RoleWork, after: TrustDocument, intended: IntendedRequest[], quota: number) {
    const budget = Math.min(DEFAULT_EXACT_BUDGET, this.proofStepsLeft);
    const proof = proveTrustChange({
      before: work.before,
      after,
      intended,
      declared: work.declared,
      quota,
      otherProviders: this.lookups.providersOf(work.ref.accountId),
      budget,
    });
    this.proofStepsLeft = Math.max(0, this.proofStepsLeft - proof.exact.work);
    const spent =
      !proof.exact.decided && proof.exact.work >= budget && budget < DEFAULT_EXACT_BUDGET
        ? [
            `this planning run's proof budget (${this.proofBudget} steps) is spent: plan fewer accounts or roles at once`,
          ]
        : [];
    return { proof, spent };
  }

  /** Why the remediator may not rewrite this role's trust policy (empty when it may, or no scope is configured). */
  private outOfScope(role: RoleSnapshot): string[] {
    const scope = this.options.remediationScope;
    if (!scope) return [];
    const verdict = roleInRemediationScope(scope, role);
    return verdict.inScope ? [] : [`outside the remediator's scope (enforced by IAM): ${verdict.why}`];
  }

  private dependencies(after: TrustDocument): string[] {
    const text = JSON.stringify(after);
    return [...this.creates.entries()].filter(([arn]) => text.includes(JSON.stringify(arn))).map(([, id]) => id);
  }

  private quotaFinding(ref: RoleRef, first: Finding, length: number, quota: number): void {
    const meta = ruleMeta('IRSA-023');
    this.planningFindings.push({
      id: stableId('IRSA-023', ref.role.arn, 'plan'),
      ruleId: 'IRSA-023',
      severity: 'medium',
      accountId: ref.accountId,
      resourceArn: ref.role.arn,
      resourceType: 'role',
      ...(first.cluster ? { cluster: first.cluster, region: first.region } : {}),
      title: 'Fix would exceed the trust-policy size quota',
      message: `Role ${ref.role.name}: the fixed trust policy would be ${length} characters minified, over the ${quota}-character quota, so no applicable plan is made. Options: request a quota increase (Service Quotas iam L-C07B4B0D, up to ${MAX_QUOTA}); merge service accounts into one :sub array per cluster; or move the workload to EKS Pod Identity, which needs no trust entry per cluster.`,
      remediation: meta.remediation,
      references: meta.references,
      evidence: { minifiedLength: length, quota, maximumQuota: MAX_QUOTA },
    });
  }
}

/**
 * Runs the fixers of a role's findings, in dependency order (FIX_ORDER: what names the provider first, so what
 * adds keys reads the provider as the plan leaves it), keeping the analysis's order within one step. A finding
 * whose rule has no fixer is left open with the rule's remediation.
 */
function runRoleFixers(list: readonly Finding[], ctx: RoleFixContext) {
  const fixed: Finding[] = [];
  const open: Array<{ finding: Finding; reason: string }> = [];
  const ordered = list
    .map((finding, at) => ({ finding, at, order: fixerOf(finding.ruleId)?.order ?? FIX_ORDER.additions }))
    .sort((a, b) => a.order - b.order || a.at - b.at);
  for (const { finding } of ordered) {
    const outcome = fixRole(finding, ctx);
    if (!outcome) open.push(notPatched(finding));
    else if (outcome.fixed) fixed.push(finding);
    else open.push({ finding, reason: outcome.reason });
  }
  return { fixed, open };
}

/** A provider's findings grouped by rule, the rules' fixers in FIX_ORDER. */
function byRule(list: readonly Finding[]): Array<[RuleId, Finding[]]> {
  const groups = new Map<RuleId, Finding[]>();
  for (const f of list) {
    const group = groups.get(f.ruleId);
    if (group) group.push(f);
    else groups.set(f.ruleId, [f]);
  }
  const order = (rule: RuleId) => fixerOf(rule)?.order ?? FIX_ORDER.additions;
  return [...groups].sort(([a], [b]) => order(a) - order(b));
}

export { CurrentDocument };
