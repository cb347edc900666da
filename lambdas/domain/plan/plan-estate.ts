import { analyzeEstate } from '../analyze-estate';
import { issuerKey, parseEksIssuer, providerArn, providerUrlFromArn, stripScheme } from '../arn';
import { EstateIndex, type RoleRef } from '../estate-index';
import { type AnalysisResult, type Finding, severityRank, stableId } from '../finding';
import { providerInRemediationScope, type RemediationScope, roleInRemediationScope } from '../remediation-scope';
import { ruleMeta } from '../rules/catalog';
import {
  DEFAULT_AUDIENCE,
  DEFAULT_TRUST_POLICY_QUOTA,
  type EstateSnapshot,
  MAX_THUMBPRINTS,
  type RoleSnapshot,
} from '../snapshot';
import { classifyStatement, isWellFormedSubject, normalizeSubject, type StatementView } from '../trust-policy/classify';
import { evaluateTrustPolicy, WEB_IDENTITY_ACTION, webIdentityRequest } from '../trust-policy/evaluate';
import { parseTrustPolicy } from '../trust-policy/parse-trust-policy';
import { hasWildcard, wildcardMatch } from '../trust-policy/wildcard';
import { jsonDiff } from './diff';
import { iacOwner } from './ownership';
import { setOwn, TrustPolicyPatch } from './patch-trust-policy';
import type { IacOwner, Plan, PlanAction, PlanResult, ProviderState, TrustDocument } from './plan-model';
import { DEFAULT_EXACT_BUDGET } from './proof/exact-difference';
import { type DeclaredWidening, type IntendedRequest, proveTrustChange, type WideningClass } from './prove';

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
 * an infrastructure-as-code tool owns, are returned as propose-only (`applicable: false`).
 */
export function planEstate(
  snapshot: EstateSnapshot,
  options: PlanOptions = {},
): PlanResult & { analysis: AnalysisResult } {
  const analysis = analyzeEstate(snapshot, options);
  return { ...planFromFindings(snapshot, analysis.findings, options), analysis };
}

/** Plans from findings already computed for this snapshot (by analyzeEstate with the same options). */
export function planFromFindings(
  snapshot: EstateSnapshot,
  findings: readonly Finding[],
  options: PlanOptions = {},
): PlanResult {
  return new Planner(new EstateIndex(snapshot), findings, options).run();
}

class Planner {
  private readonly plans: Plan[] = [];
  private readonly planningFindings: Finding[] = [];
  /** Provider ARN → id of the plan that creates it. */
  private readonly creates = new Map<string, string>();

  /** Roles by ARN and provider ARNs by account, built once: plans are made per role of large estates. */
  private readonly roles = new Map<string, RoleRef>();
  private readonly providerArnsByAccount = new Map<string, string[]>();
  /** Known subjects by role, then by cluster and region; audiences by role: built on first use, once per role. */
  private readonly subjectsByRole = new Map<string, Map<string, Set<string>>>();
  private readonly audiencesByRole = new Map<string, string[]>();
  private clustersByName: Map<string, EstateIndex['clusters'][number]> | undefined;
  /** What the exact proofs of this run may spend in all, and still (PlanOptions.proofBudget). */
  private readonly proofBudget: number;
  private proofStepsLeft: number;

  constructor(
    private readonly index: EstateIndex,
    private readonly findings: readonly Finding[],
    private readonly options: PlanOptions,
  ) {
    this.proofBudget = options.proofBudget ?? PROOF_BUDGET_BASE + PROOF_BUDGET_PER_ROLE * index.roles.length;
    this.proofStepsLeft = this.proofBudget;
    for (const ref of index.roles) this.roles.set(ref.role.arn, ref);
    for (const p of index.providersByArn.values()) {
      const list = this.providerArnsByAccount.get(p.accountId);
      if (list) list.push(p.provider.arn);
      else this.providerArnsByAccount.set(p.accountId, [p.provider.arn]);
    }
  }

  run(): PlanResult {
    const actionable = this.findings.filter((f) => f.severity !== 'info');
    const byResource = new Map<string, Finding[]>();
    for (const f of actionable) {
      const list = byResource.get(f.resourceArn);
      if (list) list.push(f);
      else byResource.set(f.resourceArn, [f]);
    }
    // Providers first: trust-policy plans depend on the providers they name.
    for (const [arn, list] of byResource) {
      if (list[0]?.resourceType === 'oidc-provider') this.planProvider(arn, list);
    }
    for (const [arn, list] of byResource) {
      const type = list[0]?.resourceType;
      if (type === 'role') this.planRole(arn, list);
      else if (type === 'service-account') this.planServiceAccount(list);
    }
    return { plans: this.plans, findings: this.planningFindings };
  }

  // ---- OIDC providers -------------------------------------------------------------------------------------------

