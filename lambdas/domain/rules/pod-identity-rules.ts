import { roleAccountId } from '../arn';
import { evaluateTrustPolicy, type TrustRequest } from '../trust-policy/evaluate';
import type { TrustPolicy } from '../trust-policy/model';
import { type AnalysisContext, type RoleAnalysis, statementEvidence, statementLabel } from './context';

const RESTRICTING_KEYS = ['aws:sourceaccount', 'aws:sourcearn', 'aws:requesttag/', 'aws:principaltag/'];

/** PI-055: a pods.eks.amazonaws.com trust with nothing restricting which association may use it. */
export function checkPodIdentityTrust(role: RoleAnalysis, ctx: AnalysisContext): void {
  for (const view of role.views) {
    if (view.kind !== 'pod-identity' || view.statement.effect !== 'Allow') continue;
    const restricted = view.statement.conditions.some((c) => RESTRICTING_KEYS.some((k) => c.keyLower.startsWith(k)));
    if (restricted) continue;
    ctx.emit({
      ruleId: 'PI-055',
      accountId: role.ref.accountId,
      resourceArn: role.ref.role.arn,
      resourceType: 'role',
      message: `Role ${role.ref.role.name}, statement ${statementLabel(view)} trusts pods.eks.amazonaws.com with no condition: any Pod Identity association in the account can use it.`,
      evidence: statementEvidence(view, role),
      discriminator: String(view.statement.index),
    });
  }
}

/** PI-050, PI-054, PI-056: associations against the roles they name. */
export function checkAssociations(ctx: AnalysisContext): void {
  for (const { accountId, association } of ctx.index.associations) {
    const cluster = ctx.index.clusterByName(accountId, association.cluster, association.region);
    const who = `Pod Identity association ${association.namespace}/${association.serviceAccount} on cluster ${association.cluster} (${association.region})`;
    const base = {
      accountId,
      resourceArn: association.roleArn,
      resourceType: 'role' as const,
      ...(cluster ? { cluster } : {}),
      discriminator: `${association.cluster}/${association.region}/${association.namespace}/${association.serviceAccount}`,
    };
    const tags: Record<string, string> = association.disableSessionTags
      ? {}
      : {
          'aws:RequestTag/eks-cluster-arn':
            cluster?.cluster.arn ??
            `arn:${ctx.index.partition}:eks:${association.region}:${accountId}:cluster/${association.cluster}`,
          'aws:RequestTag/eks-cluster-name': association.cluster,
          'aws:RequestTag/kubernetes-namespace': association.namespace,
          'aws:RequestTag/kubernetes-service-account': association.serviceAccount,
        };
    const context: Record<string, string> = {
      'aws:SourceAccount': accountId,
      ...(cluster?.cluster.arn ? { 'aws:SourceArn': cluster.cluster.arn } : {}),
      ...tags,
    };
    const actions = association.disableSessionTags ? ['sts:AssumeRole'] : ['sts:AssumeRole', 'sts:TagSession'];

    const roleAccount = roleAccountId(association.roleArn);
    if (roleAccount !== accountId) {
      ctx.emit({
        ...base,
        ruleId: 'PI-054',
        message: `${who} uses role ${association.roleArn} from account ${roleAccount ?? '?'}; the role must be in the cluster's account ${accountId} (use targetRoleArn to reach another account).`,
        evidence: { association },
      });
    } else {
      const role = ctx.roleAnalyses.get(association.roleArn);
      if (role?.read.ok) {
        const denied = deniedActions(
          role.read.policy,
          actions,
          { type: 'Service', id: 'pods.eks.amazonaws.com' },
          context,
        );
        if (denied.length > 0) {
          ctx.emit({
            ...base,
            ruleId: 'PI-050',
            message: `${who}: role ${role.ref.role.name} does not let pods.eks.amazonaws.com perform ${denied.map((d) => d.action).join(' and ')}.`,
            evidence: { association, denied },
          });
        }
      }
    }
    if (association.targetRoleArn) {
      const target = ctx.roleAnalyses.get(association.targetRoleArn);
      if (target?.read.ok) {
        const denied = deniedActions(target.read.policy, actions, { type: 'AWS', id: association.roleArn }, context);
        if (denied.length > 0) {
          ctx.emit({
            ...base,
            resourceArn: association.targetRoleArn,
            ruleId: 'PI-054',
            message: `${who}: target role ${target.ref.role.name} does not let ${association.roleArn} perform ${denied.map((d) => d.action).join(' and ')}.`,
            evidence: { association, denied },
          });
        }
      }
    }
    // By key, not a scan per association (associations x service accounts).
    const irsa = ctx.index.annotatedServiceAccount(
      accountId,
      association.cluster,
      association.region,
      association.namespace,
      association.serviceAccount,
    );
    if (irsa) {
      ctx.emit({
        ...base,
        resourceArn: irsa.serviceAccount.roleArn ?? association.roleArn,
        ruleId: 'PI-056',
        message: `${who} exists, and the service account also names IRSA role ${irsa.serviceAccount.roleArn}; Pod Identity takes precedence, so the IRSA setup is unused.`,
        evidence: { association, irsaRoleArn: irsa.serviceAccount.roleArn },
      });
    }
  }
}

function deniedActions(
  policy: TrustPolicy,
  actions: readonly string[],
  principal: TrustRequest['principal'],
  context: Record<string, string>,
): Array<{ action: string; explanation: string }> {
  const out: Array<{ action: string; explanation: string }> = [];
  for (const action of actions) {
    const result = evaluateTrustPolicy(policy, { principal, action, context });
    if (result.decision !== 'Allow') out.push({ action, explanation: result.explanation });
  }
  return out;
}
