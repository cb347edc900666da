import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from './hub-stack';

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
] as const;

/**
 * What the remediator may call: rewrite role trust policies, create or amend OIDC providers, and undo its own
 * changes (remove a client id it added; delete only providers it created, by tag).
 */
export const REMEDIATOR_ROLE_ACTIONS = ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'] as const;
export const REMEDIATOR_PROVIDER_ACTIONS = [
  'iam:GetOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
  'iam:TagOpenIDConnectProvider',
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:UpdateOpenIDConnectProviderThumbprint',
] as const;
/** The tag the apply step puts on every provider it creates (lambdas/adapters/apply-plan.ts, PLAN_TAG). */
export const PLAN_ID_TAG = 'irsa-doctor:plan-id';
/** Allowed only on providers that carry PLAN_ID_TAG: rolling back a provider the workflow created. */
export const REMEDIATOR_TAGGED_PROVIDER_ACTIONS = ['iam:DeleteOpenIDConnectProvider'] as const;

/** The role AWS Organizations creates in member accounts for administrators; its trust is never rewritten. */
export const ORGANIZATION_ACCESS_ROLE_NAME = 'OrganizationAccountAccessRole';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface MemberRolesStackProps extends StackProps {
  /** The hub account; the roles trust its reader and writer roles only. */
  readonly hubAccountId: string;
  /** Name of the read-only role (the hub assumes it by name in every account). */
  readonly scannerRoleName: string;
  /** Name of the write role. */
  readonly remediatorRoleName: string;
  /** Required as sts:ExternalId by both roles. @default - no external id condition */
  readonly externalId?: string;
}

/**
 * The roles IRSA Doctor uses in each swept account, the hub account included (the workflow always assumes them).
 * Global (IAM), deployed once per account, e.g. as a service-managed StackSet; the hub stack must exist first, as
 * IAM checks that a trusted role ARN exists.
 *
 * - ScannerRole: read-only, trusted only by the hub's IrsaDoctorHubReader.
 * - RemediatorRole: trust-policy and OIDC-provider writes, trusted only by the hub's IrsaDoctorHubWriter; it may not
 *   rewrite its own trust, the scanner's, the hub roles' or OrganizationAccountAccessRole's, and it deletes only
 *   providers it created, by tag (rollback).
 */
export class MemberRolesStack extends Stack {
  readonly scannerRole: iam.Role;
  readonly remediatorRole: iam.Role;

  constructor(scope: Construct, id: string, props: MemberRolesStackProps) {
    super(scope, id, props);
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
    );

    // ---- RemediatorRole: narrow writes ---------------------------------------------------------------------------
    const protectedRoles = [
      props.scannerRoleName,
      props.remediatorRoleName,
      ORGANIZATION_ACCESS_ROLE_NAME,
      HUB_READER_ROLE_NAME,
      HUB_WRITER_ROLE_NAME,
    ];
    this.remediatorRole = new iam.Role(this, 'RemediatorRole', {
      roleName: props.remediatorRoleName,
      description: 'IRSA Doctor: fix IRSA trust policies and OIDC providers (assumed by the hub writer)',
      assumedBy: new iam.ArnPrincipal(hubRole(HUB_WRITER_ROLE_NAME)),
      ...(externalIds ? { externalIds } : {}),
      inlinePolicies: {
        RepairIrsa: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'RewriteRoleTrust',
              actions: [...REMEDIATOR_ROLE_ACTIONS],
              resources: [localArn('role/*')],
            }),
            new iam.PolicyStatement({
              sid: 'RepairOidcProviders',
              actions: [...REMEDIATOR_PROVIDER_ACTIONS],
              resources: [localArn('oidc-provider/*')],
            }),
            new iam.PolicyStatement({
              sid: 'DeleteOwnOidcProviders',
              actions: [...REMEDIATOR_TAGGED_PROVIDER_ACTIONS],
              resources: [localArn('oidc-provider/*')],
              conditions: { Null: { [`aws:ResourceTag/${PLAN_ID_TAG}`]: 'false' } },
            }),
            new iam.PolicyStatement({
              sid: 'NeverRewriteAccessRoleTrust',
              effect: iam.Effect.DENY,
              actions: ['iam:UpdateAssumeRolePolicy'],
              resources: protectedRoles.map((name) => localArn(`role/${name}`)),
            }),
          ],
        }),
      },
    });
    Validations.of(this.remediatorRole).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
        reason:
          'Broken IRSA trust policies may be on any role of this account (found at run time); each change is planned, ' +
          'approved and drift-checked, and an explicit Deny keeps the access roles (scanner, remediator, hub, ' +
          'OrganizationAccountAccessRole) out of reach.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:oidc-provider/*]',
        reason:
          'OIDC providers are named by their cluster issuer URLs, known only at run time; create, tag, add or remove a ' +
          `client id, update thumbprints, and delete only providers it created (tagged ${PLAN_ID_TAG}), for rollback.`,
      },
    );
  }
}