  private planProvider(arn: string, list: Finding[]): void {
    const first = list[0];
    if (!first) return;
    const existing = this.index.providersByArn.get(arn)?.provider;
    const ids = (rules: string[]) => list.filter((f) => rules.includes(f.ruleId));
    const missing = ids(['IRSA-001']);
    if (!existing) {
      if (missing.length === 0) return;
      const url = providerUrlFromArn(arn) ?? stripScheme(String(looseEvidence(first).issuer ?? ''));
      // The wrongly spelled provider (IRSA-006) is fixed by creating the exact one; it stays until unused.
      const nearMiss = this.findings.filter(
        (f) => f.ruleId === 'IRSA-006' && f.accountId === first.accountId && f.cluster === first.cluster,
      );
      const after: ProviderState = { url, clientIds: [DEFAULT_AUDIENCE], thumbprints: [] };
      const plan = this.provider(first, 'create-oidc-provider', null, after, [...missing, ...nearMiss], {
        rationale: `Create the IAM OIDC provider for ${first.cluster ? `cluster ${first.cluster}'s` : 'the'} issuer https://${url} in account ${first.accountId}, with the audience sts.amazonaws.com and no thumbprint (IAM retrieves and verifies the certificate itself).`,
        risk: {
          level: 'low',
          notes: ['Adds a trust anchor that only roles naming it use; no existing access changes.'],
        },
      });
      this.creates.set(arn, plan.id);
      return;
    }
    const before: ProviderState = {
      url: existing.url,
      clientIds: existing.clientIds,
      thumbprints: existing.thumbprints,
    };
    const owner = iacOwner(existing.tags, 'provider');
    const audience = ids(['IRSA-003', 'IRSA-036']);
    if (audience.length > 0) {
      const wanted = audience.map((f) =>
        f.ruleId === 'IRSA-003' ? DEFAULT_AUDIENCE : String(looseEvidence(f).audience),
      );
      const clientIds = [
        ...existing.clientIds,
        ...wanted.filter((a, i) => !existing.clientIds.includes(a) && wanted.indexOf(a) === i),
      ];
      this.provider(first, 'add-client-id', before, { ...before, clientIds }, audience, {
        rationale: `Add the audience(s) ${wanted.map((a) => `"${a}"`).join(', ')} with AddClientIDToOpenIDConnectProvider: idempotent, keeps the existing audiences, no need to recreate the provider.`,
        risk: {
          level: 'low',
          notes: [
            'Tokens with this audience are accepted by the provider; trust policies still decide who assumes which role.',
          ],
        },
        owner,
      });
    }
    const thumbprint = ids(['IRSA-004']);
    if (thumbprint.length > 0) {
      const tls = existing.tls;
      // A thumbprint copied from openssl output ("9E:99:A4:...") is the same SHA-1 with colons.
      const valid = existing.thumbprints
        .map((t) => t.replace(/:/g, '').toLowerCase())
        .filter((t) => /^[0-9a-f]{40}$/.test(t));
      const top = tls?.topCaThumbprint?.toLowerCase();
      const leaf = tls?.leafThumbprint?.toLowerCase();
      const kept = valid.filter((t) => t !== top && t !== leaf);
      const thumbprints = [...(top ? [top] : []), ...kept].slice(0, MAX_THUMBPRINTS);
      this.provider(first, 'update-thumbprint', before, { ...before, thumbprints }, thumbprint, {
        rationale: `Replace the thumbprint list with ${JSON.stringify(thumbprints)}: ${top ? 'the top CA certificate the issuer serves now, then ' : ''}the well-formed current entries (UpdateOpenIDConnectProviderThumbprint replaces the whole list; at most ${MAX_THUMBPRINTS}).`,
        risk: {
          level: 'medium',
          notes: ['Only matters where IAM falls back to thumbprints; a wrong list there refuses every token.'],
        },
        owner,
        ...(thumbprints.length === 0
          ? { proposeOnly: 'no valid thumbprint is known: run a TLS check of the issuer (irsa-doctor scan) first' }
          : {}),
      });
    }
    const orphan = ids(['IRSA-005']).filter((f) => looseEvidence(f).safeToDelete === true);
    if (orphan.length > 0) {
      this.provider(first, 'delete-oidc-provider', before, null, orphan, {
        rationale: `Delete the provider ${existing.url}: no scanned cluster has this issuer and no role trusts it.`,
        risk: {
          level: 'high',
          notes: ['Irreversible for any workload outside the scanned estate that still relies on this issuer.'],
        },
        owner,
        proposeOnly: 'deleting a provider always needs a person to confirm the cluster is gone for good',
      });
    }
  }

  /** Why the remediator may not rewrite this role's trust policy (empty when it may, or no scope is configured). */
  private outOfScope(role: RoleSnapshot): string[] {
    const scope = this.options.remediationScope;
    if (!scope) return [];
    const verdict = roleInRemediationScope(scope, role);
    return verdict.inScope ? [] : [`outside the remediator's scope (enforced by IAM): ${verdict.why}`];
  }

  private provider(
    finding: Finding,
    action: PlanAction,
    before: ProviderState | null,
    after: ProviderState | null,
    fixes: readonly Finding[],
    extra: { rationale: string; risk: Plan['risk']; owner?: IacOwner | undefined; proposeOnly?: string },
  ): Plan {
    const url = (after ?? before)?.url;
    const scoped =
      this.options.remediationScope && url !== undefined && !providerInRemediationScope(stripScheme(url))
        ? `outside the remediator's scope (enforced by IAM): it writes only to EKS cluster issuers' providers, not ${url}`
        : undefined;
    const proposeOnly = extra.proposeOnly ?? scoped;
    const plan: Plan = {
      id: stableId('plan', action, finding.accountId, finding.resourceArn, JSON.stringify(after)),
      ruleIds: unique(fixes.map((f) => f.ruleId)),
      findingIds: unique(fixes.map((f) => f.id)),
      accountId: finding.accountId,
      resourceArn: finding.resourceArn,
      ...(finding.cluster ? { cluster: finding.cluster, region: finding.region } : {}),
      action,
      before,
      after,
      diff: jsonDiff(finding.resourceArn, before, after),
      rationale: extra.rationale,
      requiresApproval: true,
      applicable: !proposeOnly && !extra.owner,
      ...(proposeOnly || extra.owner
        ? {
            proposeOnlyReason:
              proposeOnly ?? `owned by ${extra.owner?.tool}: change it there (${extra.owner?.howToChange})`,
          }
        : {}),
      ...(extra.owner ? { owner: extra.owner } : {}),
      risk: extra.risk,
      dependsOn: [],
    };
    this.plans.push(plan);
    return plan;
  }

  // ---- Role trust policies --------------------------------------------------------------------------------------

