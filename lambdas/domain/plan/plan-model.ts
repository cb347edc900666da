import type { EvalDecision } from '../trust-policy/evaluate';

/** What each class of declared widening (prove.ts WideningClass) means, for settings and messages. */
export const WIDENING_CLASS_MEANING: Readonly<Record<import('./prove').WideningClass, string>> = {
  'wildcard-meant': 'a :sub pattern written under StringEquals that was meant as a wildcard (IRSA-017)',
  'dropped-duplicate': 'a value the policy held under a repeated key, which JSON parsers drop, merged back (IRSA-022)',
  'any-service-account': 'a :sub pattern that lets any service account of the cluster in',
  'pod-identity-action': 'an action the EKS Pod Identity principal needs, e.g. sts:TagSession (PI-050)',
};

/** Every class of declared widening; configuration (`allowWidening`) may allow some, and allows none by default. */
export const WIDENING_CLASSES = Object.keys(WIDENING_CLASS_MEANING) as Array<import('./prove').WideningClass>;

/** An OIDC provider as the planner reads and writes it. */
export interface ProviderState {
  readonly url: string;
  readonly clientIds: readonly string[];
  readonly thumbprints: readonly string[];
}

export type TrustDocument = Readonly<Record<string, unknown>>;

/** One access policy associated with an EKS access entry. */
export interface AccessPolicyAssociation {
  readonly policyArn: string;
  readonly accessScope: { readonly type: 'cluster' | 'namespace'; readonly namespaces: readonly string[] };
}

/** An EKS access entry as the planner reads and writes it (the principal on one cluster, its policies). */
export interface AccessEntryState {
  readonly clusterName: string;
  readonly principalArn: string;
  readonly type: string;
  readonly kubernetesGroups: readonly string[];
  /** Sorted by policy ARN. */
  readonly policies: readonly AccessPolicyAssociation[];
}

export interface ProbeOutcome {
  readonly principal: string;
  readonly action: string;
  readonly sub?: string;
  readonly aud?: string;
  readonly before: EvalDecision;
  readonly after: EvalDecision;
  /** Why a newly allowed request is acceptable: the workload the plan exists to let in, or the declared widening. */
  readonly declaredBy?: string;
  /** Set when `declaredBy` is a declared widening (not a named workload): its class. */
  readonly wideningClass?: import('./prove').WideningClass;
  /** The request's condition keys (lower-cased) and values: the whole witness, absent keys left out. */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** Which check found it: the exact difference (one witness per class) or the probe set. */
  readonly source?: 'exact' | 'probe';
}

/** The evidence shown to an approver that a trust-policy change does what it says and nothing more. */
export interface Proof {
  /** The requests the change is for: each must be allowed after it. */
  readonly intended: readonly ProbeOutcome[];
  readonly probes: {
    readonly evaluated: number;
    /** Requests denied before and allowed after, each accounted for by `declaredBy`. */
    readonly newlyAllowed: readonly ProbeOutcome[];
    /** Requests denied before and allowed after that nothing in the plan accounts for: must be empty. */
    readonly undeclaredNewlyAllowed: readonly ProbeOutcome[];
    readonly newlyDenied: number;
  };
  /**
   * The exact check (proof/exact-difference.ts): every class of requests `after` allows and `before` does not, one
   * witness each (listed in `probes.newlyAllowed` / `probes.undeclaredNewlyAllowed` with `source: 'exact'`).
   * Undecided (with the reason) when the policies use what it does not model or it runs out of budget: then the
   * proof does not hold.
   */
  readonly exact: {
    readonly decided: boolean;
    readonly reason?: string;
    /** Newly allowed classes found. */
    readonly classes: number;
    /** Of those, the ones nothing in the plan accounts for. */
    readonly undeclared: number;
    /** Search steps spent. */
    readonly work: number;
  };
  readonly size: { readonly minifiedLength: number; readonly quota: number; readonly withinQuota: boolean };
  readonly holds: boolean;
  /** The proof in sentences, for the approver. */
  readonly summary: readonly string[];
}

