/**
 * The state machine definition exactly as CDK synthesizes it into the hub stack's template, made runnable locally:
 * the template's `Fn::Join` over the definition is resolved, with each Lambda function's ARN (a `Fn::GetAtt`)
 * replaced by a local ARN naming the function's logical id, and each function mapped to its handler by the
 * IRSA_DOCTOR_HANDLER variable the IrsaFunction construct sets. Nothing else in the definition is touched.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface SynthesizedWorkflow {
  /** The ASL definition, parsed. */
  readonly definition: Record<string, unknown>;
  /** Local function ARN -> handler name (a file in lambdas/handlers/). */
  readonly handlers: ReadonlyMap<string, string>;
}

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

const functionArn = (logicalId: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;

function resolve(value: Json, resources: Record<string, { Type?: string }>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if ('Fn::GetAtt' in value) return resolveGetAtt(value['Fn::GetAtt'] as [string, string], resources);
    if ('Ref' in value) return resolveRef(value.Ref as string);
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((p) => resolve(p, resources)).join(separator);
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)} in the state machine definition`);
}

/** Only a Lambda function's ARN: the local ARN naming its logical id. */
function resolveGetAtt([logicalId, attribute]: [string, string], resources: Record<string, { Type?: string }>): string {
  if (resources[logicalId]?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') return functionArn(logicalId);
  throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} in the state machine definition`);
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Only the pseudo parameters, with the local account and region. */
function resolveRef(ref: string): string {
  const value = Object.hasOwn(PSEUDO_PARAMETERS, ref) ? PSEUDO_PARAMETERS[ref] : undefined;
  if (value !== undefined) return value;
  throw new Error(`cannot resolve Ref ${ref} in the state machine definition`);
}

/** From a synthesized template (Template.fromStack(...).toJSON() or cdk.out JSON) with one state machine. */
export function synthesizedWorkflow(template: {
  Resources?: Record<string, Record<string, unknown>>;
}): SynthesizedWorkflow {
  const resources = (template.Resources ?? {}) as Record<
    string,
    { Type?: string; Properties?: Record<string, unknown> }
  >;
  const machines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const [, machine] = machines[0] as [string, { Properties?: Record<string, unknown> }];
  const definition = JSON.parse(resolve(machine.Properties?.DefinitionString as Json, resources)) as Record<
    string,
    unknown
  >;
  const handlers = new Map<string, string>();
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const variables = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    const handler = variables?.IRSA_DOCTOR_HANDLER;
    if (typeof handler === 'string') handlers.set(functionArn(logicalId), handler);
  }
  return { definition, handlers };
}
