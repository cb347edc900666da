import { roleAccountId } from '../arn';
import type { ClusterRef } from '../estate-index';
import type { KubeServiceAccount, PodIdentityAssociationSnapshot } from '../snapshot';
import { POD_IDENTITY_SERVICE, type StatementView } from '../trust-policy/classify';
import { type Evaluation, evaluateTrustPolicy, type TrustRequest } from '../trust-policy/evaluate';
import type { TrustPolicy } from '../trust-policy/model';
import { type AnalysisContext, type RoleAnalysis, statementEvidence, statementLabel } from './context';
import type { DualIdentityPods } from './pod-identity/pi-056-irsa-and-pod-identity';

/**
 * Condition keys that tie a pods.eks.amazonaws.com trust to an account, organization, cluster or service account:
 * the request tags of the EKS user guide (pod-id-role), and the confused-deputy keys of the IAM user guide and the
 * EKS best practices guide (aws:SourceOrgId).
 */
const RESTRICTING_KEYS = [
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:requesttag/',
  'aws:principaltag/',
];

/**
 * PI-055: a pods.eks.amazonaws.com trust with nothing restricting which association may use it. The standard trust
 * of the EKS user guide (that principal alone, no condition; what the console creates) is a hardening suggestion
 * (info): only an association of the role's own account can use it (iam:PassRole, same account), as designed. It is
 * rated medium only when the statement lets in more than Pod Identity (another principal, a wildcard, NotPrincipal).
 */
export function checkPodIdentityTrust(role: RoleAnalysis, ctx: AnalysisContext): void {
  for (const view of role.views) {
    if (view.kind !== 'pod-identity' || view.statement.effect !== 'Allow') continue;
    const restricted = view.statement.conditions.some((c) => RESTRICTING_KEYS.some((k) => c.keyLower.startsWith(k)));
    if (restricted) continue;
    const also = alsoTrusted(view);
    const where = `Role ${role.ref.role.name}, statement ${statementLabel(view)}`;
    ctx.emit({
      ruleId: 'PI-055',
      accountId: role.ref.accountId,
      resourceArn: role.ref.role.arn,
      resourceType: 'role',
      message:
        also.length > 0
          ? `${where} trusts pods.eks.amazonaws.com with no condition and also lets in ${also.join(', ')}: any Pod Identity association in the account can use it, and so can they.`
          : `${where} is the standard Pod Identity trust of the EKS user guide (pods.eks.amazonaws.com, no condition): any Pod Identity association in the account can use it. Optional hardening: restrict it to the clusters, namespaces and service accounts meant.`,
      evidence: { ...statementEvidence(view, role), ...(also.length > 0 ? { alsoTrusted: also } : {}) },
      severity: also.length > 0 ? 'medium' : 'info',
      discriminator: String(view.statement.index),
    });
  }
}

/** What a Pod Identity statement lets in besides pods.eks.amazonaws.com. */
function alsoTrusted(view: StatementView): string[] {
  const { principal, notPrincipal } = view.statement;
  if (notPrincipal) return ['every principal but those NotPrincipal names'];
  const out: string[] = [];
  if (principal?.wildcard) out.push('"*"');
  for (const [type, values] of Object.entries(principal?.byType ?? {})) {
    for (const v of values) {
      if (type === 'Service' && v.toLowerCase() === POD_IDENTITY_SERVICE) continue;
      out.push(`${type} ${v}`);
    }
  }
  return out;
}

/** PI-050, PI-054, PI-056: associations against the roles they name. */
export function checkAssociations(ctx: AnalysisContext): void {
  for (const { accountId, association } of ctx.index.associations) {
    const cluster = ctx.index.clusterByName(accountId, association.cluster, association.region);
    const hop: Hop = {
      ctx,
      accountId,
      association,
      who: `Pod Identity association ${association.namespace}/${association.serviceAccount} on cluster ${association.cluster} (${association.region})`,
      base: {
        accountId,
        resourceArn: association.roleArn,
        resourceType: 'role' as const,
        ...(cluster ? { cluster } : {}),
        discriminator: `${association.cluster}/${association.region}/${association.namespace}/${association.serviceAccount}`,
      },
      tags: sessionTags(ctx, accountId, association, cluster),
      actions: association.disableSessionTags ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:TagSession'],
    };
    checkAssociationRole(hop, cluster);
    if (association.targetRoleArn) checkTargetRole(hop, association.targetRoleArn);
    checkBothIdentities(hop);
  }
}

/** What the checks of one association share. */
interface Hop {
  readonly ctx: AnalysisContext;
  readonly accountId: string;
  readonly association: PodIdentityAssociationSnapshot;
  readonly who: string;
  readonly base: {
    readonly accountId: string;
    readonly resourceArn: string;
    readonly resourceType: 'role';
    readonly cluster?: ClusterRef;
    readonly discriminator: string;
  };
  /** The session tags EKS Pod Identity sets (none when the association disables them), as aws:RequestTag keys. */
  readonly tags: Readonly<Record<string, string>>;
  readonly actions: readonly string[];
}

