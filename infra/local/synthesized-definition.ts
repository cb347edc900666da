/**
 * The state machines exactly as CDK synthesizes them into the hub stack's template, made runnable in the emulator:
 * every AWS::StepFunctions::StateMachine's `Fn::Join` definition is resolved, with each intrinsic it holds mapped to
 * the local hub's counterpart: `Fn::GetAtt` of a Lambda function's ARN to the function created in the emulator,
 * `Ref`/`Fn::GetAtt` of another state machine to its local ARN (and the ARN built from a machine's fixed
 * StateMachineName, as the remediation machine's is, to the local one), `Ref` of a resource the local hub creates (the
 * snapshot bucket, the topic, the tables, the event bus) to its local name, and the pseudo parameters to the local
 * account and region. Each function is mapped to its step by the IRSA_DOCTOR_HANDLER variable the IrsaFunction
 * construct sets. Nothing else in a definition is touched; anything else unresolvable is an error naming it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type?: string; Properties?: Record<string, unknown> };

/** A synthesized template (Template.fromStack(...).toJSON(), cdk.out JSON, or a stack artifact's template). */
export interface SynthesizedTemplate {
  readonly Resources?: Record<string, Record<string, unknown>>;
}

export const LOCAL_ACCOUNT = '123456789012';
export const LOCAL_REGION = 'us-east-1';

/** What the template's resources are called locally. */
export interface LocalNames {
  /** Prefix of every function and state machine name (several local hubs share one emulator). */
  readonly prefix: string;
  /** Ref of a resource of this CloudFormation type -> its local name (one resource of the type in the template). */
  readonly refs?: Readonly<Partial<Record<string, string>>>;
  /** GetAtt of a resource of this type and attribute (`AWS::SNS::Topic.TopicName`) -> its local value. */
  readonly attributes?: Readonly<Partial<Record<string, string>>>;
}

export interface SynthesizedFunction {
  readonly logicalId: string;
  /** The function's name in the emulator. */
  readonly name: string;
  readonly arn: string;
  /** The step it runs (IRSA_DOCTOR_HANDLER). */
  readonly handler: string;
  /** Its timeout in seconds, as synthesized. */
  readonly timeoutSeconds: number;
}

export interface SynthesizedMachine {
  readonly logicalId: string;
  /** The StateMachineName the template gives it, if any (its local name is prefixed). */
  readonly stateMachineName?: string;
  /** The machine's name in the emulator. */
  readonly name: string;
  readonly arn: string;
  /** The ASL definition, resolved and parsed. */
  readonly definition: Record<string, unknown>;
  /** STANDARD or EXPRESS. */
  readonly type: string;
}

export interface SynthesizedWorkflow {
  readonly machines: readonly SynthesizedMachine[];
  /** Every function with a step (IRSA_DOCTOR_HANDLER), keyed by local ARN. */
  readonly functions: ReadonlyMap<string, SynthesizedFunction>;
  /** The ARN a Lambda function's REMEDIATION_STATE_MACHINE_ARN names (the remediation machine), when one does. */
  readonly remediationStateMachineArn?: string;
  /** Local function ARN -> step name. */
  readonly handlers: ReadonlyMap<string, string>;
}

