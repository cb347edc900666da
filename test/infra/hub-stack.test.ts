import { type CfnResource, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type IrsaDoctorConfigInput, resolveConfig } from '../../infra/config';
import { HANDLER_ENV_VAR } from '../../infra/constructs/irsa-function';
import {
  AUDIT_RECONCILE_SCHEDULE,
  AUDIT_TABLE_ACTIONS,
  HUB_EVENT_BUS_NAME,
  HUB_HANDLERS,
  HUB_READER_ROLE_NAME,
  HUB_WRITER_ROLE_NAME,
  HubStack,
  STATE_MACHINE_ARN_ENV,
} from '../../infra/stacks/hub-stack';
import { ENV } from '../../lambdas/shared/env';
import { WORKFLOW_STEPS } from '../../lambdas/workflow/steps';
import {
  acknowledgements,
  allStates,
  asArray,
  HUB_ACCOUNT,
  HUB_ENV,
  invokedFunction,
  logicalIdOf,
  nagFindingsIgnoringAcknowledgements,
  nagViolations,
  policyDocumentStatements,
  renderDefinition,
  resourcesOf,
  roleStatements,
  testApp,
  text,
} from './helpers';

const APPROVAL_TIMEOUT = Duration.days(2);
const SCHEDULE = 'rate(12 hours)';

function synth(overrides: IrsaDoctorConfigInput = {}) {
  const app = testApp();
  const config = resolveConfig({
    organization: true,
    organizationId: 'o-a1b2c3d4e5',
    approvalTimeout: APPROVAL_TIMEOUT,
    schedule: SCHEDULE,
    externalId: 'irsa-doctor-ext',
    notificationEmail: 'platform@example.com',
    consoleUrl: 'https://irsa.example.com',
    ...overrides,
  });
  const stack = new HubStack(app, 'Hub', { env: HUB_ENV, config });
  return { stack, template: Template.fromStack(stack), config };
}

type FunctionProps = {
  Runtime: string;
  Architectures: string[];
  TracingConfig?: { Mode: string };
  MemorySize: number;
  Timeout: number;
  Role: unknown;
  LoggingConfig?: { LogGroup: unknown };
  Environment: { Variables: Record<string, unknown> };
};

