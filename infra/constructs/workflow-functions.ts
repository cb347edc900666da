import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env';
import {
  type StepAccess,
  type StepDeclaration,
  WORKFLOW_STEPS,
  type WorkflowStepName,
} from '../../lambdas/workflow/steps';
import type { HubEventBus } from './hub-event-bus';
import type { HubRoles } from './hub-roles';
import { IrsaFunction } from './irsa-function';

/** The handler file every workflow step's function runs (it picks the step by IRSA_DOCTOR_HANDLER). */
export const WORKFLOW_STEP_HANDLER_FILE = 'workflow-step';

/**
 * What a function may do on the audit table: append (PutItem; the code makes every put conditional on
 * attribute_not_exists, which IAM cannot see) and read by key and index (Query; no Scan). Never DeleteItem, UpdateItem
 * or BatchWriteItem.
 */
export const AUDIT_TABLE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:DescribeTable',
] as const;

/** The Organizations reads a sweep needs to list its accounts (no resource-level permissions: Resource "*"). */
export const ORGANIZATION_READ_ACTIONS = [
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
  'organizations:DescribeOrganization',
] as const;

/**
 * BatchImportFindings on the hub account's own default product (a custom integration:
 * `product/<account>/default`), nothing else: findings go into the hub's Security Hub only.
 */
export function securityHubImportStatement(stack: Stack): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ImportFindingsIntoSecurityHub',
    actions: ['securityhub:BatchImportFindings'],
    resources: [
      stack.formatArn({
        service: 'securityhub',
        resource: 'product',
        resourceName: `${stack.account}/default`,
      }),
    ],
  });
}

export interface WorkflowFunctionsProps {
  readonly roles: HubRoles;
  readonly stateTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly snapshotBucket: s3.Bucket;
  readonly topic: sns.Topic;
  readonly eventBus: HubEventBus;
  /** The variables every workflow function gets (lambdas/shared/env.ts). */
  readonly environment: Readonly<Record<string, string>>;
  /** The remediation state machine, for the steps with `start-remediation` (its ARN, built from its fixed name). */
  readonly remediationStateMachineArn: string;
  /** Import findings into the hub's Security Hub (steps with `security-hub`: their variable and grant). @default true */
  readonly securityHub?: boolean;
}

/**
 * One function per step of the registry (lambdas/workflow/steps.ts), each running the generic handler with its step
 * name, its timeout and memory, as its role (the hub reader, the hub writer, or one of its own), with exactly the
 * grants its access list names: on a shared role, the union of its steps' lists.
 */
export class WorkflowFunctions extends Construct {
  /** The function of each step. */
  readonly byStep: Readonly<Record<WorkflowStepName, IrsaFunction>>;
  /** What each execution role must hold: the union of the access lists of the steps that run as it. */
  private readonly accessOf = new Map<iam.Role, Set<StepAccess>>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: WorkflowFunctionsProps,
  ) {
    super(scope, id);
    const byStep: Partial<Record<WorkflowStepName, IrsaFunction>> = {};
    for (const step of WORKFLOW_STEPS) byStep[step.name] = this.makeFunction(step);
    this.byStep = byStep as Record<WorkflowStepName, IrsaFunction>;
    for (const [role, access] of this.accessOf) {
      // Write access reads too: a role that writes a store gets no second, read-only grant on it.
      if (access.has('state-write')) access.delete('state-read');
      if (access.has('snapshots-write')) access.delete('snapshots-read');
      for (const a of access) this.grant(role, a);
    }
  }

  /** Every function, in the registry's order. */
  get all(): IrsaFunction[] {
    return WORKFLOW_STEPS.map((s) => this.byStep[s.name]);
  }

  private makeFunction(step: StepDeclaration): IrsaFunction {
    const role =
      step.role === 'reader' ? this.props.roles.reader : step.role === 'writer' ? this.props.roles.writer : undefined;
    const starts = step.access.includes('start-remediation');
    const imports = step.access.includes('security-hub') && this.props.securityHub !== false;
    const fn = new IrsaFunction(this, `${pascal(step.name)}Function`, {
      handler: step.name,
      file: WORKFLOW_STEP_HANDLER_FILE,
      environment: {
        ...this.props.environment,
        ...(starts ? { [ENV.remediationStateMachineArn]: this.props.remediationStateMachineArn } : {}),
        ...(imports ? { [ENV.securityHubRegion]: Stack.of(this).region } : {}),
      },
      ...(role ? { role } : {}),
      timeout: Duration.seconds(step.timeoutSeconds),
      memorySize: step.memoryMb,
      description: step.description,
    });
    const grantee = (role ?? fn.role) as iam.Role;
    const access = this.accessOf.get(grantee) ?? new Set<StepAccess>();
    for (const a of step.access) access.add(a);
    this.accessOf.set(grantee, access);
    return fn;
  }

  /** The IAM grant of one access entry. The assume grants belong to HubRoles (checked here). */
  private grant(role: iam.Role, access: StepAccess): void {
    const p = this.props;
    switch (access) {
      case 'state-read':
        p.stateTable.grants.readData(role);
        return;
      case 'state-write':
        p.stateTable.grants.readWriteData(role);
        return;
      case 'audit-append':
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'AuditTableAppendOnly',
            actions: [...AUDIT_TABLE_ACTIONS],
            resources: [p.auditTable.tableArn, `${p.auditTable.tableArn}/index/*`],
          }),
        );
        return;
      case 'snapshots-read':
      case 'snapshots-write':
        this.grantSnapshots(role, access);
        return;
      case 'notify':
        p.topic.grants.publish(role);
        if (p.topic.masterKey) {
          Validations.of(role).acknowledge({
            id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
            reason:
              "Publishing to the topic encrypts with its key: CDK's grant names kms:GenerateDataKey*, on the topic's one key only.",
          });
        }
        return;
      case 'events':
        p.eventBus.grantPutEventsTo(role);
        return;
      case 'organization':
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'ReadOrganization',
            actions: [...ORGANIZATION_READ_ACTIONS],
            resources: ['*'],
          }),
        );
        return;
      case 'assume-scanner':
      case 'assume-remediator':
        this.checkAssume(role, access);
        return;
      case 'security-hub':
        if (p.securityHub !== false) role.addToPrincipalPolicy(securityHubImportStatement(Stack.of(this)));
        return;
      case 'start-remediation':
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            sid: 'StartRemediationExecutions',
            actions: ['states:StartExecution'],
            resources: [p.remediationStateMachineArn],
          }),
        );
        return;
    }
  }

  /** Snapshot objects: read (and write) on this bucket's objects, and listing the bucket. */
  private grantSnapshots(role: iam.Role, access: 'snapshots-read' | 'snapshots-write'): void {
    const bucket = this.props.snapshotBucket;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access === 'snapshots-read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    const stack = Stack.of(this);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as never)}.Arn>/*]`,
      reason: 'Snapshot object keys are made per run and account at run time; access is limited to this one bucket.',
    });
  }

  /** Only the hub reader assumes the scanner role, only the hub writer the remediator role (HubRoles grants it). */
  private checkAssume(role: iam.Role, access: 'assume-scanner' | 'assume-remediator'): void {
    const expected = access === 'assume-scanner' ? this.props.roles.reader : this.props.roles.writer;
    if (role !== expected) {
      throw new Error(`${access} is granted only to the hub ${access === 'assume-scanner' ? 'reader' : 'writer'} role`);
    }
  }
}

function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
