import { Aws, type CfnResource, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from './hub-names';

export { HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME } from './hub-names';

/**
 * The two roles' logical ids, as the hub stack had them before they moved into this construct: the roles have fixed
 * names, so a new logical id would make CloudFormation create a second role of the same name, and the update fail.
 */
export const HUB_ROLE_LOGICAL_IDS = { reader: 'HubReaderRole8BC77EB8', writer: 'HubWriterRoleDE79F917' } as const;

export interface HubRolesProps {
  /** The read-only role in every member account, which the reader may assume. */
  readonly scannerRoleName: string;
  /** The narrow write role in every member account, which the writer may assume. */
  readonly remediatorRoleName: string;
}

/**
 * The two fixed-name roles member accounts trust by ARN: the reader, which may assume only the scanner role, and the
 * writer, which may assume only the remediator role. What else each may do comes from the steps that run as it
 * (lambdas/workflow/steps.ts, granted by WorkflowFunctions) and the console's rollback step.
 */
export class HubRoles extends Construct {
  readonly reader: iam.Role;
  readonly writer: iam.Role;

  constructor(scope: Construct, id: string, props: HubRolesProps) {
    super(scope, id);
    this.reader = new iam.Role(this, 'HubReaderRole', {
      roleName: HUB_READER_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `IRSA Doctor scanning functions: assume ${props.scannerRoleName} in member accounts`,
    });
    this.reader.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeScannerRole',
        actions: ['sts:AssumeRole'],
        resources: [memberRoleArnPattern(props.scannerRoleName)],
      }),
    );
    this.writer = new iam.Role(this, 'HubWriterRole', {
      roleName: HUB_WRITER_ROLE_NAME,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `IRSA Doctor apply and rollback steps: assume ${props.remediatorRoleName} in member accounts`,
    });
    this.writer.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeRemediatorRole',
        actions: ['sts:AssumeRole'],
        resources: [memberRoleArnPattern(props.remediatorRoleName)],
      }),
    );
    (this.reader.node.defaultChild as CfnResource).overrideLogicalId(HUB_ROLE_LOGICAL_IDS.reader);
    (this.writer.node.defaultChild as CfnResource).overrideLogicalId(HUB_ROLE_LOGICAL_IDS.writer);

    Validations.of(this.reader).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for organizations:ListAccounts and DescribeOrganization (no resource-level permissions), ' +
          'ListAccountsForParent and ListOrganizationalUnitsForParent (parents are OU/root ids only known at run ' +
          'time), and xray:PutTraceSegments/PutTelemetryRecords (no resource-level permissions).',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${props.scannerRoleName}]`,
        reason:
          'The swept accounts are found at run time (AWS Organizations); the role name is fixed, so the reader can ' +
          `assume only ${props.scannerRoleName}, and each of those trusts only this role.`,
      },
    );
    Validations.of(this.writer).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Resource "*" only for xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing): X-Ray trace APIs ' +
          'have no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${props.remediatorRoleName}]`,
        reason:
          'The swept accounts are found at run time (AWS Organizations); the role name is fixed, so the writer can ' +
          `assume only ${props.remediatorRoleName}, and each of those trusts only this role.`,
      },
    );
  }
}

/** arn:<partition>:iam::*:role/<name>, the role of that name in any account. */
function memberRoleArnPattern(roleName: string): string {
  return `arn:${Aws.PARTITION}:iam::*:role/${roleName}`;
}
