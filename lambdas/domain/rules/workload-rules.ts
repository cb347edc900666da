import { parseArn, roleAccountId, WEBHOOK_ROLE_ARN } from '../arn';
import { briefCondition, firstOf, QUOTED_VALUES, quote } from '../brief';
import type { ServiceAccountRef } from '../estate-index';
import { DEFAULT_AUDIENCE } from '../snapshot';
import { normalizeSubject, subjectFor } from '../trust-policy/classify';
import { isNegatedOperator } from '../trust-policy/conditions';
import { evaluateTrustPolicy, webIdentityRequest } from '../trust-policy/evaluate';
import { valueSetOf } from '../trust-policy/wildcard';
import type { AnalysisContext } from './context';

/** Rules that need to know which workload uses a role: EKS add-ons, Kubernetes service accounts. */
export function checkServiceAccounts(ctx: AnalysisContext): void {
  // Which service accounts Pod Identity covers, as one set: looking each one up in the association list would cost
  // service accounts x associations.
  const podIdentity = new Set(
    ctx.index.associations.map(({ accountId, association: a }) =>
      podIdentityKey(accountId, a.cluster, a.region, a.namespace, a.serviceAccount),
    ),
  );
  for (const ref of ctx.index.serviceAccounts) checkServiceAccount(ref, ctx, podIdentity);
}

function podIdentityKey(accountId: string, cluster: string, region: string, namespace: string, name: string): string {
  return JSON.stringify([accountId, cluster, region, namespace, name]);
}

