/** The errors pods see and the documents rules cite, shared by the rule files. */

export const ACCESS_DENIED =
  'WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\n\tstatus code: 403';
export const NO_PROVIDER =
  'WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for {issuer}\n\tstatus code: 400';

export const DOC = {
  troubleshootIrsa: 'https://repost.aws/knowledge-center/eks-troubleshoot-oidc-and-irsa',
  irsaErrors: 'https://repost.aws/knowledge-center/eks-troubleshoot-irsa-errors',
  invalidToken: 'https://repost.aws/knowledge-center/eks-error-invalid-identity-token',
  enableIrsa: 'https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html',
  associate: 'https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html',
  crossAccount: 'https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html',
  thumbprint: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc_verify-thumbprint.html',
  quotas: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  conditionOps: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  wifKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html',
  idpFed: 'https://repost.aws/knowledge-center/iam-oidc-idp-federation',
  lbcWebIdentity: 'https://repost.aws/knowledge-center/eks-load-balancer-webidentityerr',
  podIdRole: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html',
  podId: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html',
  addonIam: 'https://docs.aws.amazon.com/eks/latest/userguide/add-ons-iam.html',
  policyGrammar: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
  webhook: 'https://github.com/aws/amazon-eks-pod-identity-webhook#readme',
  webhookHandler: 'https://github.com/aws/amazon-eks-pod-identity-webhook/blob/master/pkg/handler/handler.go',
  irsaTechnical:
    'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts-technical-overview.html',
  irsaMinimumSdk: 'https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts-minimum-sdk.html',
  stsEndpoint: 'https://docs.aws.amazon.com/eks/latest/userguide/configure-sts-endpoint.html',
  stsRegions: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html',
  podConfiguration: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html',
  sdkCredentialChain: 'https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html',
  podIdHow: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html',
  configureServiceAccounts: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/',
} as const;

/** What a pod sees when it is not using IRSA: the node role's credentials, or none at all. */
export const NODE_ROLE_FALLBACK =
  'User: arn:aws:sts::<account>:assumed-role/<node instance role>/i-<instance> is not authorized to perform: <action> (the SDK fell back to the node role), or NoCredentialProviders: no valid providers in chain';
