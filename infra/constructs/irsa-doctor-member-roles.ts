import { Aws, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { type IamScope, remediatorActionsOn, remediatorGrants } from '../../lambdas/domain/fix-action-iam';
import {
  EKS_PROVIDER_PATTERNS,
  OPT_IN_TAG,
  OPT_IN_VALUE,
  PLAN_ID_TAG as PLAN_ID_TAG_NAME,
  PROTECTED_TAG,
  type RemediationMode,
  type RemediationScope,
  roleScopeStatements,
} from '../../lambdas/domain/remediation-scope';
import { DEFAULT_CONFIG } from '../config';
import { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from './hub-names';

/** What the scanner may call, and nothing else: reads only. */
export const SCANNER_ACTIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:ListOpenIDConnectProviders',
  'iam:GetOpenIDConnectProvider',
  'iam:GetRole',
  'eks:ListClusters',
  'eks:DescribeCluster',
  'eks:ListAddons',
  'eks:DescribeAddon',
  'eks:DescribeAddonConfiguration',
  'eks:ListPodIdentityAssociations',
  'eks:DescribePodIdentityAssociation',
  // The verify step of create-access-entry re-reads the scanner's own access entry.
  'eks:DescribeAccessEntry',
  'eks:ListAssociatedAccessPolicies',
] as const;

/**
 * What the remediator may call: rewrite the trust policy of roles in its scope, create or repair EKS OIDC providers,
 * and undo its own changes (remove a client id it added; delete only providers it created, by tag). Derived from the
 * fix actions' IAM declarations (lambdas/domain/fix-action-iam.ts); its scope is declared once, in
 * lambdas/domain/remediation-scope.ts.
 */
export const REMEDIATOR_ROLE_ACTIONS = [
  ...remediatorActionsOn('any-role'),
  ...remediatorActionsOn('remediable-roles'),
] as const;
/** Allowed on EKS providers only, and only with the plan-id tag as the sole tag of the request. */
export const REMEDIATOR_CREATE_PROVIDER_ACTIONS = remediatorActionsOn('new-eks-oidc-providers-with-plan-tag');
/** Allowed on EKS providers only. */
export const REMEDIATOR_REPAIR_PROVIDER_ACTIONS = remediatorActionsOn('eks-oidc-providers');
/** Allowed only on EKS providers that carry PLAN_ID_TAG: rolling back a provider the workflow created. */
export const REMEDIATOR_TAGGED_PROVIDER_ACTIONS = remediatorActionsOn('eks-oidc-providers-with-plan-tag');
/** Every action the remediator may ever perform; an explicit Deny covers everything else. */
export const REMEDIATOR_ACTIONS: readonly string[] = remediatorGrants().flatMap((g) => g.actions);
/** The tag the apply step puts on every provider it creates (lambdas/adapters/fix-actions/create-oidc-provider.ts). */
export const PLAN_ID_TAG = PLAN_ID_TAG_NAME;

/** The role AWS Organizations creates in member accounts for administrators; its trust is never rewritten. */
export const ORGANIZATION_ACCESS_ROLE_NAME = 'OrganizationAccountAccessRole';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface IrsaDoctorMemberRolesProps {
  /** The hub account (12 digits); the roles trust its reader and writer roles only. */
  readonly hubAccountId: string;
  /**
   * Name of the read-only role (the hub assumes it by name in every account): the hub's `scannerRoleName`.
   * @default 'IrsaDoctorScanner'
   */
  readonly scannerRoleName?: string;
  /** Name of the write role: the hub's `remediatorRoleName`. @default 'IrsaDoctorRemediator' */
  readonly remediatorRoleName?: string;
  /** Required as sts:ExternalId by both roles. @default - no external id condition */
  readonly externalId?: string;
  /**
   * Which roles the remediator may rewrite (lambdas/domain/remediation-scope.ts; infra/config.ts `remediableRoles`,
   * `remediablePaths`). The protected roles are denied in every mode.
   * @default { mode: 'tagged', paths: [] }
   */
  readonly remediableRoles?: { readonly mode: RemediationMode; readonly paths?: readonly string[] };
}

/**
 * The roles IRSA Doctor uses in each swept account, the hub account included (the workflow always assumes them).
 * Global (IAM), once per account; the hub must exist first, as IAM checks that a trusted role ARN exists. The
 * repository's MemberRolesStack holds one, synthesized without CDK bootstrap references (for StackSets).
 *
 * - ScannerRole: read-only, trusted only by the hub's IrsaDoctorHubReader.
 * - RemediatorRole: trust-policy and OIDC-provider writes, trusted only by the hub's IrsaDoctorHubWriter. IAM scopes
 *   it (lambdas/domain/remediation-scope.ts): trust rewrites only on roles opted in (tag, path, or all-roles), never on
 *   the built-in, landing-zone or IRSA Doctor roles or roles tagged irsa-doctor:protected (explicit Deny); provider
 *   writes only on EKS issuers, tags only the plan-id tag and never on a provider that already has one, deletes only
 *   providers carrying it (rollback).
 * - Both: an explicit Deny of every action but their own, so a policy attached later cannot widen them.
 */
export class IrsaDoctorMemberRoles extends Construct {
  readonly scannerRole: iam.Role;
  readonly remediatorRole: iam.Role;
  /** The remediator's scope, as the IAM statements were derived from it (pass it to `roleInRemediationScope`). */
  readonly remediationScope: RemediationScope;

  constructor(scope: Construct, id: string, memberProps: IrsaDoctorMemberRolesProps) {
    super(scope, id);
    const props = validatedProps(memberProps);
    const externalIds = props.externalId ? [props.externalId] : undefined;
    const hubRole = (name: string) => `arn:${Aws.PARTITION}:iam::${props.hubAccountId}:role/${name}`;
    const localArn = (resource: string) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:${resource}`;
    const eksArn = (resource: string) => `arn:${Aws.PARTITION}:eks:*:${Aws.ACCOUNT_ID}:${resource}`;

    // ---- ScannerRole: read only ---------------------------------------------------------------------------------
    this.scannerRole = new iam.Role(this, 'ScannerRole', {
      roleName: props.scannerRoleName,
      description: 'IRSA Doctor: read IAM roles, OIDC providers and EKS clusters (assumed by the hub reader)',
      assumedBy: new iam.ArnPrincipal(hubRole(HUB_READER_ROLE_NAME)),
      ...(externalIds ? { externalIds } : {}),
      inlinePolicies: {
        ReadIrsaConfiguration: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'UnscopableReads',
              actions: [
                'iam:GetAccountAuthorizationDetails',
                'iam:ListOpenIDConnectProviders',
                'eks:ListClusters',
                'eks:DescribeAddonConfiguration',
              ],
              resources: ['*'],
            }),
            new iam.PolicyStatement({
              sid: 'ReadRoles',
              actions: ['iam:GetRole'],
              resources: [localArn('role/*')],
            }),
            new iam.PolicyStatement({
              sid: 'ReadOidcProviders',
              actions: ['iam:GetOpenIDConnectProvider'],
              resources: [localArn('oidc-provider/*')],
            }),
            new iam.PolicyStatement({
              sid: 'ReadClusters',
              actions: ['eks:DescribeCluster', 'eks:ListAddons', 'eks:ListPodIdentityAssociations'],
              resources: [eksArn('cluster/*')],
            }),
            new iam.PolicyStatement({
              sid: 'ReadAddons',
              actions: ['eks:DescribeAddon'],
              resources: [eksArn('addon/*')],
            }),
            new iam.PolicyStatement({
              sid: 'ReadPodIdentityAssociations',
              actions: ['eks:DescribePodIdentityAssociation'],
              resources: [eksArn('podidentityassociation/*')],
            }),
            new iam.PolicyStatement({
              sid: 'ReadOwnAccessEntries',
              actions: ['eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'],
              resources: [eksArn(`access-entry/*/role/${Aws.ACCOUNT_ID}/${props.scannerRoleName}/*`)],
            }),
            new iam.PolicyStatement({
              sid: 'NothingElseEver',
              effect: iam.Effect.DENY,
              notActions: [...SCANNER_ACTIONS],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    Validations.of(this.scannerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for iam:GetAccountAuthorizationDetails, iam:ListOpenIDConnectProviders, eks:ListClusters ' +
          'and eks:DescribeAddonConfiguration, which support no resource-level permissions; all are reads.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'iam:GetRole (a read) on any role of this account: the sweep reads every role that trusts an OIDC issuer.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
        reason: 'iam:GetOpenIDConnectProvider (a read) on any OIDC provider of this account, listed at run time.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
        reason: 'EKS reads on every cluster of this account in every swept region; clusters are listed at run time.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:addon/*]',
        reason: 'eks:DescribeAddon (a read) on the add-ons of this account, listed at run time.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:podidentityassociation/*]',
        reason: 'eks:DescribePodIdentityAssociation (a read) on the associations of this account, listed at run time.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:access-entry/*/role/<AWS::AccountId>/${props.scannerRoleName}/*]`,
        reason:
          "eks:DescribeAccessEntry and eks:ListAssociatedAccessPolicies (reads) on this role's own access entries, on any cluster (the verify step of create-access-entry).",
      },
    );

    // ---- RemediatorRole: narrow writes, scoped by IAM ------------------------------------------------------------
    this.remediationScope = {
      mode: props.remediableRoles?.mode ?? 'tagged',
      paths: props.remediableRoles?.paths ?? [],
      ownRoleNames: [props.scannerRoleName, props.remediatorRoleName, HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME],
    };
    const roleScope = roleScopeStatements(this.remediationScope);
    const statements = remediatorStatements(this.remediationScope, localArn, {
      eksArn,
      scannerArn: localArn(`role/${props.scannerRoleName}`),
      scannerEntries: eksArn(`access-entry/*/role/${Aws.ACCOUNT_ID}/${props.scannerRoleName}/*`),
    });
    this.remediatorRole = new iam.Role(this, 'RemediatorRole', {
      roleName: props.remediatorRoleName,
      description: 'IRSA Doctor: fix IRSA trust policies and OIDC providers (assumed by the hub writer)',
      assumedBy: new iam.ArnPrincipal(hubRole(HUB_WRITER_ROLE_NAME)),
      ...(externalIds ? { externalIds } : {}),
      inlinePolicies: { RepairIrsa: new iam.PolicyDocument({ statements }) },
    });
    Validations.of(this.remediatorRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'iam:GetRole (a read) on any role; iam:UpdateAssumeRolePolicy only on roles the operator opted in ' +
          `(tag ${OPT_IN_TAG}=${OPT_IN_VALUE}, a path, or every role with remediableRoles all-roles), and an explicit ` +
          `Deny keeps the built-in, landing-zone, IRSA Doctor and ${PROTECTED_TAG}-tagged roles out of reach.`,
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
        reason: 'iam:GetOpenIDConnectProvider (a read) on any OIDC provider of this account, listed at run time.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:cluster/*]',
        reason:
          'eks:CreateAccessEntry on any cluster of this account (clusters are found at run time), only for the scanner role as principal (eks:principalArn), type STANDARD, without Kubernetes groups, username or tags.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:*:<AWS::AccountId>:access-entry/*/role/<AWS::AccountId>/${props.scannerRoleName}/*]`,
        reason:
          "The scanner role's own access entries only (resource and eks:principalArn): read, delete (rollback), and associate AmazonEKSViewPolicy at cluster scope only (eks:policyArn, eks:accessScope).",
      },
      ...EKS_PROVIDER_PATTERNS.map((p) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/${p}]`,
        reason:
          'EKS OIDC providers are named by cluster issuer URLs known only at run time; only EKS issuers, create and tag ' +
          `only with the ${PLAN_ID_TAG} tag alone, delete only providers carrying it.`,
      })),
      ...(this.remediationScope.mode === 'path' || this.remediationScope.mode === 'tagged-or-path'
        ? roleScope.allowOn.map((p) => ({
            id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${p}]`,
            reason: `iam:UpdateAssumeRolePolicy on the roles under a path the operator opted in (remediablePaths), minus the protected roles.`,
          }))
        : []),
    );
    // IRSA Doctor's own roles carry the protected tag as well as a protected name.
    Tags.of(this.scannerRole).add(PROTECTED_TAG, 'true');
    Tags.of(this.remediatorRole).add(PROTECTED_TAG, 'true');
  }
}

/** The props with the role names defaulted, checked; a bad value throws an error naming the prop. */
function validatedProps(
  memberProps: IrsaDoctorMemberRolesProps,
): IrsaDoctorMemberRolesProps & { readonly scannerRoleName: string; readonly remediatorRoleName: string } {
  const props = {
    ...memberProps,
    scannerRoleName: memberProps.scannerRoleName ?? DEFAULT_CONFIG.scannerRoleName,
    remediatorRoleName: memberProps.remediatorRoleName ?? DEFAULT_CONFIG.remediatorRoleName,
  };
  if (!ACCOUNT_ID.test(props.hubAccountId)) {
    throw new Error(`hubAccountId must be a 12-digit account id, got ${JSON.stringify(props.hubAccountId)}`);
  }
  for (const field of ['scannerRoleName', 'remediatorRoleName'] as const) {
    if (!ROLE_NAME.test(props[field])) {
      throw new Error(`${field} must be an IAM role name, got ${JSON.stringify(props[field])}`);
    }
  }
  if (props.scannerRoleName === props.remediatorRoleName) {
    throw new Error(`scannerRoleName and remediatorRoleName must differ, both are "${props.scannerRoleName}"`);
  }
  if (props.externalId !== undefined && props.externalId.length < 2) {
    throw new Error('externalId must be at least 2 characters when given');
  }
  return props;
}

/**
 * The remediator's statements: one Allow per IAM scope the fix actions declare (lambdas/domain/fix-action-iam.ts),
 * with that scope's resources and conditions, then the Denies (protected roles, re-tagging owned providers,
 * everything but REMEDIATOR_ACTIONS).
 */
function remediatorStatements(
  scope: RemediationScope,
  localArn: (resource: string) => string,
  eks: {
    readonly eksArn: (resource: string) => string;
    /** The member scanner role: the only principal the remediator may give cluster access to. */
    readonly scannerArn: string;
    /** The scanner role's access entries on any cluster of the account. */
    readonly scannerEntries: string;
  },
): iam.PolicyStatement[] {
  const roleScope = roleScopeStatements(scope);
  const roleArns = (patterns: readonly string[]) => patterns.map((p) => localArn(`role/${p}`));
  const eksProviders = EKS_PROVIDER_PATTERNS.map((p) => localArn(`oidc-provider/${p}`));
  const rewrites = remediatorActionsOn('remediable-roles');
  const allow = (sid: string, actions: readonly string[], resources: string[], conditions?: iam.Conditions) =>
    new iam.PolicyStatement({ sid, actions: [...actions], resources, ...(conditions ? { conditions } : {}) });
  const byScope: Record<IamScope, (actions: readonly string[]) => iam.PolicyStatement[]> = {
    'any-role': (actions) => [allow('ReadRoles', actions, [localArn('role/*')])],
    'remediable-roles': (actions) => [
      ...(roleScope.allowTaggedOn.length > 0
        ? [
            allow('RewriteTrustOfOptedInRoles', actions, roleArns(roleScope.allowTaggedOn), {
              StringEquals: { [`aws:ResourceTag/${OPT_IN_TAG}`]: OPT_IN_VALUE },
            }),
          ]
        : []),
      ...(roleScope.allowOn.length > 0
        ? [
            allow(
              scope.mode === 'all-roles' ? 'RewriteTrustOfAnyRole' : 'RewriteTrustOfOptedInPaths',
              actions,
              roleArns(roleScope.allowOn),
            ),
          ]
        : []),
    ],
    'any-oidc-provider': (actions) => [allow('ReadOidcProviders', actions, [localArn('oidc-provider/*')])],
    'new-eks-oidc-providers-with-plan-tag': (actions) => [
      allow('CreateEksOidcProvidersWithPlanTag', actions, eksProviders, {
        Null: { [`aws:RequestTag/${PLAN_ID_TAG}`]: 'false' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [PLAN_ID_TAG] },
      }),
    ],
    'eks-oidc-providers': (actions) => [allow('RepairEksOidcProviders', actions, eksProviders)],
    'eks-oidc-providers-with-plan-tag': (actions) => [
      allow('DeleteOwnOidcProviders', actions, eksProviders, { Null: { [`aws:ResourceTag/${PLAN_ID_TAG}`]: 'false' } }),
    ],
    // Cluster access for the scanner role only: a STANDARD entry without groups, username or tags, then only the
    // view policy at cluster scope on it; reads and the rollback's delete on the scanner's own entries only.
    'scanner-access-entry': (actions) => [
      allow('ScannerAccessEntryOnly', actions, [eks.scannerEntries], {
        StringEquals: { 'eks:principalArn': eks.scannerArn },
      }),
    ],
    'clusters-scanner-entry-only': (actions) => [
      allow('CreateScannerAccessEntryOnly', actions, [eks.eksArn('cluster/*')], {
        StringEquals: { 'eks:principalArn': eks.scannerArn, 'eks:accessEntryType': 'STANDARD' },
        Null: { 'eks:kubernetesGroups': 'true', 'eks:username': 'true', 'aws:TagKeys': 'true' },
      }),
    ],
    'scanner-access-entry-view-policy': (actions) => [
      allow('AssociateViewPolicyOnly', actions, [eks.scannerEntries], {
        StringEquals: {
          'eks:principalArn': eks.scannerArn,
          'eks:policyArn': `arn:${Aws.PARTITION}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`,
          'eks:accessScope': 'cluster',
        },
      }),
    ],
  };
  const deny = (sid: string, props: Omit<iam.PolicyStatementProps, 'sid' | 'effect'>) =>
    new iam.PolicyStatement({ sid, effect: iam.Effect.DENY, ...props });
  return [
    ...remediatorGrants().flatMap((g) => byScope[g.on](g.actions)),
    deny('NeverRewriteProtectedRoles', { actions: [...rewrites], resources: roleArns(roleScope.denyOn) }),
    deny('NeverRewriteRolesTaggedProtected', {
      actions: [...rewrites],
      resources: [localArn('role/*')],
      conditions: { Null: { [`aws:ResourceTag/${roleScope.denyTaggedWith}`]: 'false' } },
    }),
    deny('NeverRetagOwnedProviders', {
      actions: ['iam:TagOpenIDConnectProvider'],
      resources: [localArn('oidc-provider/*')],
      conditions: { Null: { [`aws:ResourceTag/${PLAN_ID_TAG}`]: 'false' } },
    }),
    deny('NothingElseEver', { notActions: [...REMEDIATOR_ACTIONS], resources: ['*'] }),
  ];
}
