import type { Either, ServiceAccountEvidence, StatementEvidence } from '../evidence';
import { defineRule } from '../rule';
import { ACCESS_DENIED, DOC } from '../rule-docs';
import type { WorkloadScope } from '../workload/workload-scope';
import type { StatementScope } from './statement-scope';

export interface ProviderPartitionEvidence extends StatementEvidence {
  readonly federated: string;
  readonly partition: string;
  readonly expectedPartition: string;
}

export interface RoleArnPartitionEvidence extends ServiceAccountEvidence {
  readonly expectedPartition: string;
}

/** IRSA-044 in a statement: the provider ARN names another partition than the account's. */
function checkProviderPartition(s: StatementScope): void {
  const expected = s.ctx.index.partition;
  for (const p of s.view.providers) {
    if (p.partition === expected) continue;
    s.emit(
      'IRSA-044',
      `${s.at()}: the provider ARN ${p.arn} uses partition "${p.partition}" but the account is in "${expected}".`,
      { federated: p.arn, partition: p.partition, expectedPartition: expected },
      { discriminator: p.arn },
    );
  }
}

/** IRSA-044 on a workload: its role ARN names another partition than the estate's. Reported: true. */
export function reportRoleArnPartition(w: WorkloadScope, partition: string | undefined): boolean {
  const expected = w.ctx.index.partition;
  if (partition === expected) return false;
  w.ctx.emit({
    ruleId: 'IRSA-044',
    accountId: w.ref.accountId,
    resourceArn: w.roleArn,
    resourceType: 'service-account',
    cluster: w.cluster,
    ...w.objectRef,
    message: `${w.who()} names ${w.roleArn}, an ARN of partition "${partition}" in a "${expected}" estate.`,
    evidence: { ...w.subjectEvidence, expectedPartition: expected },
    discriminator: w.discriminator,
  });
  return true;
}

export const IRSA_044 = defineRule<Either<ProviderPartitionEvidence, RoleArnPartitionEvidence>>()({
  id: 'IRSA-044',
  severity: 'high',
  title: 'ARN or host from another partition',
  explanation:
    "ARNs and hosts must belong to the account's partition (arn:aws, arn:aws-cn, arn:aws-us-gov). An arn:aws: principal in a China or GovCloud account never matches.",
  podError: ACCESS_DENIED,
  remediation: "Rewrite the ARN with the account's partition.",
  references: [DOC.idpFed, DOC.enableIrsa],
  checkStatement: checkProviderPartition,
});