  private planRole(roleArn: string, list: Finding[]): void {
    const ref = this.roles.get(roleArn);
    if (!ref) return;
    const read = parseTrustPolicy(ref.role.trustPolicy);
    if (!read.ok) return; // DOC-001: nothing can be patched in a document that cannot be read
    const document = read.policy.document as Json;
    const views = read.policy.statements.map(classifyStatement);
    const patch = new TrustPolicyPatch(document);
    const intended: IntendedRequest[] = [];
    const declared: DeclaredWidening[] = [];
    const fixed: Finding[] = [];
    const open: Array<{ finding: Finding; reason: string }> = [];
    /** Why the plan must be shown to a person even if its proof holds (a guess, text it would drop). */
    const proposeOnly: string[] = [];
    /** Duplicate keys (path|key) whose values the plan merges rather than drops (IRSA-022). */
    const merged = new Set<string>();
    const partition = this.index.partition;
    const account = ref.accountId;
    const swapped = new Set<number>();
    const current = new CurrentDocument(patch);

    for (const f of list) {
      const e = looseEvidence(f);
      const idx = typeof e.statementIndex === 'number' ? e.statementIndex : -1;
      const view = views[idx];
      const ok = (done: boolean, reason: string) => (done ? fixed.push(f) : open.push({ finding: f, reason }));
      switch (f.ruleId) {
        case 'IRSA-010':
          ok(patch.allowWebIdentity(idx), 'the statement uses NotAction; say which actions it should allow');
          break;
        case 'IRSA-011':
          if (typeof e.expectedFederated === 'string')
            ok(patch.setFederated(idx, e.expectedFederated), 'statement not found');
          else ok(false, "the statement's keys name no known cluster, so the provider to trust is unknown");
          break;
        case 'IRSA-012': {
          const candidates = Array.isArray(e.candidates) ? (e.candidates as Array<Record<string, string>>) : [];
          // A list the analyzer cut (moreCandidates) is never a lone candidate: only the ranking's evidence decides.
          const choice =
            typeof e.federated === 'string'
              ? this.staleCandidate(roleArn, e.federated, candidates, e.moreCandidates === true)
              : undefined;
          const target =
            typeof e.expectedFederated === 'string'
              ? providerUrlFromArn(e.expectedFederated)
              : choice?.candidate.issuer;
          if (typeof e.expectedFederated !== 'string' && choice?.guess) proposeOnly.push(choice.guess);
          if (target && typeof e.federated === 'string') {
            const to = providerArn(partition, account, target);
            const from = providerUrlFromArn(e.federated) ?? '';
            const done = patch.replaceFederated(idx, e.federated, to);
            patch.replaceKeyPrefix(idx, from, target);
            ok(done, 'statement not found');
          } else {
            ok(
              false,
              `${candidates.length === 0 ? 'no' : e.moreCandidates === true ? `more than ${candidates.length}` : candidates.length} candidate cluster(s): choose the one this role is for`,
            );
          }
          break;
        }
        case 'IRSA-002':
        case 'IRSA-044': {
          const from = String(e.federated ?? '');
          const to =
            f.ruleId === 'IRSA-002'
              ? typeof e.expectedFederated === 'string'
                ? e.expectedFederated
                : providerArn(partition, account, providerUrlFromArn(from) ?? '')
              : from.replace(/^arn:[^:]+:/, `arn:${partition}:`);
          ok(patch.replaceFederated(idx, from, to), 'statement not found');
          break;
        }
        case 'IRSA-013':
          ok(
            patch.renameConditionKey(idx, String(e.conditionKey), String(e.expectedKey)),
            `"${e.expectedKey}" is already present; merge the two by hand`,
          );
          break;
        case 'IRSA-014':
          if (e.kind === 'claim-typo') {
            const key = String(e.conditionKey);
            const suggestion = typeof e.suggestion === 'string' ? e.suggestion : undefined;
            ok(
              suggestion !== undefined &&
                patch.renameConditionKey(idx, key, `${key.slice(0, key.lastIndexOf(':'))}:${suggestion}`),
              'the claim meant is unclear',
            );
          } else if (view && !swapped.has(idx)) {
            swapped.add(idx);
            ok(this.swapAudSub(patch, view), 'the :sub and :aud keys are not both present to swap');
          } else fixed.push(f);
          break;
        case 'IRSA-015': {
          const value = String(e.value);
          const clean = normalizeSubject(value);
          const like =
            view?.issuerConditions.find((c) => c.entry.key === e.conditionKey)?.entry.operator?.base === 'StringLike';
          const entry = view?.issuerConditions.find((c) => c.entry.key === e.conditionKey)?.entry;
          if (clean !== value && isWellFormedSubject(clean, like) && entry) {
            ok(
              patch.setValues(
                idx,
                entry.key,
                entry.values.map((v) => (v === value ? clean : v)),
                `removed the stray whitespace from "${value}"`,
              ),
              'key not found',
            );
          } else ok(false, 'the intended service account cannot be derived from this value');
          break;
        }
        case 'IRSA-016':
        case 'IRSA-038':
        case 'IRSA-031': {
          const subject = String(e.subject);
          const cluster = this.clusterOf(f);
          if (!cluster) {
            ok(false, 'the cluster is not in the snapshot');
            break;
          }
          const sa = e.serviceAccount as { audience?: string } | undefined;
          const aud = sa?.audience ?? DEFAULT_AUDIENCE;
          const arn = providerArn(partition, account, cluster.hostPath);
          // An earlier fix of this plan may already let the workload in; then there is nothing left to add.
          const admitted = () => current.admits(arn, cluster.hostPath, subject, aud);
          const changesBefore = patch.changes.length;
          if (f.ruleId === 'IRSA-031') {
            if (e.roleExists !== true) {
              ok(false, 'the role does not exist: create it, or point the service account at the right role');
              break;
            }
            if (admitted()) fixed.push(f);
            else {
              patch.append(
                {
                  Effect: 'Allow',
                  Principal: { Federated: arn },
                  Action: WEB_IDENTITY_ACTION,
                  Condition: {
                    StringEquals: { [`${cluster.hostPath}:sub`]: subject, [`${cluster.hostPath}:aud`]: aud },
                  },
                },
                `added a statement for cluster ${cluster.cluster.name} (its own provider and keys) allowing ${subject}`,
              );
              fixed.push(f);
            }
          } else {
            // An earlier fix of this plan (the :sub and :aud values swapped back, a misspelled :sub key renamed...)
            // may already let the workload in: then nothing is left to add, and the plan fixes this finding too.
            const target = views[typeof e.statementIndex === 'number' ? e.statementIndex : -1];
            const subCondition = target?.issuerConditions.find(
              (c) =>
                c.claimNormal === 'sub' &&
                (c.entry.operator?.base === 'StringEquals' || c.entry.operator?.base === 'StringLike'),
            );
            const at = target?.statement.index ?? -1;
            ok(
              admitted() ||
                (subCondition
                  ? patch.addValue(at, subCondition.entry.operatorText, subCondition.entry.key, subject)
                  : patch.addCondition(at, 'StringEquals', `${cluster.hostPath}:sub`, subject)),
              'the statement for this cluster was not found',
            );
          }
          current.added(subject, changesBefore);
          intended.push({
            providerArn: arn,
            sub: subject,
            aud,
            why: `the workload ${subject} on cluster ${cluster.cluster.name} uses this role`,
          });
          break;
        }
        case 'IRSA-017': {
          const key = String(e.conditionKey);
          const done = patch.moveKey(idx, key, String(e.operator), 'StringLike');
          ok(done, 'key not found');
          const fed = view?.providers[0]?.arn;
          declared.push({
            class: letsAnyServiceAccountIn(String(e.value)) ? 'any-service-account' : 'wildcard-meant',
            why: `the pattern "${e.value}" was meant as a wildcard (IRSA-017)`,
            subPattern: String(e.value),
            ...(fed ? { providerArn: fed } : {}),
          });
          break;
        }
        case 'IRSA-018': {
          const cluster = this.clusterOf(f);
          const known = cluster ? this.knownSubjects(roleArn, cluster.cluster.name, cluster.cluster.region) : [];
          if (!view || known.length === 0) {
            ok(false, 'no known workload uses this role on this cluster: say which service accounts should be allowed');
            break;
          }
          const subCondition = view.issuerConditions.find((c) => c.claimNormal === 'sub');
          const done = subCondition
            ? patch.setValues(
                idx,
                subCondition.entry.key,
                known,
                `narrowed :sub to the known workloads ${known.join(', ')}`,
              )
            : patch.addCondition(
                idx,
                'StringEquals',
                `${cluster?.hostPath}:sub`,
                known.length === 1 ? (known[0] as string) : known,
              );
          ok(done, 'key not found');
          break;
        }
        case 'IRSA-019': {
          const key = typeof e.suggestedKey === 'string' ? e.suggestedKey : undefined;
          const audiences = this.roleAudiences(roleArn);
          const aud = audiences.length === 1 ? (audiences[0] as string) : DEFAULT_AUDIENCE;
          ok(
            key !== undefined && patch.addCondition(idx, 'StringEquals', key, aud),
            'the statement has no known issuer',
          );
          break;
        }
        case 'IRSA-020':
          ok(
            patch.setValues(idx, String(e.conditionKey), [DEFAULT_AUDIENCE], `:aud set to ${DEFAULT_AUDIENCE}`),
            'key not found',
          );
          break;
        case 'IRSA-021':
          ok(
            view !== undefined &&
              this.split(
                patch,
                view,
                account,
                views.map((v) => v.statement.sid).filter((x) => x !== undefined),
              ),
            'the statement could not be split by issuer',
          );
          break;
        case 'IRSA-022':
          ok(
            this.mergeDuplicates(patch, e, declared, views, merged),
            'the repeated element is not a condition key; merge it by hand',
          );
          break;
        case 'IRSA-036': {
          const aud = String(e.audience);
          const cluster = this.clusterOf(f);
          const target = views.find((v) =>
            v.issuerConditions.some((c) => c.claimNormal === 'aud' && c.prefixKey === cluster?.key),
          );
          const audCondition = target?.issuerConditions.find((c) => c.claimNormal === 'aud');
          ok(
            target !== undefined &&
              audCondition !== undefined &&
              patch.addValue(target.statement.index, audCondition.entry.operatorText, audCondition.entry.key, aud),
            'no :aud condition to extend',
          );
          break;
        }
        case 'PI-050': {
          const pi = views.find((v) => v.kind === 'pod-identity' && v.statement.effect === 'Allow');
          const denied = Array.isArray(e.denied) ? (e.denied as Array<{ action: string }>).map((d) => d.action) : [];
          if (!pi || pi.statement.notActions) {
            ok(false, 'the role has no pods.eks.amazonaws.com statement to extend');
            break;
          }
          let done = true;
          for (const action of denied) {
            done = this.addAction(patch, pi.statement.index, action) && done;
            declared.push({
              class: 'pod-identity-action',
              why: `Pod Identity needs ${action} (PI-050)`,
              principal: 'pods.eks.amazonaws.com',
              action,
            });
          }
          ok(done, 'the statement could not be extended');
          break;
        }
        case 'PI-055':
          // Only the medium PI-055 gets here (info findings are not planned): a statement that lets in more than
          // Pod Identity. The condition would also shut out those other principals (their requests carry no
          // aws:SourceAccount), and the EKS user guide does not document the key for Pod Identity: never applied.
          if (patch.addCondition(idx, 'StringEquals', 'aws:SourceAccount', account)) {
            fixed.push(f);
            proposeOnly.push(
              `PI-055 is hardening: aws:SourceAccount would also shut out ${Array.isArray(e.alsoTrusted) ? e.alsoTrusted.join(', ') : 'the other principals of the statement'} (their requests carry no aws:SourceAccount), and the EKS user guide does not document the key for Pod Identity; a person confirms, or moves the other principals to a statement of their own`,
            );
          } else open.push({ finding: f, reason: 'statement not found' });
          break;
        default:
          // IRSA-023 (size), IRSA-024 (explicit deny), DOC-00x, PI-054/056: reported, not patched.
          open.push({ finding: f, reason: ruleMeta(f.ruleId).remediation });
      }
    }
    const dropped = read.quirks.flatMap((q) =>
      q.kind === 'duplicate-key' && !merged.has(`${q.path}|${q.key}`) ? [q] : [],
    );
    if (dropped.length > 0) {
      proposeOnly.push(
        `the document repeats a key (duplicate key, IRSA-022) and this plan, built from the document as JSON parsers read it (the last of each key), would drop ${dropped
          .map((d) => `${d.values.length - 1} shadowed value(s) of "${d.key}" at ${d.path}`)
          .join(', ')}: merge or remove the repeated keys by hand first`,
      );
    }
    this.emitRolePlan(ref, document, patch, {
      fixed,
      open,
      intended,
      declared,
      views,
      proposeOnly,
      dropped: dropped.map((d) => ({ path: d.path, key: d.key, values: d.values.slice(0, -1) })),
      ...(dropped.length > 0 ? { beforeText: read.decodedText } : {}),
    });
  }

