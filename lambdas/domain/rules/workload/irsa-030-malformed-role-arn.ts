import { WEBHOOK_ROLE_ARN } from '../../arn';
import type { ServiceAccountEvidence } from '../evidence';
import { defineRule } from '../rule';
import { DOC } from '../rule-docs';
import type { WorkloadScope } from './workload-scope';

/** IRSA-030: the role-arn annotation is not a role ARN. Reported: true. */
export function reportMalformedRoleArn(w: WorkloadScope): boolean {
  if (WEBHOOK_ROLE_ARN.test(w.roleArn)) return false;
  w.ctx.emit({
    ruleId: 'IRSA-030',
    accountId: w.ref.accountId,
    resourceArn: w.roleArn,
    resourceType: 'service-account',
    cluster: w.cluster,
    ...w.objectRef,
    message: `${w.who()} names role ${JSON.stringify(w.roleArn)}, which is not a valid role ARN.`,
    evidence: w.subjectEvidence,
    discriminator: w.discriminator,
  });
  return true;
}

export const IRSA_030 = defineRule<ServiceAccountEvidence>()({
  id: 'IRSA-030',
  severity: 'high',
  title: 'Malformed role ARN on the service account',
  explanation:
    'The eks.amazonaws.com/role-arn annotation is not a valid role ARN. The webhook only logs this and injects it anyway, so the pod fails at AssumeRoleWithWebIdentity.',
  podError:
    'An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid',
  remediation: 'Fix the annotation (a Kubernetes change): arn:<partition>:iam::<12-digit account>:role/<name>.',
  references: [DOC.irsaErrors, DOC.webhook],
});