const HANDLER_VARIABLE = 'IRSA_DOCTOR_HANDLER';
const REMEDIATION_VARIABLE = 'REMEDIATION_STATE_MACHINE_ARN';

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A local name of at most `max` characters of [A-Za-z0-9-_]: prefix and logical id, hashed down when too long. */
function localName(prefix: string, logicalId: string, max: number): string {
  const name = `${prefix}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '-');
  if (name.length <= max) return name;
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const suffix = hash.toString(36);
  return `${name.slice(0, max - suffix.length - 1)}-${suffix}`;
}

export const functionArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
export const stateMachineArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

/** `text` with each `from` that is not followed by another name character replaced by `to`. */
function replaceWholeName(text: string, from: string, to: string): string {
  let out = '';
  let i = 0;
  for (let j = text.indexOf(from); j >= 0; j = text.indexOf(from, i)) {
    const end = j + from.length;
    out += text.slice(i, j) + (/[A-Za-z0-9_-]/.test(text[end] ?? '') ? from : to);
    i = end;
  }
  return out + text.slice(i);
}

function fixedNameOf(resource: Resource | undefined): string | undefined {
  const name = resource?.Properties?.StateMachineName;
  return typeof name === 'string' ? name : undefined;
}

class Resolver {
  /** The ARN a fixed StateMachineName gives in AWS -> the local machine's ARN. */
  private readonly fixedArns = new Map<string, string>();

  constructor(
    private readonly resources: Record<string, Resource>,
    private readonly names: LocalNames,
  ) {
    for (const [logicalId, r] of Object.entries(resources)) {
      const fixed = r.Type === 'AWS::StepFunctions::StateMachine' ? fixedNameOf(r) : undefined;
      if (fixed) this.fixedArns.set(stateMachineArn(fixed), stateMachineArn(this.machineName(logicalId)));
    }
  }

  functionName(logicalId: string): string {
    return localName(this.names.prefix, logicalId, 64);
  }

  machineName(logicalId: string): string {
    return localName(this.names.prefix, fixedNameOf(this.resources[logicalId]) ?? logicalId, 80);
  }

  /** A value resolved to text, with ARNs built from a fixed state machine name made local. */
  resolveText(value: Json, where: string): string {
    let text = this.resolve(value, where);
    for (const [global, local] of this.fixedArns) {
      text = replaceWholeName(text, global, local);
    }
    return text;
  }

  private resolve(value: Json, where: string): string {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if ('Fn::GetAtt' in value) return this.getAtt(value['Fn::GetAtt'] as [string, string], where);
      if ('Ref' in value) return this.ref(value.Ref as string, where);
      if ('Fn::Join' in value) {
        const [separator, parts] = value['Fn::Join'] as [string, Json[]];
        return parts.map((p) => this.resolve(p, where)).join(separator);
      }
    }
    throw new Error(`${where}: cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
  }

  private getAtt([logicalId, attribute]: [string, string], where: string): string {
    const type = this.resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return functionArn(this.functionName(logicalId));
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Arn') {
      return stateMachineArn(this.machineName(logicalId));
    }
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return this.machineName(logicalId);
    const local = type ? this.names.attributes?.[`${type}.${attribute}`] : undefined;
    if (local !== undefined) return local;
    throw new Error(`${where}: cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${type ?? 'no such resource'})`);
  }

  private ref(ref: string, where: string): string {
    const pseudo = Object.hasOwn(PSEUDO_PARAMETERS, ref) ? PSEUDO_PARAMETERS[ref] : undefined;
    if (pseudo !== undefined) return pseudo;
    const type = this.resources[ref]?.Type;
    if (type === 'AWS::StepFunctions::StateMachine') return stateMachineArn(this.machineName(ref));
    if (type === 'AWS::Lambda::Function') return this.functionName(ref);
    const local = type ? this.names.refs?.[type] : undefined;
    if (local !== undefined && this.onlyOne(type as string)) return local;
    throw new Error(`${where}: cannot resolve Ref ${ref} (${type ?? 'no such resource'})`);
  }

  private onlyOne(type: string): boolean {
    return Object.values(this.resources).filter((r) => r.Type === type).length === 1;
  }
}

function environmentOf(resource: Resource): Record<string, unknown> {
  return (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

function machineOf(resolver: Resolver, logicalId: string, r: Resource): SynthesizedMachine {
  const name = resolver.machineName(logicalId);
  const text = resolver.resolveText((r.Properties?.DefinitionString ?? null) as Json, `state machine ${logicalId}`);
  const fixed = fixedNameOf(r);
  return {
    logicalId,
    ...(fixed ? { stateMachineName: fixed } : {}),
    name,
    arn: stateMachineArn(name),
    definition: JSON.parse(text) as Record<string, unknown>,
    type: String(r.Properties?.StateMachineType ?? 'STANDARD'),
  };
}

function functionOf(resolver: Resolver, logicalId: string, r: Resource): SynthesizedFunction | undefined {
  const handler = environmentOf(r)[HANDLER_VARIABLE];
  if (typeof handler !== 'string') return undefined;
  const name = resolver.functionName(logicalId);
  const timeoutSeconds = Number(r.Properties?.Timeout ?? 3);
  return { logicalId, name, arn: functionArn(name), handler, timeoutSeconds };
}

/** Every state machine of the template, resolved for the local hub named by `names`. */
export function synthesizedWorkflow(template: SynthesizedTemplate, names: LocalNames): SynthesizedWorkflow {
  const resources = (template.Resources ?? {}) as Record<string, Resource>;
  const resolver = new Resolver(resources, names);
  const machines: SynthesizedMachine[] = [];
  const functions = new Map<string, SynthesizedFunction>();
  let remediationStateMachineArn: string | undefined;
  for (const [logicalId, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::StepFunctions::StateMachine') machines.push(machineOf(resolver, logicalId, r));
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const fn = functionOf(resolver, logicalId, r);
    if (fn) functions.set(fn.arn, fn);
    const remediation = environmentOf(r)[REMEDIATION_VARIABLE];
    if (remediation !== undefined) {
      const where = `function ${logicalId}'s ${REMEDIATION_VARIABLE}`;
      remediationStateMachineArn = resolver.resolveText(remediation as Json, where);
    }
  }
  if (machines.length === 0) throw new Error('no AWS::StepFunctions::StateMachine in the template');
  return {
    machines,
    functions,
    handlers: new Map([...functions.values()].map((f) => [f.arn, f.handler])),
    ...(remediationStateMachineArn ? { remediationStateMachineArn } : {}),
  };
}
