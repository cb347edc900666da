import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RemediationScope } from '../../lambdas/domain/remediation-scope';
import { IrsaDoctorMemberRoles, type IrsaDoctorMemberRolesProps } from '../constructs/irsa-doctor-member-roles';
import { memberStackProps } from './member-synthesis';

export {
  ORGANIZATION_ACCESS_ROLE_NAME,
  PLAN_ID_TAG,
  REMEDIATOR_ACTIONS,
  REMEDIATOR_CREATE_PROVIDER_ACTIONS,
  REMEDIATOR_REPAIR_PROVIDER_ACTIONS,
  REMEDIATOR_ROLE_ACTIONS,
  REMEDIATOR_TAGGED_PROVIDER_ACTIONS,
  SCANNER_ACTIONS,
} from '../constructs/irsa-doctor-member-roles';

export interface MemberRolesStackProps extends StackProps, IrsaDoctorMemberRolesProps {
  /** Name of the read-only role: always given by the repository's app (the configuration's). */
  readonly scannerRoleName: string;
  /** Name of the write role: always given by the repository's app (the configuration's). */
  readonly remediatorRoleName: string;
}

/**
 * The member roles (infra/constructs/irsa-doctor-member-roles.ts) as a stack of their own, once per account, e.g. as
 * a StackSet. Synthesized without CDK bootstrap references (member-synthesis.ts), so its template deploys in accounts
 * that were never bootstrapped. The construct's id is `Default`, left out of logical ids: the roles keep the logical
 * ids they had when this stack made them itself.
 */
export class MemberRolesStack extends Stack {
  readonly memberRoles: IrsaDoctorMemberRoles;
  readonly scannerRole: iam.Role;
  readonly remediatorRole: iam.Role;
  /** The remediator's scope, as the IAM statements were derived from it (pass it to `roleInRemediationScope`). */
  readonly remediationScope: RemediationScope;

  constructor(scope: Construct, id: string, props: MemberRolesStackProps) {
    super(scope, id, memberStackProps(props));
    this.memberRoles = new IrsaDoctorMemberRoles(this, 'Default', props);
    this.scannerRole = this.memberRoles.scannerRole;
    this.remediatorRole = this.memberRoles.remediatorRole;
    this.remediationScope = this.memberRoles.remediationScope;
  }
}