function sessionTags(
  ctx: AnalysisContext,
  accountId: string,
  association: PodIdentityAssociationSnapshot,
  cluster: ClusterRef | undefined,
): Record<string, string> {
  if (association.disableSessionTags) return {};
  return {
    'aws:RequestTag/eks-cluster-arn':
      cluster?.cluster.arn ??
      `arn:${ctx.index.partition}:eks:${association.region}:${accountId}:cluster/${association.cluster}`,
    'aws:RequestTag/eks-cluster-name': association.cluster,
    'aws:RequestTag/kubernetes-namespace': association.namespace,
    'aws:RequestTag/kubernetes-service-account': association.serviceAccount,
  };
}

/** The association's own role: in the cluster's account (PI-054), trusting pods.eks.amazonaws.com (PI-050). */
function checkAssociationRole(hop: Hop, cluster: ClusterRef | undefined): void {
  const { ctx, accountId, association, who } = hop;
  const roleAccount = roleAccountId(association.roleArn);
  if (roleAccount !== accountId) {
    ctx.emit({
      ...hop.base,
      ruleId: 'PI-054',
      message: `${who} uses role ${association.roleArn} from account ${roleAccount ?? '?'}; the role must be in the cluster's account ${accountId} (use targetRoleArn to reach another account).`,
      evidence: { association },
    });
    return;
  }
  const role = ctx.roleAnalyses.get(association.roleArn);
  if (!role?.read.ok) return;
  const context: Record<string, string> = {
    'aws:SourceAccount': accountId,
    ...(cluster?.cluster.arn ? { 'aws:SourceArn': cluster.cluster.arn } : {}),
    ...hop.tags,
  };
  const denied = deniedActions(role.read.policy, hop.actions, { type: 'Service', id: POD_IDENTITY_SERVICE }, context);
  if (denied.length === 0) return;
  ctx.emit({
    ...hop.base,
    ruleId: 'PI-050',
    message: `${who}: role ${role.ref.role.name} does not let pods.eks.amazonaws.com perform ${denied.map((d) => d.action).join(' and ')}.`,
    evidence: { association, denied },
  });
}

/**
 * The target role (PI-054). EKS Pod Identity chains: the association role's session assumes the target role. So the
 * request is the association role's (Principal matches it by its role ARN, or by its account, `<account>` or
 * `arn:<partition>:iam::<account>:root`), with `aws:PrincipalArn` the association role's ARN and
 * `aws:PrincipalAccount` its account (IAM user guide, global condition keys: for a role session, the role's ARN), the
 * session tags, and with session tags disabled `sts:ExternalId` = `<region>/<account>/<cluster>/<namespace>/<service
 * account>` (EKS user guide, pod-id-assign-target-role).
 */
function checkTargetRole(hop: Hop, targetRoleArn: string): void {
  const { ctx, accountId, association, who } = hop;
  const target = ctx.roleAnalyses.get(targetRoleArn);
  if (!target?.read.ok) return;
  const context: Record<string, string> = {
    'aws:SourceAccount': accountId,
    'aws:PrincipalArn': association.roleArn,
    'aws:PrincipalAccount': accountId,
    ...(association.disableSessionTags
      ? {
          'sts:ExternalId': `${association.region}/${accountId}/${association.cluster}/${association.namespace}/${association.serviceAccount}`,
        }
      : {}),
    ...hop.tags,
  };
  const denied = deniedActions(target.read.policy, hop.actions, { type: 'AWS', id: association.roleArn }, context);
  if (denied.length === 0) return;
  ctx.emit({
    ...hop.base,
    resourceArn: targetRoleArn,
    ruleId: 'PI-054',
    message: `${who}: target role ${target.ref.role.name} does not let ${association.roleArn} perform ${denied.map((d) => d.action).join(' and ')}.`,
    evidence: { association, denied },
  });
}

/** PI-056: the service account also names an IRSA role (looked up by key, not a scan per association). */
function checkBothIdentities(hop: Hop): void {
  const { ctx, accountId, association, who } = hop;
  const irsa = ctx.index.annotatedServiceAccount(
    accountId,
    association.cluster,
    association.region,
    association.namespace,
    association.serviceAccount,
  );
  if (!irsa) return;
  const pods = irsa.kube ? podCredentialSources(ctx, hop, irsa.kube) : undefined;
  ctx.emit({
    ...hop.base,
    resourceArn: irsa.serviceAccount.roleArn ?? association.roleArn,
    ...(irsa.kube
      ? { kubernetesObject: { kind: 'ServiceAccount' as const, namespace: irsa.kube.namespace, name: irsa.kube.name } }
      : {}),
    ruleId: 'PI-056',
    message: `${who} exists, and the service account also names IRSA role ${irsa.serviceAccount.roleArn}; Pod Identity takes precedence, so the IRSA setup is unused.${
      pods ? ` ${sdkChoice(pods)}` : ''
    }`,
    evidence: { association, irsaRoleArn: irsa.serviceAccount.roleArn, ...(pods ? { pods } : {}) },
  });
}

