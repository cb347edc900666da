/**
 * The attack table harness: decides requests against the IAM policies a CDK app synthesizes, offline, with
 * @cloud-copilot/iam-simulate, so infra tests can assert what IAM itself allows and denies.
 *
 * LICENSE: iam-simulate is AGPL-3.0-or-later, a dev dependency used only by tests; nothing under lambdas/, cli/ or
 * infra/ may import this file.
 *
 * Use:
 *
 *   const template = Template.fromStack(stack).toJSON();
 *   const subject = roleSubject(template, 'RemediatorRole1234');           // the role's identity policies
 *   const verdict = await decide(subject, {
 *     action: 'iam:UpdateAssumeRolePolicy',
 *     resource: 'arn:aws:iam::222233334444:role/AWSControlTowerExecution',
 *     resourceTags: { 'irsa-doctor:remediable': 'true' },
 *   });
 *   expect(verdict.decision).toBe('ExplicitlyDenied');
 *   expect(verdict.deniedBy).toContain('NeverRewriteProtectedRoles');
 *
 * or, for a table of rows, `expect(await tableFailures(subject, rows)).toEqual([])` (each row: name, request,
 * expect 'Allowed' | 'Denied', optionally the Sid that must decide it).
 *
 * Requests name concrete ARNs; `resourceTags` become `aws:ResourceTag/<key>`, `requestTags` become
 * `aws:RequestTag/<key>` and `aws:TagKeys` (unless `tagKeys` is given), `aws:PrincipalArn` and `aws:PrincipalAccount`
 * come from the subject, and `context` adds any other key (`aws:PrincipalOrgID`, `events:source`, ...) or overrides
 * these. A subject is the identity policies of a principal, plus optionally a
 * resource policy (`eventBusPolicy`): cross-account requests need both, as in IAM.
 *
 * CloudFormation intrinsics in the templates (Ref, Fn::GetAtt of Arn and a table's StreamArn, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) are resolved
 * to concrete values for one account, region and partition (`AttackEnv`); anything else throws, so a row is never
 * decided on a value the harness did not understand. So does a context key iam-simulate would drop for the action.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

export type TemplateJson = { readonly Resources?: Record<string, TemplateResource> } & Record<string, unknown>;
interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The account, region and partition the template's pseudo parameters resolve to. */
export interface AttackEnv {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}
export const DEFAULT_ATTACK_ENV: AttackEnv = { account: '222233334444', region: 'eu-west-1', partition: 'aws' };

export interface IamPolicy {
  readonly name: string;
  readonly policy: Record<string, unknown>;
}

/** Who asks, and every policy that decides. */
export interface PolicySubject {
  /** The calling principal's ARN (a role ARN). */
  readonly principal: string;
  /** The principal's account (the resource's account decides whether the request is cross-account). */
  readonly account: string;
  readonly identityPolicies: readonly IamPolicy[];
  readonly resourcePolicy?: Record<string, unknown>;
}

