/**
 * Shared by the infra tests: an app that skips esbuild, the cdk-nag AwsSolutions gate (cdk-nag 3, run directly on a
 * stack), the acknowledgements recorded on constructs, and small readers of synthesized templates.
 */
import { App, type PolicyViolation, type Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const HUB_ACCOUNT = '111122223333';
export const HUB_REGION = 'eu-west-1';
export const HUB_ENV = { account: HUB_ACCOUNT, region: HUB_REGION } as const;

/** An app that synthesizes in-process without bundling any Lambda code. */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export interface NagFinding {
  readonly rule: string;
  readonly paths: readonly string[];
}

/**
 * The AwsSolutions violations left after acknowledgements. Call after `Template.fromStack(stack)`, so that
 * everything made at synthesis time (e.g. role default policies) is in the tree.
 */
export function nagViolations(stack: Stack): NagFinding[] {
  return toFindings(new AwsSolutionsChecks(stack).validateScope(stack).violations);
}

/**
 * Every AwsSolutions finding, acknowledged or not: to show that each acknowledgement answers a real finding. This
 * replaces cdk-nag 3.0.2's private acknowledgement lookup; if cdk-nag renames it, the "every acknowledgement is
 * used" tests fail loudly rather than pass vacuously (they also require at least one finding).
 */
export function nagFindingsIgnoringAcknowledgements(stack: Stack): NagFinding[] {
  const pack = new AwsSolutionsChecks(stack);
  if (typeof (pack as unknown as Record<string, unknown>).isAcknowledged !== 'function') {
    throw new Error('cdk-nag no longer has isAcknowledged: update nagFindingsIgnoringAcknowledgements');
  }
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  return toFindings(pack.validateScope(stack).violations);
}

function toFindings(violations: readonly PolicyViolation[]): NagFinding[] {
  return violations.map((v) => ({
    rule: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '?'),
  }));
}

export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
}

/** The acknowledgements recorded with `Validations.of(construct).acknowledge(...)` anywhere under `scope`. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return found;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A template value as text, in cdk-nag's notation: Fn::Join flattened, Ref as <Name>, Fn::GetAtt as
 * <LogicalId.Attribute>, Fn::Select as its JSON, so that
 * `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::1:role/x"]]}` reads `arn:<AWS::Partition>:iam::1:role/x`.
 */
export function text(value: unknown): string {
  const v = value as Json;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    if ('Ref' in v) return `<${v.Ref as string}>`;
    if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in v) {
      const [separator, parts] = v['Fn::Join'] as [string, Json[]];
      return parts.map(text).join(separator);
    }
    // (as cdk-nag writes them: the execution ARNs CDK derives from a state machine's ARN)
    if ('Fn::Select' in v) return JSON.stringify(v);
  }
  throw new Error(`cannot read ${JSON.stringify(value)} as text`);
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

export const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;

/** The logical id of the one resource of `type` whose properties satisfy `where`. */
export function logicalIdOf(
  template: Template,
  type: string,
  where: (properties: Record<string, unknown>) => boolean,
): string {
  const ids = Object.entries(resourcesOf(template))
    .filter(([, r]) => r.Type === type && where(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} matching, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0] as string;
}

/**
 * Every permission statement a role gets: its inline policies, and every AWS::IAM::Policy attached to it. Managed
 * policies are returned by ARN so a test can insist there are none.
 */
export function roleStatements(
  template: Template,
  roleLogicalId: string,
): { statements: Statement[]; managedPolicyArns: unknown[] } {
  const resources = resourcesOf(template);
  const role = resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role`);
  const inline = asArray(role.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (p) => p.PolicyDocument.Statement,
  );
  const attached = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => asArray(r.Properties?.Roles as unknown[]).some((ref) => text(ref) === `<${roleLogicalId}>`))
    .flatMap((r) => policyDocumentStatements(r.Properties?.PolicyDocument));
  return {
    statements: [...inline, ...attached],
    managedPolicyArns: asArray(role.Properties?.ManagedPolicyArns as unknown[]),
  };
}

/** The statements of a policy document from a template (none when absent). */
export function policyDocumentStatements(document: unknown): Statement[] {
  return asArray((document as { Statement?: Statement | Statement[] } | undefined)?.Statement);
}

/** The one principal ARN a role's trust policy admits, as text; throws if there is not exactly one. */
export function trustedPrincipal(template: Template, roleLogicalId: string): { arn: string; statement: Statement } {
  const role = resourcesOf(template)[roleLogicalId];
  const statements = policyDocumentStatements(role?.Properties?.AssumeRolePolicyDocument);
  if (statements.length !== 1) throw new Error(`expected one trust statement, found ${statements.length}`);
  const statement = statements[0] as Statement;
  const principal = statement.Principal as Record<string, unknown>;
  const keys = Object.keys(principal);
  const arns = asArray(principal.AWS);
  if (keys.length !== 1 || keys[0] !== 'AWS' || arns.length !== 1) {
    throw new Error(`expected exactly one AWS principal, got ${JSON.stringify(principal)}`);
  }
  return { arn: text(arns[0]), statement };
}

/**
 * A state machine's definition, parsed from the template (function ARNs read as <LogicalId.Arn>): the one named
 * `stateMachineName`, or the only one when no name is given.
 */
export function renderDefinition(template: Template, stateMachineName?: string): Record<string, unknown> {
  const machines = Object.values(resourcesOf(template)).filter(
    (r) =>
      r.Type === 'AWS::StepFunctions::StateMachine' &&
      (stateMachineName === undefined || r.Properties?.StateMachineName === stateMachineName),
  );
  if (machines.length !== 1) {
    throw new Error(`expected one state machine ${stateMachineName ?? ''}, found ${machines.length}`);
  }
  return JSON.parse(text(machines[0]?.Properties?.DefinitionString)) as Record<string, unknown>;
}

/** The function a Lambda task state invokes, as <LogicalId.Arn> (its Resource, or Parameters.FunctionName). */
export function invokedFunction(state: Record<string, unknown>): string {
  const resource = text(state.Resource);
  return resource.includes(':states:::')
    ? text((state.Parameters as { FunctionName: unknown }).FunctionName)
    : resource;
}

/** Every state of a definition, nested Map and Parallel states included. */
export function allStates(definition: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const found: Array<[string, Record<string, unknown>]> = [];
  collectStates(definition, found);
  return found;
}

/** Depth first, each node's own `States` before the states nested in its values. */
function collectStates(node: unknown, found: Array<[string, Record<string, unknown>]>): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectStates(item, found);
    return;
  }
  const record = node as Record<string, unknown>;
  if (record.States && typeof record.States === 'object') {
    found.push(...Object.entries(record.States as Record<string, Record<string, unknown>>));
  }
  for (const value of Object.values(record)) collectStates(value, found);
}