  /**
   * The cluster a stale provider should be repointed to, ranked by evidence: the same issuer id (or the host order
   * corrected), then a workload on the cluster that uses the role; a lone cluster in the same region is only a
   * guess ("recreated?"), returned with the reason it must be shown to a person. Undefined when no single best.
   */
  private staleCandidate(
    roleArn: string,
    federated: string,
    candidates: ReadonlyArray<Record<string, string>>,
    cut: boolean,
  ): { candidate: Record<string, string>; guess?: string } | undefined {
    // The analyzer quotes at most 20 candidates: beyond them, one could disagree with any choice made here.
    if (cut) return undefined;
    const id = parseEksIssuer(providerUrlFromArn(federated) ?? '')?.id.toUpperCase();
    const sameId = candidates.filter(
      (c) => id !== undefined && parseEksIssuer(c.issuer ?? '')?.id.toUpperCase() === id,
    );
    const used = candidates.filter((c) => this.knownSubjects(roleArn, String(c.cluster), String(c.region)).length > 0);
    // The issuer id and the workloads disagree (or several clusters carry the id): a person chooses.
    if (sameId.length > 1 || (sameId.length === 1 && used.some((u) => u !== sameId[0]))) return undefined;
    if (sameId[0]) return { candidate: sameId[0] };
    if (used.length === 1 && used[0]) return { candidate: used[0] };
    if (used.length > 1 || candidates.length !== 1 || !candidates[0]) return undefined;
    const only = candidates[0];
    return {
      candidate: only,
      guess: `repointing to cluster ${only.cluster} (${only.region}) is a guess: its issuer id differs from the provider's and no known workload on it uses this role; confirm the cluster was recreated`,
    };
  }