/** Which infrastructure-as-code tool owns a resource, and how to make the change there instead. */
export interface IacOwner {
  readonly tool: 'cloudformation' | 'cdk' | 'eksctl' | 'terraform';
  readonly evidence: string;
  readonly stack?: string;
  readonly howToChange: string;
}

/** What every plan says, whatever its action. */
export interface PlanCommon {
  /** Stable: the same input gives the same id. */
  readonly id: string;
  readonly ruleIds: readonly string[];
  readonly findingIds: readonly string[];
  readonly accountId: string;
  readonly resourceArn: string;
  readonly cluster?: string;
  readonly region?: string;
  /** A readable unified diff of before and after. */
  readonly diff: string;
  readonly rationale: string;
  /** Every change waits for a person unless configuration says otherwise (issue: default none). */
  readonly requiresApproval: boolean;
  /** False for propose-only plans: shown to a person, never applied by the workflow. */
  readonly applicable: boolean;
  readonly proposeOnlyReason?: string;
  readonly owner?: IacOwner;
  readonly proof?: Proof;
  readonly risk: { readonly level: 'low' | 'medium' | 'high'; readonly notes: readonly string[] };
  /** Plans that must be applied first (a provider before the trust policy that names it). */
  readonly dependsOn: readonly string[];
}

/** Rewrite a role's trust policy (UpdateAssumeRolePolicy). */
export interface UpdateTrustPolicyPlan extends PlanCommon {
  readonly action: 'update-trust-policy';
  /** The role's trust policy as planned from. */
  readonly before: TrustDocument;
  /** The complete new trust policy; null on a proposal that needs a person (never applicable). */
  readonly after: TrustDocument | null;
}

/** Create the IAM OIDC provider of a cluster's issuer. */
export interface CreateOidcProviderPlan extends PlanCommon {
  readonly action: 'create-oidc-provider';
  /** There is no provider yet. */
  readonly before: null;
  readonly after: ProviderState;
}

/** Add audiences (client ids) to an existing provider. */
export interface AddClientIdPlan extends PlanCommon {
  readonly action: 'add-client-id';
  readonly before: ProviderState;
  readonly after: ProviderState;
}

/** Replace a provider's thumbprint list. */
export interface UpdateThumbprintPlan extends PlanCommon {
  readonly action: 'update-thumbprint';
  readonly before: ProviderState;
  readonly after: ProviderState;
}

/** Delete an orphaned provider: propose-only, a person confirms the cluster is gone. */
export interface DeleteOidcProviderPlan extends PlanCommon {
  readonly action: 'delete-oidc-provider';
  readonly before: ProviderState;
  /** The provider is deleted. */
  readonly after: null;
}

/** Annotate a Kubernetes service account: propose-only, outside AWS; no IAM state before or after. */
export interface UpdateServiceAccountPlan extends PlanCommon {
  readonly action: 'update-service-account';
  readonly before: null;
  readonly after: null;
}

/**
 * Create the EKS access entry that lets the member scanner role read a cluster: type STANDARD, no Kubernetes
 * groups, AmazonEKSViewPolicy with scope cluster. `resourceArn` is the access entry's ARN without its id
 * (`arn:<partition>:eks:<region>:<account>:access-entry/<cluster>/role/<account>/<role name>`).
 */
export interface CreateAccessEntryPlan extends PlanCommon {
  readonly action: 'create-access-entry';
  /** There is no access entry for the principal yet. */
  readonly before: null;
  readonly after: AccessEntryState;
}

/** A planned change, discriminated on `action`: each action has its own `before` and `after`. */
export type Plan =
  | UpdateTrustPolicyPlan
  | CreateOidcProviderPlan
  | AddClientIdPlan
  | UpdateThumbprintPlan
  | DeleteOidcProviderPlan
  | UpdateServiceAccountPlan
  | CreateAccessEntryPlan;

/** What a plan does to which IAM resource. */
export type PlanAction = Plan['action'];

