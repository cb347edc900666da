/**
 * The IAM each fix action needs, declared once, as data. The writers' registry (lambdas/adapters/fix-actions/)
 * carries each action's declaration, and the remediator role's statements (infra/stacks/member-roles-stack.ts) are
 * derived from all of them, so an action cannot be written without its IAM, nor IAM granted for no action. It lives
 * here, pure, because the CDK app imports it: the action modules themselves import the AWS SDK.
 *
 * The keys are the actions the workflow applies: the only ones auto-apply may name (infra/config.ts, shared/env.ts).
 * Propose-only actions (delete-oidc-provider, update-service-account) have none: nothing ever writes them.
 */
import { PLAN_ACTIONS, type PlanAction } from './plan/plan-model';

/**
 * Where a grant applies; the member stack turns each into resources and conditions (remediation-scope.ts):
 * - `any-role`, `any-oidc-provider`: every role / OIDC provider of the account (reads only);
 * - `remediable-roles`: roles in the remediation scope (opt-in tag, path or all roles), protected roles denied;
 * - `eks-oidc-providers`: providers of EKS issuers only (EKS_PROVIDER_PATTERNS);
 * - `new-eks-oidc-providers-with-plan-tag`: EKS providers, only with the plan-id tag as the request's sole tag;
 * - `eks-oidc-providers-with-plan-tag`: EKS providers that carry the plan-id tag (ones the workflow created);
 * - `clusters-scanner-entry-only`: any EKS cluster of the account, only for an access entry whose principal is the
 *   member scanner role (eks:principalArn), of type STANDARD, with no Kubernetes groups, username or tags;
 * - `scanner-access-entry`: the scanner role's access entries only (resource ARN and eks:principalArn);
 * - `scanner-access-entry-view-policy`: on those, only AmazonEKSViewPolicy (eks:policyArn) at cluster scope
 *   (eks:accessScope).
 */
export type IamScope =
  | 'any-role'
  | 'remediable-roles'
  | 'any-oidc-provider'
  | 'new-eks-oidc-providers-with-plan-tag'
  | 'eks-oidc-providers'
  | 'eks-oidc-providers-with-plan-tag'
  | 'clusters-scanner-entry-only'
  | 'scanner-access-entry'
  | 'scanner-access-entry-view-policy';

/** The order the member stack writes its statements in (reads before writes). */
export const IAM_SCOPES: readonly IamScope[] = [
  'any-role',
  'remediable-roles',
  'any-oidc-provider',
  'new-eks-oidc-providers-with-plan-tag',
  'eks-oidc-providers',
  'eks-oidc-providers-with-plan-tag',
  'scanner-access-entry',
  'clusters-scanner-entry-only',
  'scanner-access-entry-view-policy',
];

export interface IamGrant {
  readonly actions: readonly string[];
  readonly on: IamScope;
}

export interface FixActionIam {
  /** The writer's reads: the drift guard, the read-back, the audit reconciler (remediator role). */
  readonly read: readonly IamGrant[];
  /** The drift-guarded write. */
  readonly apply: readonly IamGrant[];
  /** The guarded undo of an applied change. */
  readonly rollback: readonly IamGrant[];
  /** What the verify step re-reads, with the scanner role (it must be within the scanner's actions). */
  readonly verify: readonly string[];
}

const READ_ROLE: IamGrant = { actions: ['iam:GetRole'], on: 'any-role' };
const READ_PROVIDER: IamGrant = { actions: ['iam:GetOpenIDConnectProvider'], on: 'any-oidc-provider' };
/** A provider rollback puts the replaced state back whole: client ids it lacked removed, its thumbprints restored. */
const RESTORE_PROVIDER: IamGrant = {
  actions: ['iam:RemoveClientIDFromOpenIDConnectProvider', 'iam:UpdateOpenIDConnectProviderThumbprint'],
  on: 'eks-oidc-providers',
};

/** The IAM of every action the workflow applies. */
export const FIX_ACTION_IAM = {
  'update-trust-policy': {
    read: [READ_ROLE],
    apply: [{ actions: ['iam:UpdateAssumeRolePolicy'], on: 'remediable-roles' }],
    rollback: [{ actions: ['iam:UpdateAssumeRolePolicy'], on: 'remediable-roles' }],
    verify: ['iam:GetRole'],
  },
  'create-oidc-provider': {
    read: [READ_PROVIDER],
    apply: [
      {
        actions: ['iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider'],
        on: 'new-eks-oidc-providers-with-plan-tag',
      },
    ],
    rollback: [{ actions: ['iam:DeleteOpenIDConnectProvider'], on: 'eks-oidc-providers-with-plan-tag' }],
    verify: ['iam:GetOpenIDConnectProvider'],
  },
  'add-client-id': {
    read: [READ_PROVIDER],
    apply: [{ actions: ['iam:AddClientIDToOpenIDConnectProvider'], on: 'eks-oidc-providers' }],
    rollback: [RESTORE_PROVIDER],
    verify: ['iam:GetOpenIDConnectProvider'],
  },
  'update-thumbprint': {
    read: [READ_PROVIDER],
    apply: [{ actions: ['iam:UpdateOpenIDConnectProviderThumbprint'], on: 'eks-oidc-providers' }],
    rollback: [RESTORE_PROVIDER],
    verify: ['iam:GetOpenIDConnectProvider'],
  },
  'create-access-entry': {
    read: [{ actions: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'], on: 'scanner-access-entry' }],
    apply: [
      { actions: ['eks:CreateAccessEntry'], on: 'clusters-scanner-entry-only' },
      { actions: ['eks:AssociateAccessPolicy'], on: 'scanner-access-entry-view-policy' },
    ],
    // Deleting the entry removes its policy associations with it.
    rollback: [{ actions: ['eks:DeleteAccessEntry'], on: 'scanner-access-entry' }],
    verify: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'],
  },
} as const satisfies Partial<Record<PlanAction, FixActionIam>>;

/** An action the workflow applies (and may auto-apply when configured). */
export type AppliedAction = keyof typeof FIX_ACTION_IAM;

export function isAppliedAction(action: string): action is AppliedAction {
  return Object.hasOwn(FIX_ACTION_IAM, action);
}

/** Every applied action, in PLAN_ACTIONS order. */
export const APPLIED_ACTIONS: readonly AppliedAction[] = PLAN_ACTIONS.filter(isAppliedAction);

/** Every grant of every applied action (read, apply, rollback), in IAM_SCOPES order, actions deduplicated. */
export function remediatorGrants(): Array<{ readonly on: IamScope; readonly actions: readonly string[] }> {
  const grants = APPLIED_ACTIONS.flatMap((a): readonly IamGrant[] => {
    const iam: FixActionIam = FIX_ACTION_IAM[a];
    return [...iam.read, ...iam.apply, ...iam.rollback];
  });
  return IAM_SCOPES.map((on) => ({
    on,
    actions: [...new Set(grants.filter((g) => g.on === on).flatMap((g) => g.actions))],
  })).filter((g) => g.actions.length > 0);
}

/** The actions granted on one scope (empty when none). */
export function remediatorActionsOn(on: IamScope): readonly string[] {
  return remediatorGrants().find((g) => g.on === on)?.actions ?? [];
}