function checkServiceAccount(ref: ServiceAccountRef, ctx: AnalysisContext, podIdentity: ReadonlySet<string>): void {
  const sa = ref.serviceAccount;
  const roleArn = sa.roleArn;
  // An empty eks.amazonaws.com/role-arn annotation is no annotation: the webhook injects nothing for it.
  if (roleArn === undefined || roleArn === '') return;
  const cluster = ctx.index.clusterByName(ref.accountId, sa.cluster, sa.region);
  const who = `${sa.source === 'addon' && sa.addon ? `add-on ${sa.addon}, ` : ''}service account ${sa.namespace}/${sa.name} on cluster ${sa.cluster} (${sa.region})`;
  const subject = subjectFor(sa.namespace, sa.name);
  const sub = { subject, serviceAccount: sa };

  if (!WEBHOOK_ROLE_ARN.test(roleArn)) {
    ctx.emit({
      ruleId: 'IRSA-030',
      accountId: ref.accountId,
      resourceArn: roleArn,
      resourceType: 'service-account',
      ...(cluster ? { cluster } : {}),
      message: `${cap(who)} names role ${JSON.stringify(roleArn)}, which is not a valid role ARN.`,
      evidence: sub,
      discriminator: subject,
    });
    return;
  }
  const partition = parseArn(roleArn)?.partition;
  if (partition !== ctx.index.partition) {
    ctx.emit({
      ruleId: 'IRSA-044',
      accountId: ref.accountId,
      resourceArn: roleArn,
      resourceType: 'service-account',
      ...(cluster ? { cluster } : {}),
      message: `${cap(who)} names ${roleArn}, an ARN of partition "${partition}" in a "${ctx.index.partition}" estate.`,
      evidence: { ...sub, expectedPartition: ctx.index.partition },
      discriminator: subject,
    });
    return;
  }
  if (!cluster) return;
  // Pod Identity takes precedence over IRSA for this service account (PI-056): IRSA checks would mislead.
  const coveredByPodIdentity = podIdentity.has(
    podIdentityKey(ref.accountId, sa.cluster, sa.region, sa.namespace, sa.name),
  );
  if (coveredByPodIdentity) return;
  const roleAccount = roleAccountId(roleArn) ?? '';
  const analysis = ctx.roleAnalyses.get(roleArn);
  const base = {
    accountId: roleAccount,
    resourceArn: roleArn,
    resourceType: 'role' as const,
    cluster,
    discriminator: subject,
  };
  if (!analysis) {
    if (ctx.index.accounts.has(roleAccount) && ctx.index.isComplete(roleAccount)) {
      ctx.emit({
        ...base,
        ruleId: 'IRSA-031',
        message: `${cap(who)} uses role ${roleArn}, which does not exist.`,
        evidence: { ...sub, roleExists: false },
      });
    }
    return;
  }
  if (!analysis.read.ok) return; // DOC-001 already says the document cannot be read
  if (!analysis.targets.includes(cluster)) ctx.markClusterUse(cluster, roleAccount, roleArn);

  const audience = sa.audience ?? DEFAULT_AUDIENCE;
  const providerArn = ctx.expectedProviderArn(roleAccount, cluster);
  const request = webIdentityRequest(providerArn, cluster.hostPath, { sub: subject, aud: audience });
  const result = evaluateTrustPolicy(analysis.read.policy, request);
  // Per workload, evidence quotes the policy, never copies it: a condition may list thousands of values.
  const failed = result.failedCondition;
  const evaluation = {
    decision: result.decision,
    explanation: result.explanation,
    failedCondition: briefCondition(failed),
  };

  if (audience !== DEFAULT_AUDIENCE) {
    const provider = ctx.index.providersByArn.get(providerArn);
    if (provider && !provider.provider.clientIds.includes(audience)) {
      ctx.emit({
        ruleId: 'IRSA-036',
        accountId: roleAccount,
        resourceArn: providerArn,
        resourceType: 'oidc-provider',
        cluster,
        message: `${cap(who)} requests tokens for audience "${audience}", which provider ${provider.provider.url} does not list.`,
        evidence: { ...sub, audience, clientIds: provider.provider.clientIds },
        discriminator: audience,
      });
    }
  }
  if (result.decision === 'Allow') return;
  if (result.decision === 'ExplicitDeny') {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-024',
      message: `${cap(who)} is explicitly denied by role ${analysis.ref.role.name}: ${result.explanation}.`,
      evidence: { ...sub, evaluation },
    });
    return;
  }

  const targeting = analysis.views.filter(
    (v) =>
      v.kind === 'irsa' &&
      v.statement.effect === 'Allow' &&
      (v.providers.some((p) => p.key === cluster.key) || v.issuerConditions.some((c) => c.prefixKey === cluster.key)),
  );
  if (targeting.length === 0) {
    const trusts = firstOf([...new Set(analysis.views.flatMap((v) => v.providers.map((p) => p.arn)))]);
    ctx.emit({
      ...base,
      ruleId: 'IRSA-031',
      message: `${cap(who)} uses role ${analysis.ref.role.name}, but no statement of it trusts cluster ${cluster.cluster.name}'s provider${
        trusts.total > 0
          ? ` (it trusts ${trusts.items.join(', ')}${trusts.total > trusts.items.length ? `, and ${trusts.total - trusts.items.length} more` : ''})`
          : ''
      }.`,
      evidence: {
        ...sub,
        roleExists: true,
        expectedFederated: providerArn,
        trusts: trusts.items,
        ...(trusts.total > trusts.items.length ? { trustsCount: trusts.total } : {}),
        evaluation,
      },
    });
    return;
  }

  const subjectAllowed = targeting.some((v) =>
    v.issuerConditions.some(
      (c) =>
        c.claimNormal === 'sub' &&
        c.entry.operator !== undefined &&
        !isNegatedOperator(c.entry.operator.base) &&
        valueSetOf(normalizedValues(c.entry.values), c.entry.operator?.base === 'StringLike').has(subject),
    ),
  );
  if (!subjectAllowed) {
    // The first subjects and how many there are, without copying every value per workload.
    const subLists = targeting.flatMap((v) =>
      v.issuerConditions.filter((c) => c.claimNormal === 'sub').map((c) => c.entry.values),
    );
    const total = subLists.reduce((n, values) => n + values.length, 0);
    const allowed: string[] = [];
    for (const values of subLists) {
      if (allowed.length >= QUOTED_VALUES) break;
      allowed.push(...values.slice(0, QUOTED_VALUES - allowed.length));
    }
    const listed = { items: allowed, total };
    ctx.emit({
      ...base,
      ruleId: sa.source === 'addon' ? 'IRSA-038' : 'IRSA-016',
      message: `${cap(who)} presents ${subject}, but role ${analysis.ref.role.name} allows ${
        total > 0
          ? `${allowed
              .slice(0, QUOTED_VALUES)
              .map((a) => quote(a))
              .join(', ')}${total > QUOTED_VALUES ? ` and ${total - QUOTED_VALUES} more` : ''}`
          : 'no subject'
      } for this cluster.`,
      evidence: {
        ...sub,
        allowedSubjects: listed.items,
        ...(listed.total > listed.items.length ? { allowedSubjectCount: listed.total } : {}),
        statementIndex: targeting[0]?.statement.index,
        evaluation,
      },
    });
    return;
  }
  const audAllowed = targeting.some((v) =>
    v.issuerConditions.every((c) => c.claimNormal !== 'aud' || c.entry.values.includes(audience)),
  );
  if (!audAllowed && audience !== DEFAULT_AUDIENCE) {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-036',
      message: `${cap(who)} requests audience "${audience}", but role ${analysis.ref.role.name}'s :aud condition does not allow it.`,
      evidence: { ...sub, audience, evaluation },
    });
    return;
  }
  const explained = targeting.some((v) => (analysis.findingsByStatement[v.statement.index] ?? 0) > 0);
  if (!explained) {
    ctx.emit({
      ...base,
      ruleId: 'IRSA-024',
      message: `${cap(who)} is denied by role ${analysis.ref.role.name} although a statement names its cluster and subject: ${result.explanation}.`,
      evidence: { ...sub, evaluation },
    });
  }
}

// A role's subject values, normalized once rather than once per workload that names the role.
const normalized = new WeakMap<readonly string[], readonly string[]>();
function normalizedValues(values: readonly string[]): readonly string[] {
  let out = normalized.get(values);
  if (!out) {
    // The same array when nothing changes, so the evaluation's ValueSet (and its last answer) is reused.
    out = values.some((v) => normalizeSubject(v) !== v) ? values.map(normalizeSubject) : values;
    normalized.set(values, out);
  }
  return out;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