/** Every plan action (a runtime list of the union's tags, checked complete by the type below). */
export const PLAN_ACTIONS = [
  'create-oidc-provider',
  'add-client-id',
  'update-thumbprint',
  'update-trust-policy',
  'delete-oidc-provider',
  'update-service-account',
  'create-access-entry',
] as const satisfies readonly PlanAction[];
/** Fails to compile when an action of the union is missing from PLAN_ACTIONS. */
type MissingAction = Exclude<PlanAction, (typeof PLAN_ACTIONS)[number]>;
export const PLAN_ACTIONS_COMPLETE: [MissingAction] extends [never] ? true : MissingAction = true;

/** The plan of one action. */
export type PlanOf<A extends PlanAction> = Extract<Plan, { readonly action: A }>;

/** A plan's change alone (action, before, after), as one discriminated value: how the planner states a change. */
export type PlanChange<A extends PlanAction = PlanAction> = A extends PlanAction
  ? Pick<PlanOf<A>, 'action' | 'before' | 'after'>
  : never;

export interface PlanResult {
  readonly plans: readonly Plan[];
  /** Findings the planning itself raises (a fix that would exceed the trust-policy quota). */
  readonly findings: readonly import('../finding').Finding[];
}

/** A trust policy as plans hold it: a JSON object. */
export function isTrustDocument(value: unknown): value is TrustDocument {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((x) => typeof x === 'string');

/** An OIDC provider's state as plans hold it. */
export function isProviderState(value: unknown): value is ProviderState {
  if (!isTrustDocument(value)) return false;
  return typeof value.url === 'string' && isStringList(value.clientIds) && isStringList(value.thumbprints);
}

/** An access entry's state as plans hold it. */
export function isAccessEntryState(value: unknown): value is AccessEntryState {
  if (!isTrustDocument(value)) return false;
  const policies = value.policies;
  return (
    typeof value.clusterName === 'string' &&
    typeof value.principalArn === 'string' &&
    typeof value.type === 'string' &&
    isStringList(value.kubernetesGroups) &&
    Array.isArray(policies) &&
    policies.every(
      (p: unknown) =>
        isTrustDocument(p) &&
        typeof p.policyArn === 'string' &&
        isTrustDocument(p.accessScope) &&
        (p.accessScope.type === 'cluster' || p.accessScope.type === 'namespace') &&
        isStringList(p.accessScope.namespaces),
    )
  );
}

type StateShape = 'trust' | 'provider' | 'access-entry' | 'null';

const SHAPE_CHECK: Readonly<Record<StateShape, (value: unknown) => boolean>> = {
  trust: isTrustDocument,
  provider: isProviderState,
  'access-entry': isAccessEntryState,
  null: (value) => value === null,
};

/** The shapes each action's `before` and `after` may take: the union above, as data a stored plan is checked with. */
const CHANGE_SHAPES: Readonly<Record<PlanAction, { before: readonly StateShape[]; after: readonly StateShape[] }>> = {
  'update-trust-policy': { before: ['trust'], after: ['trust', 'null'] },
  'create-oidc-provider': { before: ['null'], after: ['provider'] },
  'add-client-id': { before: ['provider'], after: ['provider'] },
  'update-thumbprint': { before: ['provider'], after: ['provider'] },
  'delete-oidc-provider': { before: ['provider'], after: ['null'] },
  'update-service-account': { before: ['null'], after: ['null'] },
  'create-access-entry': { before: ['null'], after: ['access-entry'] },
};

const isPlanAction = (value: unknown): value is PlanAction =>
  typeof value === 'string' && Object.hasOwn(CHANGE_SHAPES, value);

/**
 * What is wrong with a plan read back from storage, as its action's member of the union: an unknown action, or a
 * `before`/`after` of another shape (empty when it fits).
 */
export function planChangeProblems(plan: unknown): string[] {
  if (!isTrustDocument(plan)) return ['not an object'];
  const { action } = plan;
  if (!isPlanAction(action)) return [`action ${JSON.stringify(action)} is not one of ${PLAN_ACTIONS.join(', ')}`];
  const shapes = CHANGE_SHAPES[action];
  return (['before', 'after'] as const).flatMap((side) =>
    shapes[side].some((shape) => SHAPE_CHECK[shape](plan[side]))
      ? []
      : [`${side} of a ${action} plan must be ${shapes[side].join(' or ')}`],
  );
}