/**
 * Keys whose values a snapshot does not hold, or holds only by guess. The organization: EKS Pod Identity sends
 * aws:SourceOrgId (EKS best practices guide), and the association role is in the cluster's account, so source and
 * resource are in one organization: both get one stand-in value (the guide's `"aws:SourceOrgId":
 * "${aws:ResourceOrgId}"` holds). aws:SourceArn: the EKS user guide does not say what Pod Identity sends (the cluster
 * ARN is modeled; public reports show podidentityassociation ARNs, awslabs/mountpoint-s3-csi-driver#781). A request
 * denied only by conditions on these keys (a literal organization id, aws:PrincipalOrgID on a target role, an
 * aws:SourceArn pattern) cannot be decided here and is not reported.
 */
const UNKNOWN_KEYS = new Set([
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:resourceorgid',
  'aws:resourceorgpaths',
  'aws:principalorgid',
  'aws:principalorgpaths',
]);
const ORG_STAND_IN = { 'aws:SourceOrgId': 'o-irsadoctorunknown', 'aws:ResourceOrgId': 'o-irsadoctorunknown' };

function deniedActions(
  policy: TrustPolicy,
  actions: readonly string[],
  principal: TrustRequest['principal'],
  context: Record<string, string>,
): Array<{ action: string; explanation: string }> {
  const out: Array<{ action: string; explanation: string }> = [];
  for (const action of actions) {
    const request = { principal, action, context: { ...ORG_STAND_IN, ...context } };
    const result = evaluateTrustPolicy(policy, request);
    if (result.decision !== 'Allow' && !undecidedByUnknownKeys(policy, request, result)) {
      out.push({ action, explanation: result.explanation });
    }
  }
  return out;
}

/**
 * Whether the denial may be the doing of a key a snapshot does not hold (UNKNOWN_KEYS): every Deny that applies has
 * a condition on such a key and, without them, the request is allowed or implicitly denied only by such conditions.
 */
function undecidedByUnknownKeys(policy: TrustPolicy, request: TrustRequest, result: Evaluation): boolean {
  const org = (c: { readonly key: string }) => UNKNOWN_KEYS.has(c.key.toLowerCase());
  if (result.decision === 'ExplicitDeny') {
    const applying = new Set(result.statements.filter((t) => t.applies && t.effect === 'Deny').map((t) => t.index));
    if (!result.statements.every((t) => !applying.has(t.index) || t.conditions.some(org))) return false;
    const rest = { ...policy, statements: policy.statements.filter((s) => !applying.has(s.index)) };
    const without = evaluateTrustPolicy(rest, request);
    return without.decision === 'Allow' || undecidedByUnknownKeys(rest, request, without);
  }
  return result.statements.some((t) => {
    if (t.effect !== 'Allow' || !t.principalMatched || !t.actionMatched) return false;
    const failed = t.conditions.filter((c) => !c.result);
    return failed.length > 0 && failed.every(org);
  });
}

/** Per credential source, the pods of the service account (read from the cluster) that carry it. */
function podCredentialSources(ctx: AnalysisContext, hop: Hop, sa: KubeServiceAccount): DualIdentityPods {
  const { association } = hop;
  const cluster = ctx.index.clusterByName(hop.accountId, association.cluster, association.region);
  const out = { podIdentity: 0, irsa: 0, both: 0, neither: 0 };
  for (const pod of cluster?.cluster.kubernetes?.pods ?? []) {
    if (pod.namespace !== sa.namespace || pod.serviceAccountName !== sa.name) continue;
    const env = (pod.containers ?? []).map((c) => c.awsEnv ?? {});
    const web = env.some((e) => e.AWS_WEB_IDENTITY_TOKEN_FILE !== undefined);
    const container = env.some((e) => e.AWS_CONTAINER_CREDENTIALS_FULL_URI !== undefined);
    if (web && container) out.both++;
    else if (web) out.irsa++;
    else if (container) out.podIdentity++;
    else out.neither++;
  }
  return out;
}

/**
 * Which credentials the SDKs use. The EKS webhook injects only Pod Identity's container credentials
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI) into pods created while the association exists; the SDKs' default chains
 * try web identity (AWS_WEB_IDENTITY_TOKEN_FILE) before container credentials, so a pod that carries both uses IRSA.
 */
function sdkChoice(pods: DualIdentityPods): string {
  const parts: string[] = [];
  if (pods.podIdentity > 0)
    parts.push(`${pods.podIdentity} pod(s) carry only Pod Identity's container credentials: the SDKs use Pod Identity`);
  if (pods.irsa > 0)
    parts.push(
      `${pods.irsa} pod(s) carry only IRSA's web identity variables (created before the association): the SDKs use IRSA until the pods are recreated`,
    );
  if (pods.both > 0)
    parts.push(
      `${pods.both} pod(s) carry both: the SDKs' default chains try web identity before container credentials, so they use IRSA`,
    );
  return parts.length > 0
    ? `${parts.join('; ')}.`
    : "New pods get only Pod Identity's container credentials from the webhook, so the SDKs use Pod Identity.";
}
