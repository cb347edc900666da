import type { RoleRef } from '../../estate-index';
import type { Finding, FindingOf, RuleId } from '../../finding';
import type { OidcProviderSnapshot } from '../../snapshot';
import type { StatementView } from '../../trust-policy/classify';
import type { CurrentDocument } from '../current-document';
import type { TrustPolicyPatch } from '../patch-trust-policy';
import type { IacOwner, Plan, PlanChange, PlanOf, ProviderState } from '../plan-model';
import type { PlanningLookups } from '../planning-lookups';
import type { DeclaredWidening, IntendedRequest } from '../prove';

/** What a role fixer did with its finding: fixed by the patch, or left for a person with the reason. */
export type Outcome = { readonly fixed: true } | { readonly fixed: false; readonly reason: string };

export const FIXED: Outcome = { fixed: true };

/** Left for a person, with the reason shown in the plan. */
export function open(reason: string): Outcome {
  return { fixed: false, reason };
}

/** Fixed when `done`, else left for a person with the reason. */
export function ok(done: boolean, reason: string): Outcome {
  return done ? FIXED : open(reason);
}

/**
 * Everything a role fixer may read and add to while one role's plan is built. Fixers edit `patch` and say what the
 * edit is for: `intended` (requests the plan exists to allow), `declared` (widening it knowingly makes),
 * `proposeOnly` (why a person must see it even if its proof holds).
 */
export interface RoleFixContext {
  readonly role: RoleRef;
  readonly patch: TrustPolicyPatch;
  /** The statements of the document as analysis read them (indices of the original document). */
  readonly views: readonly StatementView[];
  readonly lookups: PlanningLookups;
  /** Decisions on the document as the fixes so far leave it. */
  readonly current: CurrentDocument;
  readonly intended: IntendedRequest[];
  readonly declared: DeclaredWidening[];
  readonly proposeOnly: string[];
  /** Per-plan memory fixers share: statements whose :aud/:sub were swapped, duplicate keys merged (path|key). */
  readonly swapped: Set<number>;
  readonly merged: Set<string>;
}

/** What a provider fixer reads, and where it puts the plans it makes for one provider. */
export interface ProviderFixContext {
  readonly arn: string;
  /** The provider as collected; undefined when it does not exist. */
  readonly existing: OidcProviderSnapshot | undefined;
  /** The existing provider's state as plans show it (url, client ids, thumbprints); null when it does not exist. */
  readonly before: ProviderState | null;
  readonly owner: IacOwner | undefined;
  /** Every finding of the analysis (a provider fix may also fix findings on roles, e.g. IRSA-006). */
  readonly findings: readonly Finding[];
  /** Makes one plan for this provider. */
  plan(finding: Finding, change: ProviderChange): void;
  /** Asks for an audience on the provider: the audiences asked by every fixer become one add-client-id plan. */
  wantAudience(finding: Finding, audience: string): void;
}

/** What a plan may do to a provider. */
export type ProviderAction = 'create-oidc-provider' | 'add-client-id' | 'update-thumbprint' | 'delete-oidc-provider';

export interface ProviderChange {
  /** The action, with the provider before and after it. */
  readonly change: PlanChange<ProviderAction>;
  readonly fixes: readonly Finding[];
  readonly rationale: string;
  readonly risk: Plan['risk'];
  readonly proposeOnly?: string;
}

/** What a service-account (Kubernetes-side) fixer may do: propose a plan. */
export interface ServiceAccountFixContext {
  readonly partition: string;
  /** The estate's lookups (the pods of a service account read from its cluster, for restart commands). */
  readonly lookups?: PlanningLookups;
  propose(plan: PlanOf<'update-service-account'>): void;
}

/** What a cluster fixer may do: propose a plan for the cluster (an access entry). */
export interface ClusterFixContext {
  readonly partition: string;
  propose(plan: PlanOf<'create-access-entry'>): void;
}

/**
 * The fix for one rule: how it patches a role's trust policy, and/or the provider or service-account plans it
 * makes. `order` puts fixes that rewrite a statement's principal or keys before those that add to it (which read
 * the result: IRSA-019 pins :aud under the provider's prefix after IRSA-012 repointed it). A rule with no fixer
 * in the registry is reported, not patched. (`FindingOf<R>` is `Finding<R>` for one rule; written so, a generic
 * `R` keeps dispatch typed: the registry's fixer for `finding.ruleId` takes exactly that finding.)
 */
export interface Fixer<R extends RuleId> {
  readonly rule: R;
  readonly order: FixOrder;
  readonly role?: (finding: FindingOf<R>, ctx: RoleFixContext) => Outcome;
  /** Called once per provider with the rule's findings on it, in the analysis's order. */
  readonly provider?: (findings: ReadonlyArray<FindingOf<R>>, ctx: ProviderFixContext) => void;
  readonly serviceAccount?: (finding: FindingOf<R>, ctx: ServiceAccountFixContext) => void;
  readonly cluster?: (finding: FindingOf<R>, ctx: ClusterFixContext) => void;
}

/**
 * When a fix runs in a role's plan: first what names the provider (principal, action), then what renames or
 * rewrites condition keys and values, then what adds to the statement as those leave it (a split is built from
 * the statement as every other edit leaves it, whenever it runs). Within one step, in the analysis's order.
 */
export const FIX_ORDER = { principal: 0, keys: 1, additions: 2 } as const;
export type FixOrder = (typeof FIX_ORDER)[keyof typeof FIX_ORDER];

/** The statement a statement-level finding names, by the index in its evidence (-1 when none). */
export function statementIndexOf(finding: {
  readonly evidence: { readonly statementIndex?: number | undefined };
}): number {
  return finding.evidence.statementIndex ?? -1;
}