describe('HubStack', () => {
  const { stack, template } = synth();
  const resources = resourcesOf(template);
  // The project's functions: every one names its handler (CDK's own deploy-time handlers, for the console's files and
  // CORS, do not; the approval-console tests cover those).
  const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
    .map(([id, r]) => ({ id, props: (r as { Properties: FunctionProps }).Properties }))
    .filter((f) => f.props.Environment?.Variables?.[HANDLER_ENV_VAR] !== undefined);
  const byHandler = (handler: string) => {
    const found = functions.find((f) => f.props.Environment.Variables[HANDLER_ENV_VAR] === handler);
    if (!found) throw new Error(`no function for ${handler}`);
    return found;
  };
  const roleId = (name: string) => logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === name);
  const machineId = (name: string) =>
    logicalIdOf(template, 'AWS::StepFunctions::StateMachine', (p) => p.StateMachineName === name);

  describe('functions', () => {
    it('are one per handler, each naming its handler in IRSA_DOCTOR_HANDLER', () => {
      // Given the hub stack
      // When the functions' handler variables are read
      const handlers = functions.map((f) => f.props.Environment.Variables[HANDLER_ENV_VAR]);

      // Then every handler has exactly one function, and every function has a handler
      expect([...handlers].sort()).toEqual([...HUB_HANDLERS].sort());
    });

    it('run Node.js 22 on ARM64 with active tracing and a log group kept a year', () => {
      // Given the hub stack's functions
      for (const { id, props } of functions) {
        // When each is read
        // Then it has the project's runtime defaults
        expect({ id, runtime: props.Runtime, arch: props.Architectures, tracing: props.TracingConfig }).toEqual({
          id,
          runtime: 'nodejs22.x',
          arch: ['arm64'],
          tracing: { Mode: 'Active' },
        });
        expect(props.Environment.Variables).toMatchObject({
          POWERTOOLS_SERVICE_NAME: 'irsa-doctor',
          NODE_OPTIONS: '--enable-source-maps',
        });
        const logGroup = resources[text(props.LoggingConfig?.LogGroup).replace(/^<|>$/g, '')];
        expect(logGroup).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 365 } });
      }
    });

    it('size each workflow function as its step declares (lambdas/workflow/steps.ts)', () => {
      // Given the step registry
      for (const step of WORKFLOW_STEPS) {
        // When the step's function is read
        const { props } = byHandler(step.name);

        // Then its timeout, memory and description are the declaration's
        expect({ step: step.name, timeout: props.Timeout, memory: props.MemorySize }).toEqual({
          step: step.name,
          timeout: step.timeoutSeconds,
          memory: step.memoryMb,
        });
      }
      // and the per-account steps have the long timeout (one account's collection or analysis), the rest 5 minutes
      expect(byHandler('collect-account').props.Timeout).toBe(900);
      expect(byHandler('analyze-account').props.Timeout).toBe(900);
      expect(byHandler('start-run').props.Timeout).toBe(300);
    });

    it('give every workflow function the same environment, named as lambdas/shared/env.ts reads it', () => {
      // Given the ten workflow functions and the rollback step (all but start-cluster-check, the deliverer and the
      // approval API, which get only what they read)
      const workflow = HUB_HANDLERS.filter(
        (h) => h !== 'start-cluster-check' && h !== 'deliver-decisions' && h !== 'approval-api',
      ).map(byHandler);
      const withoutOwn = (vars: Record<string, unknown>) => {
        const {
          [HANDLER_ENV_VAR]: _handler,
          [ENV.approversGroup]: _group,
          [ENV.consoleOrigins]: _o,
          [ENV.remediationStateMachineArn]: _remediation,
          [ENV.securityHubRegion]: _securityHub,
          ...rest
        } = vars;
        return rest;
      };

      // When their variables are compared, leaving out the handler name and the rollback step's group
      const first = withoutOwn((workflow[0] as (typeof workflow)[number]).props.Environment.Variables);

      // Then they are identical and carry the configuration
      expect(workflow.map((f) => f.props.Environment.Variables[HANDLER_ENV_VAR])).toContain('run-rollback');
      for (const f of workflow) expect(withoutOwn(f.props.Environment.Variables)).toEqual(first);
      expect(first).not.toHaveProperty(ENV.approversGroup);
      expect(first).toMatchObject({
        [ENV.hubAccountId]: HUB_ACCOUNT,
        [ENV.partition]: { Ref: 'AWS::Partition' },
        [ENV.scannerRoleName]: 'IrsaDoctorScanner',
        [ENV.remediatorRoleName]: 'IrsaDoctorRemediator',
        [ENV.externalId]: 'irsa-doctor-ext',
        [ENV.accounts]: '',
        [ENV.organization]: 'true',
        [ENV.organizationalUnits]: '',
        [ENV.excludeAccounts]: '',
        [ENV.autoApplyActions]: '',
        [ENV.allowWidening]: '',
        [ENV.remediableRoles]: 'tagged',
        [ENV.remediablePaths]: '',
        [ENV.approvalTimeoutSeconds]: String(APPROVAL_TIMEOUT.toSeconds()),
        [ENV.clusterWaitAttempts]: '30',
        [ENV.consoleUrl]: 'https://irsa.example.com',
      });
      // No regions configured: the workflow sweeps the default regions of the stack's partition
      expect(first[ENV.regions]).toBe('');
      for (const key of [ENV.stateTable, ENV.auditTable, ENV.snapshotBucket, ENV.topicArn, ENV.eventBusName]) {
        expect(first[key]).toBeDefined();
      }
      expect(text(first[ENV.eventBusName])).toMatch(/EventBus/);
      // Plans are no longer capped per run: any number wait, each in its own remediation execution
      expect(first).not.toHaveProperty('MAX_PLANS_PER_RUN');
    });

    it('give the remediation ARN, and StartExecution on it alone, only to the steps that start remediations', () => {
      // Given the remediation state machine's ARN (built from its fixed name) and each function's Step Functions grants
      const remediationArn = 'arn:<AWS::Partition>:states:eu-west-1:111122223333:stateMachine:IrsaDoctorRemediation';
      const starters = WORKFLOW_STEPS.filter((s) => s.access.includes('start-remediation')).map((s) => s.name);
      const statesGrants = (h: string) =>
        roleStatements(template, text(byHandler(h).props.Role).replace(/^<|\.Arn>$/g, ''))
          .statements.filter((st) => asArray(st.Action).some((a) => a.startsWith('states:')))
          .map((st) => ({ actions: asArray(st.Action), resources: asArray(st.Resource).map(text) }));

      // When each workflow function's variable and grants are read
      // Then analyze-account and release-dependents have both, the machine's real ARN; no other step has either
      expect(starters.sort()).toEqual(['analyze-account', 'release-dependents']);
      // (the ARN names the machine that exists under that fixed name)
      expect(machineId('IrsaDoctorRemediation')).toMatch(/^RemediationStateMachine/);
      for (const step of WORKFLOW_STEPS) {
        const variable = byHandler(step.name).props.Environment.Variables[ENV.remediationStateMachineArn];
        if (starters.includes(step.name)) {
          expect(text(variable)).toBe(remediationArn);
          expect(statesGrants(step.name)).toEqual([
            { actions: ['states:StartExecution'], resources: [remediationArn] },
          ]);
        } else {
          expect({ step: step.name, variable }).toEqual({ step: step.name, variable: undefined });
          expect({ step: step.name, grants: statesGrants(step.name) }).toEqual({ step: step.name, grants: [] });
        }
      }
    });

    it('give start-cluster-check only the state machine ARN and states:StartExecution on it', () => {
      // Given start-cluster-check
      const f = byHandler('start-cluster-check');
      const sweepId = machineId('IrsaDoctorSweep');

      // When its variables and permissions are read
      const { statements } = roleStatements(template, text(f.props.Role).replace(/^<|\.Arn>$/g, ''));
      const states = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('states:')));

      // Then it can start the sweep and nothing else in Step Functions
      expect(text(f.props.Environment.Variables[STATE_MACHINE_ARN_ENV])).toBe(`<${sweepId}>`);
      expect(Object.keys(f.props.Environment.Variables)).not.toContain(ENV.stateTable);
      expect(states).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: sweepId } }]);
      expect(statements.flatMap((s) => asArray(s.Action)).sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'states:StartExecution',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    it('run each step as the role it declares: the hub reader, the hub writer, or a role of its own', () => {
      // Given the two fixed-name roles
      const reader = `<${roleId(HUB_READER_ROLE_NAME)}.Arn>`;
      const writer = `<${roleId(HUB_WRITER_ROLE_NAME)}.Arn>`;

      // When each function's role is read
      const roleOf = (h: string) => text(byHandler(h).props.Role);

      // Then each step runs as its declared role; the rollback step and the audit reconciler as the writer; every
      // other function (own-role steps, the approval API, the deliverer, the trigger) has a role of its own
      for (const step of WORKFLOW_STEPS.filter((s) => s.role !== 'own')) {
        expect([step.name, roleOf(step.name)]).toEqual([step.name, step.role === 'reader' ? reader : writer]);
      }
      expect(WORKFLOW_STEPS.filter((s) => s.role === 'reader').map((s) => s.name)).toEqual([
        'start-run',
        'check-cluster',
        'collect-account',
        'verify-plan',
      ]);
      expect(WORKFLOW_STEPS.filter((s) => s.role === 'writer').map((s) => s.name)).toEqual(['apply-plan']);
      expect(roleOf('run-rollback')).toBe(writer);
      expect(roleOf('reconcile-audit')).toBe(writer);
      const shared = new Set([
        ...WORKFLOW_STEPS.filter((s) => s.role !== 'own').map((s) => s.name as string),
        'run-rollback',
        'reconcile-audit',
      ]);
      const others = HUB_HANDLERS.filter((h) => !shared.has(h));
      const otherRoles = others.map(roleOf);
      expect(new Set(otherRoles).size).toBe(others.length);
      for (const r of otherRoles) expect([reader, writer]).not.toContain(r);
    });
  });

  describe('hub roles', () => {
    it('let the reader assume only the scanner role and the writer only the remediator role', () => {
      // Given every IAM policy in the stack
      const assume = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
        .map((r) => ({ r, statements: roleOrPolicyStatements(r) }));

      // When the sts:AssumeRole grants are collected, by role
      const grants = assume.flatMap(({ statements }) =>
        statements.filter((s) => asArray(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')),
      );
      const reader = roleStatements(template, roleId(HUB_READER_ROLE_NAME)).statements;
      const writer = roleStatements(template, roleId(HUB_WRITER_ROLE_NAME)).statements;
      const assumeResources = (statements: typeof reader) =>
        statements
          .filter((s) => asArray(s.Action).includes('sts:AssumeRole'))
          .flatMap((s) => asArray(s.Resource).map(text));

      // Then there are exactly two, on the member role name patterns
      expect(grants).toHaveLength(2);
      expect(assumeResources(reader)).toEqual(['arn:<AWS::Partition>:iam::*:role/IrsaDoctorScanner']);
      expect(assumeResources(writer)).toEqual(['arn:<AWS::Partition>:iam::*:role/IrsaDoctorRemediator']);
    });

    it('are assumed by Lambda only, and the reader alone reads Organizations', () => {
      // Given the two roles
      for (const name of [HUB_READER_ROLE_NAME, HUB_WRITER_ROLE_NAME]) {
        // When each trust policy is read
        // Then only lambda.amazonaws.com may assume it
        template.hasResourceProperties('AWS::IAM::Role', {
          RoleName: name,
          AssumeRolePolicyDocument: {
            Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
          },
          ManagedPolicyArns: Match.absent(),
        });
      }
      const actions = (name: string) =>
        roleStatements(template, roleId(name)).statements.flatMap((s) => asArray(s.Action));
      expect(actions(HUB_READER_ROLE_NAME)).toEqual(
        expect.arrayContaining([
          'organizations:ListAccounts',
          'organizations:ListAccountsForParent',
          'organizations:ListOrganizationalUnitsForParent',
          'organizations:DescribeOrganization',
        ]),
      );
      expect(actions(HUB_WRITER_ROLE_NAME).filter((a) => a.startsWith('organizations:'))).toEqual([]);
      expect(actions(HUB_WRITER_ROLE_NAME)).toContain('events:PutEvents');
    });
  });

  describe('table access follows what each step does', () => {
    const stateTableId = logicalIdOf(template, 'AWS::DynamoDB::Table', (p) => p.TimeToLiveSpecification !== undefined);
    const auditTableId = logicalIdOf(template, 'AWS::DynamoDB::Table', (p) => p.TimeToLiveSpecification === undefined);
    const roleOf = (handler: string) => text(byHandler(handler).props.Role).replace(/^<|\.Arn>$/g, '');
    const writes = (handler: string, tableId: string) =>
      roleStatements(template, roleOf(handler)).statements.some(
        (s) =>
          asArray(s.Action).some((a) => a === 'dynamodb:PutItem' || a === 'dynamodb:UpdateItem') &&
          asArray(s.Resource).some((r) => text(r).includes(tableId)),
      );

    it('lets every step that records state write the state table', () => {
      // Given the steps whose code writes runs, plans, findings, approvals or claims (lambdas/workflow/*), and the
      // approval API (decisions are conditional updates of approvals; a rollback updates the plan)
      for (const handler of [
        ...WORKFLOW_STEPS.filter((s) => s.access.includes('state-write')).map((s) => s.name),
        'approval-api',
      ]) {
        // Then each one's role can put and update items there
        expect([handler, writes(handler, stateTableId)]).toEqual([handler, true]);
      }
    });

    it('lets only apply-plan, the rollback step (rollback records) and the reconciler write the audit table', () => {
      const writers = HUB_HANDLERS.filter((h) => h !== 'start-cluster-check' && writes(h, auditTableId));
      expect(writers).toEqual(['apply-plan', 'reconcile-audit', 'run-rollback']);
    });

    it('keeps the audit table append-only for every role: no delete, update or batch write, only put and reads', () => {
      // Given every IAM statement of the stack (roles' inline policies and attached policies), and what could
      // remove or rewrite an audit record or the table's protections
      const forbidden = [
        'dynamodb:DeleteItem',
        'dynamodb:UpdateItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLDelete',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLInsert',
        'dynamodb:DeleteTable',
        'dynamodb:UpdateTable',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:RestoreTableToPointInTime',
        'dynamodb:ImportTable',
      ];
      const matches = (pattern: string, action: string) =>
        new RegExp(
          `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
          'i',
        ).test(action);
      const statements = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
        .flatMap((r) => roleOrPolicyStatements(r))
        .filter((st) => st.Effect === 'Allow');
      const onAudit = statements.filter((st) =>
        asArray(st.Resource).some((r) => text(r).includes(auditTableId) || text(r) === '*'),
      );

      // When the actions they allow on the audit table are matched against those
      const granted = onAudit.flatMap((st) => asArray(st.Action).map(String));
      const offending = granted.filter((a) => forbidden.some((f) => matches(a, f)));

      // Then none is allowed; the writers have exactly the append and read actions; the table keeps PITR and
      // deletion protection
      expect(offending).toEqual([]);
      const auditActions = new Set(
        onAudit
          .filter((st) => asArray(st.Resource).some((r) => text(r).includes(auditTableId)))
          .flatMap((st) => asArray(st.Action).map(String)),
      );
      expect([...auditActions].sort()).toEqual([...AUDIT_TABLE_ACTIONS].sort());
      expect(resources[auditTableId]?.Properties).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });
  });

  describe('storage', () => {
    it('keeps the audit table without TTL and ages the state table out by ttl', () => {
      // Given the two tables
      const table = (name: string) =>
        Object.entries(resources).find(([id, r]) => r.Type === 'AWS::DynamoDB::Table' && id.startsWith(name))?.[1];
      const state = table('StateTable');
      const audit = table('AuditTable');

      // When their settings are read
      // Then state has TTL 'ttl', audit has none; both are on-demand, PITR, pk/sk, retained
      expect(state?.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
      expect(audit?.Properties?.TimeToLiveSpecification).toBeUndefined();
      for (const t of [state, audit]) {
        expect(t).toMatchObject({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
          },
        });
      }
    });

    it('keeps snapshots private, encrypted, logged and for 30 days', () => {
      // Given the snapshot bucket
      // When its properties are read
      // Then public access is blocked, objects are S3-encrypted, expire after 30 days, and access is logged
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'snapshot-bucket/' },
      });
      // and every bucket refuses plain HTTP
      const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
      for (const bucket of buckets) {
        template.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: bucket },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('encrypts the topic with its own rotated key (alarms can use it) and refuses plain HTTP publishing', () => {
      // Given the topic
      const topic = Object.values(template.findResources('AWS::SNS::Topic'))[0] as {
        Properties: { KmsMasterKeyId: unknown };
      };

      // When read
      // Then it uses the hub's key (rotated), requires TLS, and mails the configured address
      const keyId = stack.getLogicalId(stack.topicKey.node.defaultChild as CfnResource);
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'platform@example.com',
      });
    });
  });

  describe('events', () => {
    it('admits the organization to the irsa-doctor bus by aws:PrincipalOrgID', () => {
      // Given organization mode
      // When the bus and its policy are read
      // Then the bus is named irsa-doctor and only the organization may put events on it
      template.hasResourceProperties('AWS::Events::EventBus', { Name: HUB_EVENT_BUS_NAME });
      template.hasResourceProperties('AWS::Events::EventBusPolicy', {
        Statement: {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Principal: { AWS: '*' },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      });
    });

    it('starts a cluster check on CreateCluster, on the default bus and on the hub bus', () => {
      // Given start-cluster-check and the bus
      const target = `<${byHandler('start-cluster-check').id}.Arn>`;
      const busId = logicalIdOf(template, 'AWS::Events::EventBus', () => true);

      // When the rules are read
      const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
        Properties: { EventBusName?: unknown; EventPattern: unknown; Targets: { Arn: unknown }[] };
      }[];

      // Then one rule listens on each bus, for CreateCluster, invoking start-cluster-check
      expect(
        rules.map((r) => (r.Properties.EventBusName ? text(r.Properties.EventBusName) : 'default')).sort(),
      ).toEqual([`<${busId}>`, 'default'].sort());
      for (const rule of rules) {
        expect(rule.Properties.EventPattern).toEqual({
          source: ['aws.eks'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: { eventSource: ['eks.amazonaws.com'], eventName: ['CreateCluster'] },
        });
        expect(rule.Properties.Targets.map((t) => text(t.Arn))).toEqual([target]);
      }
    });

    it('runs the audit reconciler every hour', () => {
      // Given the reconciler function
      const fnId = byHandler('reconcile-audit').id;

      // When the schedules are read
      // Then one invokes it hourly with an empty input (the default minimum age)
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: AUDIT_RECONCILE_SCHEDULE,
        State: 'ENABLED',
        Target: { Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, Input: '{}' },
      });
    });

    it('schedules the sweep with the configured expression', () => {
      // Given the configured schedule
      const sweepId = machineId('IrsaDoctorSweep');

      // When the schedule is read
      // Then it starts the sweep with the sweep input
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: SCHEDULE,
        State: 'ENABLED',
        Target: { Arn: { Ref: sweepId }, Input: JSON.stringify({ mode: 'sweep', trigger: 'schedule' }) },
      });
    });
  });

  describe('state machines', () => {
    const sweep = allStates(renderDefinition(template, 'IrsaDoctorSweep'));
    const remediation = allStates(renderDefinition(template, 'IrsaDoctorRemediation'));
    const invoked = (states: typeof sweep) =>
      new Set(states.filter(([, s]) => s.Type === 'Task').map(([, s]) => invokedFunction(s)));

    it('wait for approval in the remediation machine only, with a task token, for the configured timeout', () => {
      // Given both rendered definitions
      // When the task-token tasks are found
      const waiting = (states: typeof sweep) =>
        states.filter(([, s]) => s.Type === 'Task' && /lambda:invoke\.waitForTaskToken$/.test(String(s.Resource)));

      // Then the sweep has none, the remediation machine one, timing out after the configured approval timeout
      expect(waiting(sweep)).toEqual([]);
      expect(waiting(remediation)).toHaveLength(1);
      const [name, state] = waiting(remediation)[0] as [string, Record<string, unknown>];
      expect(name).toBe('Wait For Approval');
      expect(state.TimeoutSeconds).toBe(APPROVAL_TIMEOUT.toSeconds());
      expect(invokedFunction(state)).toBe(`<${byHandler('request-approval').id}.Arn>`);
    });

    it("invoke each registry step's function from its own machine, and nothing else; log ALL with tracing", () => {
      // Given the steps of each machine in the registry
      const expected = (machine: 'sweep' | 'remediation') =>
        WORKFLOW_STEPS.filter((s) => s.machine === machine)
          .map((s) => `<${byHandler(s.name).id}.Arn>`)
          .sort();

      // When the functions their Lambda tasks invoke are compared
      // Then each machine invokes exactly its steps' functions (no trigger, console or reconciler function)
      expect([...invoked(sweep)].sort()).toEqual(expected('sweep'));
      expect([...invoked(remediation)].sort()).toEqual(expected('remediation'));
      const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine')) as {
        Properties: Record<string, unknown>;
      }[];
      expect(machines).toHaveLength(2);
      for (const m of machines) {
        expect(m.Properties).toMatchObject({
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: expect.objectContaining({ Level: 'ALL', IncludeExecutionData: false }),
        });
      }
    });

    it('time the remediation machine out after the approval wait and a margin for the other steps', () => {
      // Given the remediation definition
      const definition = renderDefinition(template, 'IrsaDoctorRemediation');

      // When its own timeout is read
      // Then it is the approval timeout plus six hours; the sweep has none (it waits for nobody)
      expect(definition.TimeoutSeconds).toBe(APPROVAL_TIMEOUT.toSeconds() + 6 * 3600);
      expect(renderDefinition(template, 'IrsaDoctorSweep').TimeoutSeconds).toBeUndefined();
    });
  });

  it('keeps the logical ids of the resources with fixed names or kept data, so an update never replaces them', () => {
    // Given the resources that have a fixed name (a replacement would collide with the old one) or that are retained
    // with data (a replacement would orphan it), with their ids from before the stack was split into constructs
    const kept: Record<string, string> = {
      StateTable9728C7E5: 'AWS::DynamoDB::Table',
      AuditTableB07F8EEB: 'AWS::DynamoDB::Table',
      AccessLogBucketDA470295: 'AWS::S3::Bucket',
      SnapshotBucketB2BF31D3: 'AWS::S3::Bucket',
      EventBus7B8748AA: 'AWS::Events::EventBus',
      HubReaderRole8BC77EB8: 'AWS::IAM::Role',
      HubWriterRoleDE79F917: 'AWS::IAM::Role',
      ApprovalConsoleUserPool28424110: 'AWS::Cognito::UserPool',
      ApprovalConsoleBucketA02B739F: 'AWS::S3::Bucket',
    };

    // When the template's resources are looked up by those ids
    const found = Object.fromEntries(Object.keys(kept).map((id) => [id, resources[id]?.Type]));

    // Then each is still there, with its type
    expect(found).toEqual(kept);
  });

  it('outputs what operators and member stacks need', () => {
    // Given the stack
    // When its outputs are listed
    const outputs = Object.keys(template.findOutputs('*'));

    // Then each named resource is exported
    expect(outputs.sort()).toEqual(
      [
        'AddApproverCommand',
        'ApiUrl',
        'ConsoleUrl',
        'DashboardName',
        'UserPoolClientId',
        'UserPoolId',
        'SignInDomain',
        'AuditTableName',
        'EventBusArn',
        'HubReaderRoleArn',
        'HubWriterRoleArn',
        'SnapshotBucketName',
        'RemediationStateMachineArn',
        'StateMachineArn',
        'StateTableName',
        'TopicArn',
      ].sort(),
    );
  });

  describe('cdk-nag AwsSolutions', () => {
    it('has no unacknowledged violations', () => {
      // Given the synthesized hub stack
      // When the AwsSolutions checks run
      // Then nothing is left
      expect(nagViolations(stack)).toEqual([]);
    });

    it('gives every acknowledgement a reason, and each answers a real finding', () => {
      // Given the acknowledgements on the stack's constructs
      const acks = acknowledgements(stack);
      const findings = new Set(nagFindingsIgnoringAcknowledgements(stack).map((f) => f.rule));

      // When compared with what cdk-nag finds without them
      // Then each has a reason and none is stale
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect({ id: ack.id, reasonLength: String(ack.reason).trim().length > 20 }).toEqual({
          id: ack.id,
          reasonLength: true,
        });
        expect(findings).toContain(ack.id);
      }
    });
  });
});

describe('HubStack with an account list', () => {
  it('admits the listed accounts to the bus, not the whole world', () => {
    // Given an account list instead of the organization
    const { template } = synth({ organization: false, organizationId: undefined, accounts: ['444455556666'] });

    // When the bus policy is read
    // Then the listed account is its principal, with no wildcard
    template.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:root']] } },
      }),
    });
  });

  it('admits nobody to the bus and subscribes nobody when neither accounts, organization nor email are set', () => {
    // Given the defaults, without the console (which links approval e-mails to itself)
    const { template, stack } = synth({
      organization: false,
      organizationId: undefined,
      notificationEmail: undefined,
      externalId: undefined,
      consoleUrl: undefined,
      console: false,
    });

    // When synthesized
    // Then only the hub account may use its bus, nobody is subscribed, and optional variables are absent
    // (the bus policy holds only its two Denies: nobody outside the hub account is admitted)
    const busStatements = Object.values(template.findResources('AWS::Events::EventBusPolicy')).map(
      (p) => (p as { Properties: { Statement: { Effect: string } } }).Properties.Statement,
    );
    expect(busStatements.map((st) => st.Effect)).toEqual(['Deny', 'Deny']);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const vars = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => (f as { Properties: FunctionProps }).Properties.Environment.Variables,
    );
    for (const v of vars) {
      expect(v).not.toHaveProperty(ENV.externalId);
      expect(v).not.toHaveProperty(ENV.consoleUrl);
    }
    expect(nagViolations(stack)).toEqual([]);
  });
});

function roleOrPolicyStatements(r: { Type: string; Properties?: Record<string, unknown> }) {
  if (r.Type === 'AWS::IAM::Policy') return policyDocumentStatements(r.Properties?.PolicyDocument);
  return asArray(r.Properties?.Policies as { PolicyDocument: unknown }[]).flatMap((p) =>
    policyDocumentStatements(p.PolicyDocument),
  );
}

describe('HubStack concurrency', () => {
  it('runs each account Map at its configured concurrency', () => {
    // Given a configuration with its own concurrencies
    const { template } = synth({ accountConcurrency: 25, analysisConcurrency: 7 });

    // When the sweep's Maps are read
    const sweep = Object.fromEntries(allStates(renderDefinition(template, 'IrsaDoctorSweep')));

    // Then collection and analysis run that many accounts at once
    expect(sweep['Collect Accounts']?.MaxConcurrency).toBe(25);
    expect(sweep['Analyze Accounts']?.MaxConcurrency).toBe(7);
  });
});

describe('HubStack props', () => {
  it('fails when the configuration was not validated, naming the field', () => {
    // Given a configuration built by hand with a bad account id
    const config = { ...resolveConfig(), accounts: ['123'] };

    // When the stack is made
    // Then it refuses before making any resource
    expect(() => new HubStack(testApp(), 'Hub', { env: HUB_ENV, config })).toThrow(/config: accounts/);
  });
});
