import { DEFAULT_AUDIENCE } from '../../snapshot';
import type { Either, EvaluationEvidence, ServiceAccountEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { EvaluatedWorkload } from './workload-scope';

/** The provider does not list the audience the service account asks for. */
export interface ProviderCustomAudienceEvidence extends ServiceAccountEvidence {
  readonly audience: string;
  readonly clientIds: readonly string[];
}

/** The role's :aud condition does not allow the audience the service account asks for. */
export interface RoleCustomAudienceEvidence extends ServiceAccountEvidence {
  readonly audience: string;
  readonly evaluation: EvaluationEvidence;
}

/** IRSA-036 on the provider: it does not list the workload's custom audience. */
export function reportProviderAudience(e: EvaluatedWorkload): void {
  if (e.audience === DEFAULT_AUDIENCE) return;
  const provider = e.w.ctx.index.providersByArn.get(e.providerArn);
  if (!provider || provider.provider.clientIds.includes(e.audience)) return;
  e.w.ctx.emit({
    ruleId: 'IRSA-036',
    accountId: e.roleAccount,
    resourceArn: e.providerArn,
    resourceType: 'oidc-provider',
    cluster: e.cluster,
    ...e.w.objectRef,
    message: `${e.w.who()} requests tokens for audience "${e.audience}", which provider ${provider.provider.url} does not list.`,
    evidence: { ...e.w.subjectEvidence, audience: e.audience, clientIds: provider.provider.clientIds },
    discriminator: e.audience,
  });
}

/** IRSA-036 on the role: no statement naming the cluster lets the workload's custom audience in. Reported: true. */
export function reportRoleAudience(e: EvaluatedWorkload): boolean {
  const audAllowed = e
    .targeting()
    .some((v) => v.issuerConditions.every((c) => c.claimNormal !== 'aud' || c.entry.values.includes(e.audience)));
  if (audAllowed || e.audience === DEFAULT_AUDIENCE) return false;
  e.w.ctx.emit({
    ...e.onRole(),
    ruleId: 'IRSA-036',
    message: `${e.w.who()} requests audience "${e.audience}", but role ${e.analysis.ref.role.name}'s :aud condition does not allow it.`,
    evidence: { ...e.w.subjectEvidence, audience: e.audience, evaluation: e.evaluation },
  });
  return true;
}

export const IRSA_036 = defineRule<Either<ProviderCustomAudienceEvidence, RoleCustomAudienceEvidence>>()({
  id: 'IRSA-036',
  severity: 'high',
  title: 'Custom token audience not honoured in IAM',
  explanation:
    "The service account sets eks.amazonaws.com/audience, so its tokens carry that audience; the provider's ClientIDList and the :aud condition must carry it too.",
  podError:
    'An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience',
  remediation: 'AddClientIDToOpenIDConnectProvider(<audience>) and align the :aud condition.',
  references: [DOC.webhook, DOC.invalidToken],
});
