import type { Severity } from '../finding';
import type { RuleEvidence } from './evidence';

/**
 * Every rule IRSA Doctor checks, with the text a person needs: what it means, what the pod sees, what fixes it.
 * Ids IRSA-0xx and PI-0xx follow the team's failure-mode catalog; DOC-0xx (unreadable or invalid documents)
 * and SWEEP-0xx (collection gaps) are this tool's own.
 */
export interface RuleMeta<R extends string = RuleId> {
  readonly id: R;
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
  /** Template of the error a pod sees; `{issuer}` is replaced with the cluster's issuer URL. */
  readonly podError?: string;
  readonly remediation: string;
  readonly references: readonly string[];
}

const ACCESS_DENIED =
  'WebIdentityErr: failed to retrieve credentials\ncaused by: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity\n\tstatus code: 403';
const NO_PROVIDER =
  'WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: No OpenIDConnect provider found in your account for {issuer}\n\tstatus code: 400';

const DOC = {
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
} as const;

const RULES = [
  {
    id: 'IRSA-001',
    severity: 'critical',
    title: 'No IAM OIDC provider for the cluster issuer',
    explanation:
      'STS accepts a pod token only when the account that owns the role has an IAM OIDC provider registered for the exact issuer URL of the cluster. Without it, every IRSA workload that uses a role in this account fails.',
    podError: NO_PROVIDER,
    remediation:
      'Create the provider: CreateOpenIDConnectProvider(Url=<issuer>, ClientIDList=["sts.amazonaws.com"]), omitting ThumbprintList so IAM fetches it. If the provider does exist, suspect the SDK calling the wrong partition or region (IRSA-040).',
    references: [DOC.enableIrsa, DOC.troubleshootIrsa],
  },
  {
    id: 'IRSA-002',
    severity: 'high',
    title: 'Role trusts an OIDC provider in another account',
    explanation:
      "The OIDC identity provider and the role must be in the same account. A Federated principal naming another account's provider never matches a token: STS looks the provider up in the role's own account.",
    podError: NO_PROVIDER,
    remediation:
      "Create a provider for the same issuer URL in the role's account and point the Federated principal at it, or chain from a role in the cluster's account.",
    references: [DOC.idpFed, DOC.crossAccount],
  },
  {
    id: 'IRSA-003',
    severity: 'critical',
    title: 'OIDC provider does not list the sts.amazonaws.com audience',
    explanation:
      "Pod tokens carry aud=sts.amazonaws.com in every partition (China included). STS refuses a token whose audience is not in the provider's ClientIDList.",
    podError:
      'An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience',
    remediation:
      'AddClientIDToOpenIDConnectProvider(ClientID="sts.amazonaws.com"). It is idempotent and keeps existing audiences; do not delete and recreate the provider.',
    references: [DOC.troubleshootIrsa, DOC.invalidToken],
  },
  {
    id: 'IRSA-004',
    severity: 'medium',
    title: 'OIDC provider thumbprints are stale, malformed or taken from the wrong certificate',
    explanation:
      "IAM verifies the issuer's TLS chain against its own trusted CAs and uses thumbprints only as a fallback (a chain it does not trust, or a TLS certificate it cannot retrieve). On EKS issuers, which use public certificates, a mismatch is normally harmless; where the fallback applies, a wrong thumbprint breaks every token.",
    podError:
      "WebIdentityErr: failed to retrieve credentials\ncaused by: InvalidIdentityToken: OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint",
    remediation:
      'UpdateOpenIDConnectProviderThumbprint with the complete list (it replaces, never merges): the SHA-1 of the top CA certificate the jwks_uri host serves, keeping current entries during a rotation, at most 5.',
    references: [DOC.thumbprint, DOC.invalidToken],
  },
  {
    id: 'IRSA-005',
    severity: 'low',
    title: 'Orphaned OIDC provider: no cluster has this issuer',
    explanation:
      'The provider names an EKS issuer that no scanned cluster has: the cluster was deleted or recreated. Orphans count toward the per-account provider quota, and roles that still trust them are broken.',
    remediation: 'Delete the provider after confirming no role trusts it (deletion always needs approval).',
    references: [DOC.enableIrsa, DOC.quotas],
  },
  {
    id: 'IRSA-006',
    severity: 'high',
    title: 'OIDC provider URL does not match the cluster issuer exactly',
    explanation:
      'The provider URL must equal the issuer without its https:// scheme: same host, region, id and case, no trailing slash, no port. A near-miss registers a provider that no token will ever match.',
    podError: NO_PROVIDER,
    remediation:
      'Create a provider with the exact issuer URL; leave the wrong one until no trust policy references it.',
    references: [DOC.enableIrsa, DOC.troubleshootIrsa],
  },
  {
    id: 'IRSA-007',
    severity: 'medium',
    title: 'OIDC provider quota nearly exhausted',
    explanation:
      'IAM allows 100 OIDC providers per account by default (adjustable). At the limit, creating a provider for a new cluster fails with LimitExceeded.',
    remediation:
      'Delete orphaned providers (IRSA-005), request a quota increase (Service Quotas iam L-858F3967), or move workloads to EKS Pod Identity, which needs no provider.',
    references: [DOC.quotas, DOC.podId],
  },
  {
    id: 'IRSA-010',
    severity: 'high',
    title: 'IRSA statement does not allow sts:AssumeRoleWithWebIdentity',
    explanation:
      'Pods call AssumeRoleWithWebIdentity. A statement that allows only sts:AssumeRole (or any other action) never matches their request.',
    podError: ACCESS_DENIED,
    remediation: 'Set or add the action sts:AssumeRoleWithWebIdentity in that statement.',
    references: [DOC.lbcWebIdentity, DOC.associate],
  },
  {
    id: 'IRSA-011',
    severity: 'high',
    title: 'IRSA statement uses the wrong principal type or value',
    explanation:
      'A web-identity request comes from a Federated principal: the provider ARN. Service or AWS principals, a bare issuer URL, a wildcard or an empty value never match it.',
    podError: ACCESS_DENIED,
    remediation: 'Set Principal to {"Federated": "<provider ARN of the cluster>"}.',
    references: [DOC.lbcWebIdentity, DOC.associate],
  },
  {
    id: 'IRSA-012',
    severity: 'critical',
    title: 'Federated principal names a provider that matches no cluster',
    explanation:
      'The provider ARN in the trust policy must name the issuer of the cluster the pods run on. A recreated cluster (new id), a copied region, the wrong partition or the host-order typo oidc.<region>.eks.amazonaws.com all leave the statement matching nothing.',
    podError: ACCESS_DENIED,
    remediation:
      'Replace the provider ARN and the condition-key prefixes together, in one UpdateAssumeRolePolicy, with those of the intended cluster.',
    references: [DOC.lbcWebIdentity, DOC.troubleshootIrsa],
  },
  {
    id: 'IRSA-013',
    severity: 'high',
    title: "Condition key prefix does not match the statement's provider",
    explanation:
      "Condition keys must start with the provider's issuer host and path (oidc.eks.<region>.amazonaws.com/id/<ID>). A key the request does not carry makes its condition false, so a wrong prefix (another id, the full ARN, an https:// scheme, a missing /id/) always denies.",
    podError: ACCESS_DENIED,
    remediation: "Rewrite the condition keys to the provider's host and path.",
    references: [DOC.conditionOps, DOC.lbcWebIdentity],
  },
  {
    id: 'IRSA-014',
    severity: 'high',
    title: 'Condition claim is misspelled or swapped',
    explanation:
      'The web-identity claims IAM knows are :sub, :aud, :amr and :azp. A misspelled claim is absent from every request, and a service-account subject under :aud (or the audience under :sub) can never match.',
    podError: ACCESS_DENIED,
    remediation: 'Use exactly <issuer>:sub for the service account and <issuer>:aud for sts.amazonaws.com.',
    references: [DOC.wifKeys, DOC.associate],
  },
  {
    id: 'IRSA-015',
    severity: 'high',
    title: 'Malformed :sub value',
    explanation:
      'The subject of a pod token is exactly system:serviceaccount:<namespace>:<name>, lower case, no spaces. A stray space (system:serviceaccount: kube-system:x), a missing prefix or upper case never matches under StringEquals.',
    podError: ACCESS_DENIED,
    remediation:
      'Write the subject as system:serviceaccount:<namespace>:<name>. When the intended service account is unclear, confirm it before changing the policy.',
    references: [DOC.associate, DOC.lbcWebIdentity],
  },
  {
    id: 'IRSA-016',
    severity: 'high',
    title: 'Trust policy does not allow the service account that uses the role',
    explanation:
      'A known workload (Kubernetes service account) uses this role, but the :sub condition names another namespace or service account, so its requests are denied.',
    podError: ACCESS_DENIED,
    remediation:
      "Add the workload's subject to the :sub values (values in one key are ORed); remove the old subject only once it is confirmed unused.",
    references: [DOC.lbcWebIdentity, DOC.associate],
  },
  {
    id: 'IRSA-017',
    severity: 'high',
    title: 'Wildcard under StringEquals',
    explanation:
      'StringEquals compares literally: a * or ? in its value is a character, not a wildcard, so nothing matches.',
    podError: ACCESS_DENIED,
    remediation: 'Move that key to StringLike, keeping :aud under StringEquals.',
    references: [DOC.conditionOps],
  },
  {
    id: 'IRSA-018',
    severity: 'critical',
    title: 'Over-broad trust: any service account can assume the role',
    explanation:
      'Without a :sub condition, or with a subject wildcard that spans namespaces, every pod in the cluster (and every cluster trusting the provider) can assume the role.',
    remediation:
      'Restrict :sub to the service accounts that need the role. When the snapshot shows workloads using the role on this cluster, the plan narrows :sub to exactly those: it only removes access (its proof checks that), but a workload the snapshot does not show loses access, so check the list before approving. When no workload is known, the list cannot be derived and the plan is left for a person to say which service accounts need the role.',
    references: [DOC.associate, DOC.webhook],
  },
  {
    id: 'IRSA-019',
    severity: 'low',
    title: 'No :aud condition',
    explanation:
      "STS checks the audience against the provider's ClientIDList anyway, so this is not a failure, but every reference policy pins <issuer>:aud to sts.amazonaws.com.",
    remediation: 'Add StringEquals <issuer>:aud = sts.amazonaws.com to the statement.',
    references: [DOC.associate],
  },
  {
    id: 'IRSA-020',
    severity: 'high',
    title: ':aud condition does not match the token audience',
    explanation:
      'Pod tokens carry aud=sts.amazonaws.com in every partition unless the service account sets eks.amazonaws.com/audience. Values like sts.amazonaws.com.cn or a regional STS hostname never match.',
    podError: ACCESS_DENIED,
    remediation: 'Set the :aud value to sts.amazonaws.com (or the audience the service account annotates).',
    references: [DOC.associate, DOC.webhook],
  },
  {
    id: 'IRSA-021',
    severity: 'critical',
    title: 'Several clusters merged into one statement',
    explanation:
      "All condition keys of a statement are ANDed and a key absent from the request is false. A token from cluster A never carries cluster B's keys, so a statement holding both clusters' keys (or listing both providers) denies every cluster.",
    podError: ACCESS_DENIED,
    remediation:
      'Give each cluster its own statement: its provider ARN as the Federated principal and its own :sub and :aud keys.',
    references: [DOC.lbcWebIdentity, DOC.conditionOps],
  },
  {
    id: 'IRSA-022',
    severity: 'medium',
    title: 'Duplicate keys in the trust policy',
    explanation:
      'The document repeats a JSON key (a condition key, or a whole operator block). JSON parsers keep only one of them, and which one IAM honours is not documented: part of what the author wrote is silently ignored.',
    remediation: 'Merge the repeated entries into one key with an array of values (values in one key are ORed).',
    references: [DOC.associate],
  },
  {
    id: 'IRSA-023',
    severity: 'medium',
    title: 'Trust policy at or near its size quota',
    explanation:
      'Role trust policies are limited to 2,048 characters by default (adjustable to 4,096). Near the limit, adding a statement for another cluster fails with LimitExceeded: Cannot exceed quota for ACLSizePerRole.',
    remediation:
      'Merge service accounts into one :sub array, request a quota increase (Service Quotas iam L-C07B4B0D, up to 4,096), or move the workload to EKS Pod Identity.',
    references: [DOC.quotas, DOC.podId],
  },
  {
    id: 'IRSA-024',
    severity: 'high',
    title: 'Something else in the trust policy denies the workload',
    explanation:
      "The statement for this cluster looks right, yet evaluation denies the request: an explicit Deny, or an extra condition the pod's request cannot meet.",
    podError: ACCESS_DENIED,
    remediation:
      'Review the deciding statement or condition shown in the evidence; this is reported, not fixed automatically.',
    references: [DOC.conditionOps, DOC.irsaErrors],
  },
  {
    id: 'IRSA-030',
    severity: 'high',
    title: 'Malformed role ARN on the service account',
    explanation:
      'The eks.amazonaws.com/role-arn annotation is not a valid role ARN. The webhook only logs this and injects it anyway, so the pod fails at AssumeRoleWithWebIdentity.',
    podError:
      'An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid',
    remediation: 'Fix the annotation (a Kubernetes change): arn:<partition>:iam::<12-digit account>:role/<name>.',
    references: [DOC.irsaErrors, DOC.webhook],
  },
  {
    id: 'IRSA-031',
    severity: 'high',
    title: 'Service account points at a role that is missing or does not trust its cluster',
    explanation:
      "The role named by the workload does not exist, or none of its statements trusts this cluster's provider.",
    podError: ACCESS_DENIED,
    remediation:
      'Add a statement for this cluster to the role (one statement per cluster), or point the service account at the right role.',
    references: [DOC.associate, DOC.irsaErrors],
  },
  {
    id: 'IRSA-036',
    severity: 'high',
    title: 'Custom token audience not honoured in IAM',
    explanation:
      "The service account sets eks.amazonaws.com/audience, so its tokens carry that audience; the provider's ClientIDList and the :aud condition must carry it too.",
    podError:
      'An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience',
    remediation: 'AddClientIDToOpenIDConnectProvider(<audience>) and align the :aud condition.',
    references: [DOC.webhook, DOC.invalidToken],
  },
  {
    id: 'IRSA-038',
    severity: 'high',
    title: "EKS add-on role does not trust the add-on's service account",
    explanation:
      "The add-on's serviceAccountRoleArn names a role whose trust policy does not allow the add-on's service account on this cluster.",
    podError: ACCESS_DENIED,
    remediation:
      "Add the add-on's subject to the role's :sub values for this cluster, or move the add-on to Pod Identity.",
    references: [DOC.addonIam, DOC.associate],
  },
  {
    id: 'IRSA-044',
    severity: 'high',
    title: 'ARN or host from another partition',
    explanation:
      "ARNs and hosts must belong to the account's partition (arn:aws, arn:aws-cn, arn:aws-us-gov). An arn:aws: principal in a China or GovCloud account never matches.",
    podError: ACCESS_DENIED,
    remediation: "Rewrite the ARN with the account's partition.",
    references: [DOC.idpFed, DOC.enableIrsa],
  },
  {
    id: 'PI-050',
    severity: 'high',
    title: 'Pod Identity role does not trust pods.eks.amazonaws.com for AssumeRole and TagSession',
    explanation:
      "A Pod Identity association's role must trust the service principal pods.eks.amazonaws.com for both sts:AssumeRole and sts:TagSession.",
    podError: 'is not authorized to perform: sts:TagSession on resource: <role ARN>',
    remediation: 'Add the missing action or principal to the Pod Identity statement.',
    references: [DOC.podIdRole],
  },
  {
    id: 'PI-054',
    severity: 'high',
    title: 'Cross-account Pod Identity set up wrongly',
    explanation:
      "An association's role must be in the cluster's account; reaching another account goes through a target role, whose trust must allow the association role with sts:AssumeRole and sts:TagSession.",
    podError: 'is not authorized to perform: sts:TagSession on resource: <target role ARN>',
    remediation:
      "Use a role in the cluster's account with targetRoleArn, and let the target role trust it for AssumeRole and TagSession.",
    references: [DOC.podId, DOC.podIdRole],
  },
  {
    id: 'PI-055',
    severity: 'medium',
    title: 'Over-broad Pod Identity trust (info for the standard trust of the EKS user guide)',
    explanation:
      "A trust for pods.eks.amazonaws.com without conditions lets any Pod Identity association in the role's account use the role. That is the standard trust the EKS user guide shows and the console creates, and only associations of the role's own account can pass it (iam:PassRole): a hardening suggestion (info). It is medium when the statement also lets in other principals.",
    remediation:
      'Optionally restrict with aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account (EKS user guide), or aws:SourceOrgId / aws:SourceAccount (confused-deputy keys); give other principals a statement of their own.',
    references: [DOC.podIdRole],
  },
  {
    id: 'PI-056',
    severity: 'info',
    title: 'Service account uses both IRSA and Pod Identity',
    explanation:
      'When a Pod Identity association exists, the webhook injects container credentials instead of IRSA: the role annotation is dead configuration and IRSA fixes have no effect.',
    remediation: 'Remove the IRSA annotation and trust once the Pod Identity association is confirmed to work.',
    references: [DOC.podId],
  },
  {
    id: 'DOC-001',
    severity: 'high',
    title: 'Trust policy cannot be read',
    explanation:
      'The trust policy in the snapshot is not a JSON policy document (bad URL encoding, invalid JSON, not an object, or far too large). Nothing about this role can be verified.',
    remediation: 'Re-collect the role, or fix the document in the source that produced the snapshot.',
    references: [DOC.policyGrammar],
  },
  {
    id: 'DOC-002',
    severity: 'medium',
    title: 'Trust policy IAM would reject',
    explanation:
      'The document uses something IAM does not accept in a trust policy: an unknown condition operator, a Resource element, an invalid Effect, a missing Principal or Action, or characters outside the allowed set. IAM refuses such a document on write, and its meaning cannot be relied on.',
    remediation: 'Correct the element named in the evidence.',
    references: [DOC.policyGrammar, DOC.conditionOps],
  },
  {
    id: 'SWEEP-001',
    severity: 'high',
    title: 'Account unreachable',
    explanation:
      'Collection could not read this account (its scanner role could not be assumed, or every read failed). Nothing in it was checked.',
    remediation: "Deploy the member stack (scanner role) to the account, or fix the role's trust of the hub.",
    references: [],
  },
  {
    id: 'SWEEP-002',
    severity: 'medium',
    title: 'Account only partly read',
    explanation:
      'Some reads failed in this account. Findings for it may be incomplete, and nothing missing from it is reported as absent.',
    remediation: 'See the collection errors in the evidence and re-run the sweep.',
    references: [],
  },
] as const satisfies readonly RuleMeta<string>[];

/** Every rule id, derived from the catalog. */
export type RuleId = (typeof RULES)[number]['id'];

/** The evidence findings of rule `R` carry. */
export type EvidenceOf<R extends RuleId> = RuleEvidence[R];

// Every rule has an evidence type and every evidence type a rule (a compile error here when one is missing).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const EVIDENCE_FOR_EVERY_RULE: Same<RuleId, keyof RuleEvidence> = true;

export const RULE_CATALOG: ReadonlyMap<RuleId, RuleMeta> = new Map(RULES.map((r) => [r.id, r]));

export function ruleMeta(id: RuleId): RuleMeta {
  const meta = RULE_CATALOG.get(id);
  if (!meta) throw new Error(`unknown rule id ${id}`);
  return meta;
}