export interface AttackRequest {
  readonly action: string;
  /** A concrete ARN (no wildcards). */
  readonly resource: string;
  readonly resourceTags?: Readonly<Record<string, string>>;
  readonly requestTags?: Readonly<Record<string, string>>;
  /** `aws:TagKeys`; defaults to the keys of `requestTags`. */
  readonly tagKeys?: readonly string[];
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type SimulatedDecision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

export interface AttackVerdict {
  /** What IAM answers. */
  readonly decision: SimulatedDecision;
  /** The Sids (or `policy#index`) of the statements that allowed and that denied the request. */
  readonly allowedBy: readonly string[];
  readonly deniedBy: readonly string[];
}

/** Decides one request for a subject. Throws when the request or the policies cannot be simulated faithfully. */
export async function decide(subject: PolicySubject, request: AttackRequest): Promise<AttackVerdict> {
  const resourceAccount = /^arn:[^:]+:[^:]+:[^:]*:(\d{12})?:/.exec(request.resource)?.[1] ?? subject.account;
  const contextVariables = contextVariablesOf(subject, request);

  const simulation: Simulation = {
    request: {
      principal: subject.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables,
    },
    identityPolicies: subject.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(subject.resourcePolicy ? { resourcePolicy: subject.resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, { simulationMode: 'Strict' });
  const { decision, one } = singleResult(result, request);
  const analysis = one.analysis as unknown as Record<string, AnalysisPart | undefined>;
  const parts = [analysis.identityAnalysis, analysis.resourceAnalysis].filter((p): p is AnalysisPart => !!p);
  return {
    decision,
    allowedBy: parts.flatMap((p) => (p.allowStatements ?? []).filter(matched).map(statementName)),
    deniedBy: parts.flatMap((p) => (p.denyStatements ?? []).filter(matched).map(statementName)),
  };
}

/** The request's context keys: what IAM sets for a role principal, the tags, and the row's own (which win). */
function contextVariablesOf(subject: PolicySubject, request: AttackRequest): Record<string, string | string[]> {
  // What IAM always sets for a role principal; a row's `context` may override it.
  const contextVariables: Record<string, string | string[]> = {
    'aws:PrincipalArn': subject.principal,
    'aws:PrincipalAccount': subject.account,
  };
  for (const [k, v] of Object.entries(request.resourceTags ?? {})) contextVariables[`aws:ResourceTag/${k}`] = v;
  for (const [k, v] of Object.entries(request.requestTags ?? {})) contextVariables[`aws:RequestTag/${k}`] = v;
  const tagKeys = request.tagKeys ?? (request.requestTags ? Object.keys(request.requestTags) : undefined);
  if (tagKeys) contextVariables['aws:TagKeys'] = [...tagKeys];
  for (const [k, v] of Object.entries(request.context ?? {})) contextVariables[k] = typeof v === 'string' ? v : [...v];
  return contextVariables;
}

type SimulationResult = Awaited<ReturnType<typeof runSimulation>>;

/**
 * IAM's answer and the one simulation of the request; throws when iam-simulate refused it or ignored a context key
 * the row sets.
 */
function singleResult(result: SimulationResult, request: AttackRequest) {
  if (result.resultType === 'error')
    throw new Error(`iam-simulate refused the simulation: ${JSON.stringify(result.errors)}`);
  const one =
    result.resultType === 'single' ? result.result : result.results.length === 1 ? result.results[0] : undefined;
  if (!one) throw new Error(`expected one simulation for ${request.resource}, got ${result.resultType}`);
  const ignored = one.ignoredContextKeys ?? [];
  if (ignored.length > 0) {
    throw new Error(`iam-simulate ignored ${ignored.join(', ')} for ${request.action}: the row would not test them`);
  }
  return { decision: result.overallResult as SimulatedDecision, one };
}

interface AnalysisStatement {
  readonly policyId?: string;
  /** iam-policy's Statement object. */
  readonly statement?: { sid?: () => string | undefined; index?: () => number };
  readonly resourceMatch?: boolean;
  readonly actionMatch?: boolean;
  readonly conditionMatch?: string;
  readonly principalMatch?: string;
}
interface AnalysisPart {
  readonly allowStatements?: readonly AnalysisStatement[];
  readonly denyStatements?: readonly AnalysisStatement[];
}

function matched(s: AnalysisStatement): boolean {
  return (
    s.resourceMatch !== false &&
    s.actionMatch !== false &&
    s.conditionMatch === 'Match' &&
    s.principalMatch !== 'NoMatch'
  );
}

function statementName(s: AnalysisStatement): string {
  return s.statement?.sid?.() ?? `${s.policyId ?? 'policy'}#${s.statement?.index?.() ?? '?'}`;
}

// ---- tables ------------------------------------------------------------------------------------------------------

/** One row of an attack table: a request, what IAM must answer ('Denied' is either kind of deny), and by what. */
export interface AttackRow {
  readonly name: string;
  readonly request: AttackRequest;
  readonly expect: 'Allowed' | 'Denied';
  /** A statement Sid that must be among those that decided it (matched as a suffix: CDK prefixes bus Sids `cdk-`). */
  readonly by?: string;
}

/** Separates a row's name from why it failed in `tableFailures`' answer. */
export const FAILURE_SEPARATOR = ' => ';

/**
 * Decides every row and returns the ones whose verdict does not meet them, as `<name> => <why>`; empty when the
 * table holds. `subject` is one subject for all rows, or a function choosing one per row.
 */
export async function tableFailures<R extends AttackRow>(
  subject: PolicySubject | ((row: R) => PolicySubject),
  rows: readonly R[],
): Promise<string[]> {
  const out: string[] = [];
  for (const row of rows) {
    const verdict = await decide(typeof subject === 'function' ? subject(row) : subject, row.request);
    const allowed = verdict.decision === 'Allowed';
    const deciders = allowed ? verdict.allowedBy : verdict.deniedBy;
    if ((row.expect === 'Allowed') !== allowed) {
      out.push(`${row.name}${FAILURE_SEPARATOR}expected ${row.expect}, IAM says ${verdict.decision}`);
    } else if (row.by !== undefined && !deciders.some((sid) => sid.endsWith(row.by as string))) {
      out.push(`${row.name}${FAILURE_SEPARATOR}decided by [${deciders.join(', ')}], not ${row.by}`);
    }
  }
  return out;
}

/** The row names of `tableFailures`' answer. */
export function failedRowNames(failures: readonly string[]): string[] {
  return failures.map((f) => f.slice(0, f.indexOf(FAILURE_SEPARATOR)));
}

// ---- subjects from templates ------------------------------------------------------------------------------------

/** A role of the template as the caller: its ARN and every identity policy that applies to it. */
export function roleSubject(
  template: TemplateJson,
  roleLogicalId: string,
  env: AttackEnv = DEFAULT_ATTACK_ENV,
): PolicySubject {
  return {
    principal: String(resolveIntrinsics({ 'Fn::GetAtt': [roleLogicalId, 'Arn'] }, template, env)),
    account: env.account,
    identityPolicies: roleIdentityPolicies(template, roleLogicalId, env),
  };
}

/**
 * Every identity policy of a role, resolved: its inline policies, the AWS::IAM::Policy and AWS::IAM::ManagedPolicy
 * resources attached to it, and the managed policies it names that the template defines. Throws on a managed policy
 * from outside the template (its statements are unknown here) and on a permissions boundary.
 */
export function roleIdentityPolicies(
  template: TemplateJson,
  roleLogicalId: string,
  env: AttackEnv = DEFAULT_ATTACK_ENV,
): IamPolicy[] {
  const resources = template.Resources ?? {};
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not an AWS::IAM::Role of the template`);
  if (role.Properties?.PermissionsBoundary !== undefined) {
    throw new Error(`${roleLogicalId} has a permissions boundary; the harness does not simulate boundaries`);
  }
  const policies: IamPolicy[] = [];
  const inline = (role.Properties?.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[];
  for (const p of inline) {
    policies.push({
      name: String(resolveIntrinsics(p.PolicyName, template, env)),
      policy: resolvedDocument(p.PolicyDocument, template, env),
    });
  }
  const refersToRole = (list: unknown) =>
    Array.isArray(list) && list.some((r) => isObject(r) && r.Ref === roleLogicalId);
  const managedInTemplate = managedPoliciesOf(roleLogicalId, role.Properties?.ManagedPolicyArns, resources);
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Policy' && refersToRole(r.Properties?.Roles)) {
      policies.push({ name: id, policy: resolvedDocument(r.Properties?.PolicyDocument, template, env) });
    }
    if (r.Type === 'AWS::IAM::ManagedPolicy' && (refersToRole(r.Properties?.Roles) || managedInTemplate.has(id))) {
      policies.push({ name: id, policy: resolvedDocument(r.Properties?.PolicyDocument, template, env) });
    }
  }
  return policies;
}

/** The logical ids of the role's ManagedPolicyArns; throws on one the template does not define. */
function managedPoliciesOf(
  roleLogicalId: string,
  arns: unknown,
  resources: NonNullable<TemplateJson['Resources']>,
): Set<string> {
  const managedInTemplate = new Set<string>();
  for (const arn of (arns ?? []) as unknown[]) {
    if (isObject(arn) && typeof arn.Ref === 'string' && resources[arn.Ref]?.Type === 'AWS::IAM::ManagedPolicy') {
      managedInTemplate.add(arn.Ref);
    } else {
      throw new Error(
        `${roleLogicalId} has managed policy ${JSON.stringify(arn)}, whose statements the template does not hold`,
      );
    }
  }
  return managedInTemplate;
}

/**
 * The resource policy of an event bus of the template: its `Policy` property and every AWS::Events::EventBusPolicy
 * that targets it, as one document.
 */
export function eventBusPolicy(
  template: TemplateJson,
  busLogicalId: string,
  env: AttackEnv = DEFAULT_ATTACK_ENV,
): Record<string, unknown> {
  const resources = template.Resources ?? {};
  const bus = resources[busLogicalId];
  if (bus?.Type !== 'AWS::Events::EventBus') throw new Error(`${busLogicalId} is not an AWS::Events::EventBus`);
  const statements: unknown[] = [];
  if (bus.Properties?.Policy !== undefined) {
    const own = resolvedDocument(bus.Properties.Policy, template, env).Statement;
    statements.push(...(Array.isArray(own) ? own : [own]));
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Events::EventBusPolicy') continue;
    const target = r.Properties?.EventBusName;
    if (!(isObject(target) && target.Ref === busLogicalId)) continue;
    if (r.Properties?.Statement === undefined) throw new Error('an EventBusPolicy without Statement is not supported');
    statements.push(resolveIntrinsics(r.Properties.Statement, template, env));
  }
  return { Version: '2012-10-17', Statement: statements };
}

function resolvedDocument(document: unknown, template: TemplateJson, env: AttackEnv): Record<string, unknown> {
  const resolved = resolveIntrinsics(document, template, env);
  if (!isObject(resolved)) throw new Error(`a policy document is not an object: ${JSON.stringify(resolved)}`);
  return resolved;
}

// ---- CloudFormation intrinsics ----------------------------------------------------------------------------------

/** Resolves Ref, Fn::GetAtt (Arn; StreamArn of a table), Fn::Join, Fn::Sub, Fn::Select and Fn::Split to concrete values; throws on others. */
export function resolveIntrinsics(value: unknown, template: TemplateJson, env: AttackEnv, depth = 0): unknown {
  if (depth > 50) throw new Error('intrinsics nest too deep (a cycle?)');
  const again = (v: unknown) => resolveIntrinsics(v, template, env, depth + 1);
  if (Array.isArray(value)) return value.map(again);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  const [only] = keys;
  if (keys.length === 1 && only !== undefined && (only === 'Ref' || only.startsWith('Fn::'))) {
    return resolveFunction(only, value[only], value, template, env, again);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, again(v)]));
}

type Resolve = (v: unknown) => unknown;

/** One intrinsic function (`only`, its argument `arg`) of `value`. */
function resolveFunction(
  only: string,
  arg: unknown,
  value: Record<string, unknown>,
  template: TemplateJson,
  env: AttackEnv,
  again: Resolve,
): unknown {
  switch (only) {
    case 'Ref':
      return ref(String(arg), template, env, again);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return getAtt(String(id), String(attribute), template, env, again);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, unknown[]];
      return (again(parts) as unknown[]).map(String).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = again(list) as unknown[];
      const i = Number(again(index));
      if (!Array.isArray(items) || !(i >= 0 && i < items.length)) throw new Error(`Fn::Select out of range: ${i}`);
      return items[i];
    }
    case 'Fn::Split': {
      const [separator, text] = arg as [string, unknown];
      return String(again(text)).split(separator);
    }
    case 'Fn::Sub':
      return sub(arg, template, env, again);
    default:
      throw new Error(`unsupported intrinsic ${only}: ${JSON.stringify(value).slice(0, 200)}`);
  }
}

/** Fn::Sub: `${!x}` stays literal, then the given variables, `${Id.Attribute}`, and references. */
function sub(arg: unknown, template: TemplateJson, env: AttackEnv, again: Resolve): string {
  const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
  return text.replace(/\$\{(!?)([^}]+)\}/g, (_whole, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (vars && name in vars) return String(again(vars[name]));
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return String(getAtt(name.slice(0, dot), name.slice(dot + 1), template, env, again));
    }
    return String(ref(name, template, env, again));
  });
}

/** The label of every DynamoDB stream ARN the harness resolves (`Fn::GetAtt <table>.StreamArn`). */
export const DYNAMODB_STREAM_LABEL = '2026-01-01T00:00:00.000';

function ref(name: string, template: TemplateJson, env: AttackEnv, again: Resolve): unknown {
  switch (name) {
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::Region':
      return env.region;
    case 'AWS::Partition':
      return env.partition;
    case 'AWS::URLSuffix':
      return env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName':
      return 'Stack';
  }
  const resource = template.Resources?.[name];
  if (!resource) {
    const parameter = (template.Parameters as Record<string, { Default?: unknown }> | undefined)?.[name];
    if (parameter?.Default !== undefined) return parameter.Default;
    throw new Error(`Ref ${name}: not a pseudo parameter, resource or parameter with a default`);
  }
  const p = resource.Properties ?? {};
  const named = (key: string, fallback = name) => (p[key] === undefined ? fallback : String(again(p[key])));
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return named('RoleName');
    case 'AWS::S3::Bucket':
      return named('BucketName', name.toLowerCase());
    case 'AWS::DynamoDB::Table':
      return named('TableName');
    case 'AWS::Events::EventBus':
      return named('Name');
    case 'AWS::Lambda::Function':
      return named('FunctionName');
    case 'AWS::Logs::LogGroup':
      return named('LogGroupName');
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::IAM::ManagedPolicy':
      return getAtt(name, 'Arn', template, env, again);
    default:
      return name;
  }
}

function getAtt(id: string, attribute: string, template: TemplateJson, env: AttackEnv, again: Resolve): unknown {
  const resource = template.Resources?.[id];
  if (!resource) throw new Error(`Fn::GetAtt ${id}.${attribute}: no such resource`);
  const p = resource.Properties ?? {};
  const named = (key: string, fallback = id) => (p[key] === undefined ? fallback : String(again(p[key])));
  const { partition: P, region: R, account: A } = env;
  if (attribute === 'StreamArn' && resource.Type === 'AWS::DynamoDB::Table') {
    if (p.StreamSpecification === undefined) throw new Error(`Fn::GetAtt ${id}.StreamArn: the table has no stream`);
    // The stream label is a creation timestamp; a fixed one stands in for it.
    return `arn:${P}:dynamodb:${R}:${A}:table/${named('TableName')}/stream/${DYNAMODB_STREAM_LABEL}`;
  }
  if (attribute !== 'Arn')
    throw new Error(`Fn::GetAtt ${id}.${attribute}: only Arn (and a table's StreamArn) is supported`);
  switch (resource.Type) {
    case 'AWS::IAM::Role':
      return `arn:${P}:iam::${A}:role${named('Path', '/')}${named('RoleName')}`;
    case 'AWS::IAM::ManagedPolicy':
      return `arn:${P}:iam::${A}:policy${named('Path', '/')}${named('ManagedPolicyName')}`;
    case 'AWS::Lambda::Function':
      return `arn:${P}:lambda:${R}:${A}:function:${named('FunctionName')}`;
    case 'AWS::Events::EventBus':
      return `arn:${P}:events:${R}:${A}:event-bus/${named('Name')}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:${P}:states:${R}:${A}:stateMachine:${named('StateMachineName')}`;
    case 'AWS::DynamoDB::Table':
      return `arn:${P}:dynamodb:${R}:${A}:table/${named('TableName')}`;
    case 'AWS::S3::Bucket':
      return `arn:${P}:s3:::${named('BucketName', id.toLowerCase())}`;
    case 'AWS::SNS::Topic':
      return `arn:${P}:sns:${R}:${A}:${named('TopicName')}`;
    case 'AWS::SQS::Queue':
      return `arn:${P}:sqs:${R}:${A}:${named('QueueName')}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${P}:logs:${R}:${A}:log-group:${named('LogGroupName')}:*`;
    case 'AWS::KMS::Key':
      return `arn:${P}:kms:${R}:${A}:key/${id}`;
    case 'AWS::Cognito::UserPool':
      return `arn:${P}:cognito-idp:${R}:${A}:userpool/${id}`;
    default:
      throw new Error(`Fn::GetAtt ${id}.Arn: no ARN format known for ${resource.Type}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
