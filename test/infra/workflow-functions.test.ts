import { Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../infra/config';
import { HANDLER_ENV_VAR } from '../../infra/constructs/irsa-function';
import { HubStack } from '../../infra/stacks/hub-stack';
import { type StepAccess, WORKFLOW_STEPS } from '../../lambdas/workflow/steps';
import {
  asArray,
  HUB_ENV,
  logicalIdOf,
  policyDocumentStatements,
  resourcesOf,
  roleStatements,
  type Statement,
  testApp,
  text,
} from './helpers';

const stack = new HubStack(testApp(), 'Hub', {
  env: HUB_ENV,
  config: resolveConfig({ accounts: ['444455556666'], consoleUrl: 'https://irsa.example.com' }),
});
const template = Template.fromStack(stack);
const resources = resourcesOf(template);
const stateTable = logicalIdOf(template, 'AWS::DynamoDB::Table', (p) => p.TimeToLiveSpecification !== undefined);
const auditTable = logicalIdOf(template, 'AWS::DynamoDB::Table', (p) => p.DeletionProtectionEnabled === true);
const snapshotBucket = logicalIdOf(template, 'AWS::S3::Bucket', (p) =>
  JSON.stringify(p.LoggingConfiguration ?? {}).includes('snapshot-bucket/'),
);
const REMEDIATION_ARN = 'arn:<AWS::Partition>:states:eu-west-1:111122223333:stateMachine:IrsaDoctorRemediation';
/** The hub's own default product of a custom integration: the only place findings are imported. */
const SECURITY_HUB_PRODUCT = 'arn:<AWS::Partition>:securityhub:eu-west-1:111122223333:product/111122223333/default';

/** The function of a step (or other handler), by IRSA_DOCTOR_HANDLER. */
function functionOf(handler: string): { id: string; role: string } {
  const found = Object.entries(resources).find(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      (r.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables?.[
        HANDLER_ENV_VAR
      ] === handler,
  );
  if (!found) throw new Error(`no function for ${handler}`);
  return { id: found[0], role: text(found[1].Properties?.Role).replace(/^<|\.Arn>$/g, '') };
}

type Rule = readonly [capability: string, action: RegExp, resource: (r: string) => boolean];
const on = (id: string) => (r: string) => r.startsWith(`<${id}.Arn>`) || r === `<${id}>`;
const is = (value: string) => (r: string) => r === value;
const any = () => true;

/** What an (action, resource) pair of a role's policy amounts to, in the registry's terms; first match wins. */
const RULES: readonly Rule[] = [
  ['state-write', /^dynamodb:.*(Put|Update|Delete|BatchWrite)/, on(stateTable)],
  ['state-read', /^dynamodb:/, on(stateTable)],
  ['audit-append', /^dynamodb:/, on(auditTable)],
  ['snapshots-write', /^s3:PutObject$/, on(snapshotBucket)],
  ['snapshots-read', /^s3:(GetObject|ListBucket)$/, on(snapshotBucket)],
  ['notify', /^sns:Publish$/, any],
  // The topic is encrypted with the hub's own key (so that alarms can publish): publishing uses the key, and only it
  ['notify', /^kms:(Decrypt|GenerateDataKey\*)$/, (r) => /^<TopicKey[0-9A-F]{8}\.Arn>$/.test(r)],
  ['events', /^events:PutEvents$/, any],
  ['organization', /^organizations:/, is('*')],
  ['assume-scanner', /^sts:AssumeRole$/, (r) => r.endsWith(':role/IrsaDoctorScanner')],
  ['assume-remediator', /^sts:AssumeRole$/, (r) => r.endsWith(':role/IrsaDoctorRemediator')],
  ['start-remediation', /^states:StartExecution$/, is(REMEDIATION_ARN)],
  ['security-hub', /^securityhub:BatchImportFindings$/, is(SECURITY_HUB_PRODUCT)],
  // The rollback step's event source (the state table's stream), on the writer it runs as
  ['rollback-stream', /^dynamodb:(DescribeStream|GetRecords|GetShardIterator)$/, is(`<${stateTable}.StreamArn>`)],
  ['rollback-stream', /^dynamodb:ListStreams$/, is('*')],
  // Every function's own: its log group (no logs:CreateLogGroup) and active tracing
  ['baseline', /^logs:(CreateLogStream|PutLogEvents)$/, (r) => /LogGroup/.test(r)],
  ['baseline', /^xray:(PutTraceSegments|PutTelemetryRecords)$/, is('*')],
];

function capability(action: string, resource: string): string {
  const rule = RULES.find(([, a, r]) => a.test(action) && r(resource));
  return rule ? rule[0] : `unexpected ${action} on ${resource}`;
}

/** The capabilities a role's statements grant (read implied by write, as CDK grants write). */
function capabilities(statements: readonly Statement[]): string[] {
  const found = new Set<string>();
  for (const s of statements.filter((st) => st.Effect === 'Allow')) {
    for (const action of asArray(s.Action)) {
      for (const resource of asArray(s.Resource).map(text)) found.add(capability(action, resource));
    }
  }
  found.delete('baseline');
  return [...found].sort();
}

/** What a list of access entries should grant: write access includes reading. */
function expected(access: readonly StepAccess[]): string[] {
  const out = new Set<string>(access);
  if (out.has('state-write')) out.add('state-read');
  if (out.has('snapshots-write')) out.add('snapshots-read');
  return [...out].sort();
}

describe('WorkflowFunctions: grants from the step registry', () => {
  it.each(WORKFLOW_STEPS.filter((s) => s.role === 'own').map((s) => [s.name, s] as const))(
    'grants %s (a role of its own) exactly what its access list names',
    (_name, step) => {
      // Given the step's function and its own role
      const { role } = functionOf(step.name);

      // When the role's statements are read as capabilities
      const granted = capabilities(roleStatements(template, role).statements);

      // Then they are exactly the declared access, nothing unexpected
      expect(granted).toEqual(expected(step.access));
    },
  );

  it.each([
    ['reader', 'IrsaDoctorHubReader'],
    ['writer', 'IrsaDoctorHubWriter'],
  ] as const)('grants the hub %s exactly the union of its steps’ access lists', (kind, roleName) => {
    // Given the steps that run as the shared role
    const steps = WORKFLOW_STEPS.filter((s) => s.role === kind);
    const roleId = logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === roleName);
    for (const step of steps) expect(functionOf(step.name).role).toBe(roleId);

    // When the role's statements are read as capabilities
    const granted = capabilities(roleStatements(template, roleId).statements);

    // Then they are the union of what those steps declare; of the console's rollback step and the audit reconciler,
    // which run as the writer too, only the rollback step's stream trigger adds a read of the state table's stream
    expect(steps.length).toBeGreaterThan(0);
    const union = steps.flatMap((s) => s.access).filter((a, i, all) => all.indexOf(a) === i);
    expect(granted).toEqual([...expected(union), ...(kind === 'writer' ? ['rollback-stream'] : [])].sort());
  });

  it('with securityHub off, no function imports: no SECURITY_HUB_REGION and no securityhub grant anywhere', () => {
    // Given the hub synthesized with the import turned off, and the default (on) for comparison
    const off = Template.fromStack(
      new HubStack(testApp(), 'HubOff', {
        env: HUB_ENV,
        config: resolveConfig({ accounts: ['444455556666'], securityHub: false }),
      }),
    ).toJSON();
    const on = template.toJSON();

    // Then only the default names the variable (on the analysis function) and the action
    expect(JSON.stringify(on)).toContain('"SECURITY_HUB_REGION":"eu-west-1"');
    expect(JSON.stringify(on)).toContain('securityhub:BatchImportFindings');
    expect(JSON.stringify(off)).not.toMatch(/SECURITY_HUB_REGION|securityhub:/);
  });

  it('grants no role the same action on the same resource twice (write access is not granted again as read)', () => {
    // Given each workflow step's role, the shared ones once
    const roles = [...new Set(WORKFLOW_STEPS.map((s) => functionOf(s.name).role))];

    // When each role's (action, resource) pairs are listed
    const repeated = roles.flatMap((role) => {
      const pairs = roleStatements(template, role)
        .statements.filter((st) => st.Effect === 'Allow')
        .flatMap((st) => asArray(st.Action).flatMap((a) => asArray(st.Resource).map((r) => `${a} ${text(r)}`)));
      return pairs.filter((pair, i) => pairs.indexOf(pair) !== i).map((pair) => `${role}: ${pair}`);
    });

    // Then none repeats
    expect(repeated).toEqual([]);
  });

  it('never grants Resource "*" but for actions without resource-level permissions', () => {
    // Given every Allow statement of every role and policy in the hub stack
    const statements = Object.values(resources).flatMap((r) => {
      if (r.Type === 'AWS::IAM::Policy') return policyDocumentStatements(r.Properties?.PolicyDocument);
      if (r.Type === 'AWS::IAM::Role') {
        return asArray(r.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) =>
          asArray(p.PolicyDocument.Statement),
        );
      }
      return [];
    });

    // When the actions granted on "*" are collected
    const onStar = new Set(
      statements
        .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).some((r) => text(r) === '*'))
        .flatMap((s) => asArray(s.Action)),
    );

    // Then each is an X-Ray, log-delivery, Organizations read or stream-listing action (none of which takes a
    // resource), or the console deployment's CloudFront invalidation (CDK's BucketDeployment, acknowledged there)
    const allowed =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|organizations:(ListAccounts|ListAccountsForParent|ListOrganizationalUnitsForParent|DescribeOrganization)|dynamodb:ListStreams|cloudfront:(CreateInvalidation|GetInvalidation))$/;
    expect([...onStar].filter((a) => !allowed.test(a))).toEqual([]);
    expect(onStar.size).toBeGreaterThan(0);
  });

  it('gives every step function the generic handler, its description and the step name', () => {
    // Given the registry
    for (const step of WORKFLOW_STEPS) {
      // When the step's function is read
      const fn = resources[functionOf(step.name).id]?.Properties as { Description: string; Handler: string };

      // Then it describes the step
      expect([step.name, fn.Description]).toEqual([step.name, step.description]);
    }
  });
});