  private emitRolePlan(
    ref: RoleRef,
    before: Json,
    patch: TrustPolicyPatch,
    work: {
      fixed: Finding[];
      open: Array<{ finding: Finding; reason: string }>;
      intended: IntendedRequest[];
      declared: DeclaredWidening[];
      views: StatementView[];
      proposeOnly: readonly string[];
      /** Shadowed values of duplicate keys the plan does not merge: not in `after`. */
      dropped: ReadonlyArray<{ path: string; key: string; values: readonly unknown[] }>;
      /** The document's text, repeated keys included, for the diff's before side. */
      beforeText?: string;
    },
  ): void {
    const roleArn = ref.role.arn;
    const first = work.fixed[0] ?? work.open[0]?.finding;
    if (!first) return;
    const quota =
      this.index.accounts.get(ref.accountId)?.quotas?.trustPolicyLength ??
      this.options.trustPolicyQuota ??
      DEFAULT_TRUST_POLICY_QUOTA;
    const owner = iacOwner(ref.role.tags, 'role');
    const cluster = first.cluster ? { cluster: first.cluster, region: first.region } : {};
    if (work.fixed.length > 0 && patch.changes.length > 0) {
      const after = patch.result();
      const intended = [...work.intended, ...this.statementSubjects(after, ref.accountId)];
      const budget = Math.min(DEFAULT_EXACT_BUDGET, this.proofStepsLeft);
      const proof = proveTrustChange({
        before,
        after,
        intended: dedupeIntended(intended),
        declared: work.declared,
        quota,
        otherProviders: this.providersOf(ref.accountId),
        budget,
      });
      this.proofStepsLeft = Math.max(0, this.proofStepsLeft - proof.exact.work);
      const spent =
        !proof.exact.decided && proof.exact.work >= budget && budget < DEFAULT_EXACT_BUDGET
          ? [
              `this planning run's proof budget (${this.proofBudget} steps) is spent: plan fewer accounts or roles at once`,
            ]
          : [];
      const overQuota = !proof.size.withinQuota;
      if (overQuota) this.quotaFinding(ref, first, proof.size.minifiedLength, quota);
      const widening = proof.probes.newlyAllowed.length > 0 || work.intended.length > 0;
      const notes = [
        ...(widening
          ? [
              `Allows exactly what it names: ${unique(proof.probes.newlyAllowed.map((p) => p.declaredBy ?? ''))
                .concat(work.intended.map((i) => i.why))
                .filter((x, i, a) => x && firstAt(a, x) === i)
                .join('; ')}.`,
            ]
          : []),
        ...(proof.probes.newlyDenied > 0
          ? [`Denies ${proof.probes.newlyDenied} probe request(s) that were allowed before (narrowing).`]
          : []),
        ...(work.open.length > 0
          ? [`Left for a person: ${work.open.map((o) => `${o.finding.ruleId} (${o.reason})`).join('; ')}.`]
          : []),
      ];
      const allowed = new Set<WideningClass>(this.options.allowWidening ?? []);
      // Every class the plan declares, and every class the proof finds newly allowed (a sampled proof may miss what
      // a declaration says the plan adds, e.g. sts:TagSession under a condition its probes do not satisfy).
      const blocked = new Map<WideningClass, string[]>();
      const block = (c: WideningClass | undefined, why: string | undefined) => {
        if (c === undefined || allowed.has(c)) return;
        const whys = blocked.get(c) ?? [];
        if (why && !whys.includes(why)) whys.push(why);
        blocked.set(c, whys);
      };
      for (const d of work.declared) block(d.class, d.why);
      for (const o of proof.probes.newlyAllowed) block(o.wideningClass, o.declaredBy);
      const reasons = [
        ...(overQuota
          ? [
              `the new document is ${proof.size.minifiedLength} characters, over the ${quota}-character trust-policy quota (see the IRSA-023 finding)`,
            ]
          : []),
        ...(!proof.holds ? [`the proof does not hold: ${proof.summary.join(' ')}`] : []),
        ...work.proposeOnly,
        ...spent,
        ...this.outOfScope(ref.role),
        ...[...blocked].map(
          ([c, whys]) =>
            `it knowingly allows more than named workloads, a widening of class ${c} (${whys.join('; ')}); only configuration makes such plans applicable: allowWidening including "${c}" (hub config allowWidening, Lambda environment ALLOW_WIDENING, CLI plan --allow-widening)`,
        ),
      ];
      const proposeOnly = reasons.length > 0 ? reasons.join('; ') : undefined;
      const droppedText =
        work.dropped.length > 0
          ? ` It does NOT keep the shadowed value(s) of repeated keys, which JSON parsers ignore but the text holds: ${work.dropped
              .map((d) => `"${d.key}" at ${d.path}: ${d.values.map((v) => JSON.stringify(v)).join(', ')}`)
              .join('; ')}.`
          : '';
      const plan: Plan = {
        id: stableId('plan', 'update-trust-policy', ref.accountId, roleArn, JSON.stringify(after)),
        ruleIds: unique(work.fixed.map((f) => f.ruleId)),
        findingIds: unique(work.fixed.map((f) => f.id)),
        accountId: ref.accountId,
        resourceArn: roleArn,
        ...cluster,
        action: 'update-trust-policy',
        before,
        after,
        diff: jsonDiff(roleArn, before, after, work.beforeText),
        rationale: `Fixes ${unique(work.fixed.map((f) => f.ruleId)).join(', ')} in role ${ref.role.name} with the smallest edit: ${patch.changes.join('; ')}. Every other statement and condition is unchanged.${droppedText}`,
        requiresApproval: true,
        applicable: proposeOnly === undefined && !owner,
        ...(proposeOnly || owner
          ? { proposeOnlyReason: proposeOnly ?? `owned by ${owner?.tool} (${owner?.evidence}): ${owner?.howToChange}` }
          : {}),
        ...(owner ? { owner } : {}),
        proof,
        risk: {
          level: proof.probes.newlyDenied > 0 ? 'high' : widening ? 'medium' : 'low',
          notes: notes.length > 0 ? notes : ['Changes only what the findings name.'],
        },
        dependsOn: this.dependencies(after),
      };
      this.plans.push(plan);
    }
    const fixedSet = new Set(work.fixed);
    const unresolved = work.open.filter((o) => !fixedSet.has(o.finding));
    if (unresolved.length > 0 && unresolved.some((o) => severityRank(o.finding.severity) <= severityRank('medium'))) {
      const proposal: Plan = {
        id: stableId('plan', 'propose', ref.accountId, roleArn, unresolved.map((o) => o.finding.id).join(',')),
        ruleIds: unique(unresolved.map((o) => o.finding.ruleId)),
        findingIds: unique(unresolved.map((o) => o.finding.id)),
        accountId: ref.accountId,
        resourceArn: roleArn,
        ...cluster,
        action: 'update-trust-policy',
        before,
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
      this.plans.push(proposal);
    }
  }

  // ---- Service accounts (Kubernetes side) -----------------------------------------------------------------------

  private planServiceAccount(list: Finding[]): void {
    for (const f of list) {
      if (f.ruleId !== 'IRSA-030') continue;
      const sa = looseEvidence(f).serviceAccount as { namespace: string; name: string } | undefined;
      const command = sa
        ? `kubectl annotate serviceaccount -n ${sa.namespace} ${sa.name} eks.amazonaws.com/role-arn=arn:${this.index.partition}:iam::<account>:role/<name> --overwrite`
        : 'kubectl annotate serviceaccount ... eks.amazonaws.com/role-arn=<role ARN> --overwrite';
      this.plans.push({
        id: stableId('plan', 'update-service-account', f.accountId, f.resourceArn, f.id),
        ruleIds: [f.ruleId],
        findingIds: [f.id],
        accountId: f.accountId,
        resourceArn: f.resourceArn,
        ...(f.cluster ? { cluster: f.cluster, region: f.region } : {}),
        action: 'update-service-account',
        before: null,
        after: null,
        diff: '',
        rationale: `The annotation is a Kubernetes change this tool does not make: ${command}, then restart the pods.`,
        requiresApproval: true,
        applicable: false,
        proposeOnlyReason: 'a Kubernetes change, outside AWS',
        risk: { level: 'low', notes: ['Pods pick the new annotation up only when recreated.'] },
        dependsOn: [],
      });
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private swapAudSub(patch: TrustPolicyPatch, view: StatementView): boolean {
    const aud = view.issuerConditions.find((c) => c.claimNormal === 'aud');
    const sub = view.issuerConditions.find((c) => c.claimNormal === 'sub');
    if (!aud || !sub) return false;
    const subjects = aud.entry.values.filter((v) => v.startsWith('system:serviceaccount'));
    const audiences = sub.entry.values.filter((v) => !v.startsWith('system:serviceaccount'));
    const idx = view.statement.index;
    return (
      patch.setValues(
        idx,
        sub.entry.key,
        subjects.length > 0 ? subjects : sub.entry.values,
        'moved the subject to :sub',
      ) &&
      patch.setValues(
        idx,
        aud.entry.key,
        audiences.length > 0 ? audiences : [DEFAULT_AUDIENCE],
        'moved the audience to :aud',
      )
    );
  }

  private split(patch: TrustPolicyPatch, view: StatementView, account: string, otherSids: readonly string[]): boolean {
    const keys = new Map<string, { prefix: string; arn: string; name: string }>();
    for (const p of view.providers) {
      keys.set(p.key, {
        prefix: p.url,
        arn: p.arn,
        name: this.index.clustersByKey.get(p.key)?.[0]?.cluster.name ?? p.url,
      });
    }
    for (const c of view.issuerConditions) {
      if (keys.has(c.prefixKey)) continue;
      const cluster = this.index.clustersByKey.get(c.prefixKey)?.[0];
      if (cluster) {
        keys.set(c.prefixKey, {
          prefix: cluster.hostPath,
          arn: providerArn(this.index.partition, account, cluster.hostPath),
          name: cluster.cluster.name,
        });
      }
    }
    if (keys.size < 2) return false;
    // Each part trusts one provider: a statement that also names another principal (a provider of no cluster here,
    // an AWS or Service principal) or whose Condition is not an object of objects would lose text; a person splits it.
    const raw = view.statement.raw;
    const principal = raw.Principal;
    const groupArns = new Set([...keys.values()].map((g) => g.arn));
    const federated =
      principal !== null && typeof principal === 'object' && !Array.isArray(principal)
        ? (principal as Json).Federated
        : undefined;
    const plain = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (
      !plain(principal) ||
      Object.keys(principal as Json).some((k) => k !== 'Federated') ||
      !(Array.isArray(federated) ? federated : [federated]).every((f) => typeof f === 'string' && groupArns.has(f)) ||
      !plain(raw.Condition) ||
      !Object.values(raw.Condition as Json).every(plain)
    )
      return false;
    // IAM wants the Sids of a policy unique, and cluster names repeat across regions (prod in two regions): a part
    // whose cluster name repeats also carries its region, and a number if even that repeats.
    const sidSuffix = new Map<string, string>();
    const names = [...keys.values()].map((g) => g.name);
    for (const [key, group] of keys) {
      const region = this.index.clustersByKey.get(key)?.[0]?.cluster.region ?? '';
      const repeated = names.filter((n) => n === group.name).length > 1;
      const base = (repeated ? `${group.name}${region}` : group.name).replace(/[^A-Za-z0-9]/g, '');
      let suffix = base;
      const taken = (x: string) =>
        [...sidSuffix.values()].includes(x) || otherSids.includes(`${view.statement.sid ?? ''}${x}`);
      for (let i = 2; taken(suffix); i++) suffix = `${base}${i}`;
      sidSuffix.set(key, suffix);
    }
    const issuerKeyOf = (k: string) => {
      const colon = k.lastIndexOf(':');
      return colon > 0 ? issuerKey(k.slice(0, colon)) : undefined;
    };
    const build = (current: Json): Json[] =>
      [...keys].map(([key, group]) => {
        // Each cluster keeps its own issuer keys and every condition that names no issuer; its audience is pinned.
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
        const part: Json = {};
        for (const [k, v] of Object.entries(current)) {
          if (k === 'Sid') part.Sid = `${String(v)}${sidSuffix.get(key) ?? ''}`;
          else if (k === 'Principal') part.Principal = { Federated: group.arn };
          else if (k === 'Condition') part.Condition = conditions;
          else setOwn(part, k, structuredClone(v));
        }
        return part;
      });
    return patch.split(
      view.statement.index,
      build,
      `split into ${keys.size} statements, one per cluster (${[...keys.values()].map((g) => g.name).join(', ')}), each with its own provider, keys and audience`,
    );
  }

  private mergeDuplicates(
    patch: TrustPolicyPatch,
    evidence: Readonly<Record<string, unknown>>,
    declared: DeclaredWidening[],
    views: readonly StatementView[],
    merged: Set<string>,
  ): boolean {
    const duplicates = Array.isArray(evidence.duplicates)
      ? (evidence.duplicates as Array<{ path: string; key: string; values: unknown[] }>)
      : [];
    let done = duplicates.length > 0;
    const isText = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    for (const d of duplicates) {
      const m = /^\$\.Statement(?:\[(\d+)\])?\.Condition\.([^.]+)$/.exec(d.path);
      // Only values that are strings or lists of strings merge into one key; anything else is left for a person.
      if (!m || !d.values.every(isText)) {
        done = false;
        continue;
      }
      const idx = m[1] === undefined ? 0 : Number(m[1]);
      const values = unique(d.values.flatMap((v) => (Array.isArray(v) ? v : [v])).map(String));
      const kept = d.values.at(-1);
      const fed = views[idx]?.providers.length === 1 ? views[idx]?.providers[0]?.arn : undefined;
      for (const v of values) {
        if (!(Array.isArray(kept) ? kept.map(String) : [String(kept)]).includes(v)) {
          declared.push({
            class: letsAnyServiceAccountIn(v) ? 'any-service-account' : 'dropped-duplicate',
            why: `"${v}" was written in the policy but silently dropped as a duplicate key (IRSA-022)`,
            subPattern: v,
            ...(fed ? { providerArn: fed } : {}),
          });
        }
      }
      const ok = patch.setValues(
        idx,
        d.key,
        values,
        `merged the repeated "${d.key}" into one key with ${values.length} values`,
      );
      if (ok) merged.add(`${d.path}|${d.key}`);
      done = ok && done;
    }
    return done;
  }

  private addAction(patch: TrustPolicyPatch, index: number, action: string): boolean {
    const s = patch.statement(index);
    if (!s) return false;
    const current = s.Action;
    if (current === action || (Array.isArray(current) && current.includes(action))) return true;
    s.Action = Array.isArray(current) ? [...current, action] : current === undefined ? action : [current, action];
    patch.changes.push(`statement #${index}: Action also allows ${action}`);
    return true;
  }

  private clusterOf(f: Finding) {
    if (!f.cluster || !f.region) return undefined;
    if (!this.clustersByName) {
      // The first cluster of each name and region, as a scan of index.clusters finds it: built once, asked per finding.
      this.clustersByName = new Map();
      for (const c of this.index.clusters) {
        const key = JSON.stringify([c.cluster.name, c.cluster.region]);
        if (!this.clustersByName.has(key)) this.clustersByName.set(key, c);
      }
    }
    return this.clustersByName.get(JSON.stringify([f.cluster, f.region]));
  }

  private knownSubjects(roleArn: string, cluster: string, region: string): string[] {
    // Indexed once per role (by cluster and region): a role with many service accounts is asked once per candidate.
    let byCluster = this.subjectsByRole.get(roleArn);
    if (!byCluster) {
      byCluster = new Map();
      for (const s of this.index.serviceAccountsByRole.get(roleArn) ?? []) {
        const key = JSON.stringify([s.serviceAccount.cluster, s.serviceAccount.region]);
        const subjects = byCluster.get(key) ?? new Set<string>();
        subjects.add(`system:serviceaccount:${s.serviceAccount.namespace}:${s.serviceAccount.name}`);
        byCluster.set(key, subjects);
      }
      this.subjectsByRole.set(roleArn, byCluster);
    }
    return [...(byCluster.get(JSON.stringify([cluster, region])) ?? [])];
  }

  /** The distinct audiences of the service accounts that name a role, in order of first appearance. */
  private roleAudiences(roleArn: string): string[] {
    let audiences = this.audiencesByRole.get(roleArn);
    if (!audiences) {
      audiences = unique(
        (this.index.serviceAccountsByRole.get(roleArn) ?? []).map((s) => s.serviceAccount.audience ?? DEFAULT_AUDIENCE),
      );
      this.audiencesByRole.set(roleArn, audiences);
    }
    return audiences;
  }

  /** The subjects every IRSA statement of the new document names literally: they must all be allowed after. */
  private statementSubjects(after: TrustDocument, account: string): IntendedRequest[] {
    const read = parseTrustPolicy(after);
    if (!read.ok) return [];
    const out: IntendedRequest[] = [];
    for (const view of read.policy.statements.map(classifyStatement)) {
      if (view.kind !== 'irsa' || view.statement.effect !== 'Allow') continue;
      for (const p of view.providers) {
        if (p.accountId !== account || !this.index.clustersByKey.has(p.key)) continue;
        const aud =
          view.issuerConditions.find((c) => c.claimNormal === 'aud' && c.prefixKey === p.key)?.entry.values[0] ??
          DEFAULT_AUDIENCE;
        for (const c of view.issuerConditions) {
          // A value without wildcards names one subject under StringLike as much as under StringEquals.
          const base = c.entry.operator?.base;
          if (c.claimNormal !== 'sub' || c.prefixKey !== p.key || (base !== 'StringEquals' && base !== 'StringLike'))
            continue;
          for (const v of c.entry.values) {
            if (!hasWildcard(v))
              out.push({ providerArn: p.arn, sub: v, aud, why: `statement #${view.statement.index} names ${v}` });
          }
        }
      }
    }
    return out;
  }

  private providersOf(account: string): string[] {
    return (this.providerArnsByAccount.get(account) ?? []).slice(0, 4);
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
 * Whether an IAM wildcard pattern over `:sub` lets any service account in: it matches service accounts whose
 * namespace and name are made of a character the pattern does not contain, of lengths 1 and 33, which only a `*`
 * over both can do (e.g. "*", "system:*", "system:serviceaccount:*:*"; not "system:serviceaccount:apps:*").
 */
export function letsAnyServiceAccountIn(pattern: string): boolean {
  if (!hasWildcard(pattern)) return false;
  const unused = [...'qzxjkvwbyfgmphdculnrtoeias0123456789'].find((ch) => !pattern.includes(ch));
  // A pattern holding every letter and digit is no plausible subject: assume the worst.
  if (unused === undefined) return true;
  const parts = [unused, unused.repeat(33)];
  return parts.every((ns) => parts.every((name) => wildcardMatch(pattern, `system:serviceaccount:${ns}:${name}`)));
}

const firstIndexes = new WeakMap<readonly unknown[], Map<unknown, number>>();

/** a.indexOf(x), from an index built once per array (which must not change after): linear over all x, not n². */
function firstAt<T>(a: readonly T[], x: T): number {
  let index = firstIndexes.get(a);
  if (!index) {
    index = new Map();
    for (let i = a.length - 1; i >= 0; i--) index.set(a[i], i);
    firstIndexes.set(a, index);
  }
  return index.get(x) ?? -1;
}

/** The distinct values, each at its first occurrence (linear: plans can name thousands of findings). */
function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * Whether the document a plan is building admits a workload, without re-reading and re-evaluating the whole growing
 * document per workload (quadratic in the service accounts of a role). The document is read again only when it
 * changed in a way not tracked here; the changes tracked are those that add one literal subject (no `*`, `?` or
 * `$`) to a `:sub` condition or in a statement of its own. Such a change can alter the decision for a request only
 * if that subject equals the request's, ignoring case (no condition operator matches a literal value otherwise):
 * then the document is read again too. So the answer is always the decision on the current document.
 */
export class CurrentDocument {
  private read: ReturnType<typeof parseTrustPolicy> | undefined;
  /** patch.changes.length when the document was read, plus the tracked changes since. */
  private accounted = -1;
  private readonly subjects = new Set<string>();

  constructor(private readonly patch: TrustPolicyPatch) {}

  admits(providerArn: string, hostPath: string, sub: string, aud: string): boolean {
    if (!this.read || this.accounted !== this.patch.changes.length || this.subjects.has(sub.toLowerCase())) {
      this.read = parseTrustPolicy(this.patch.result());
      this.accounted = this.patch.changes.length;
      this.subjects.clear();
    }
    const read = this.read;
    return (
      read.ok &&
      evaluateTrustPolicy(read.policy, webIdentityRequest(providerArn, hostPath, { sub, aud })).decision === 'Allow'
    );
  }

  /** Records the changes made since `changesBefore` as adding only the subject `sub`. */
  added(sub: string, changesBefore: number): void {
    if (!this.read || this.accounted !== changesBefore || /[*?$]/.test(sub)) return;
    this.accounted = this.patch.changes.length;
    this.subjects.add(sub.toLowerCase());
  }
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

/** Evidence as a plain record: a bridge until the planner reads it through EvidenceOf<R> (branch planner). */
function looseEvidence(f: Finding): Readonly<Record<string, unknown>> {
  return f.evidence as unknown as Readonly<Record<string, unknown>>;
}
