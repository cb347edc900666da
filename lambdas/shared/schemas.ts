import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import snapshotSchema from '../../schema/estate-snapshot.v1.schema.json';
import findingsSchema from '../../schema/findings.v1.schema.json';
import type { AnalysisResult } from '../domain/finding';
import type { EstateSnapshot, KubernetesSnapshot } from '../domain/snapshot';
import { SnapshotValidationError } from './errors';
import { clip, showValue } from './text';

const MAX_LISTED = 20;

let ajv: Ajv2020 | undefined;
const compiled: { snapshot?: ValidateFunction; findings?: ValidateFunction } = {};

/** Each schema is compiled on first use only: compiling costs a CLI run more than half a second per schema. */
function validators() {
  ajv ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  const on = ajv;
  return {
    get snapshot(): ValidateFunction {
      compiled.snapshot ??= on.compile(snapshotSchema);
      return compiled.snapshot;
    },
    get findings(): ValidateFunction {
      compiled.findings ??= on.compile(findingsSchema);
      return compiled.findings;
    },
  };
}

/**
 * Validates parsed JSON against the estate snapshot schema, version 1. Throws SnapshotValidationError whose
 * message names each bad path and what is wrong with it.
 */
export function parseSnapshot(value: unknown, source = 'snapshot'): EstateSnapshot {
  if (value !== null && typeof value === 'object' && 'schemaVersion' in value && value.schemaVersion !== 1) {
    const version = showValue((value as { schemaVersion: unknown }).schemaVersion);
    throw new SnapshotValidationError(
      `${source}: unsupported schemaVersion ${version}; this irsa-doctor reads schemaVersion 1 (see schema/estate-snapshot.v1.schema.json)`,
      [`$.schemaVersion: unsupported value ${version}`],
    );
  }
  const validate = validators().snapshot;
  const problems = validate(value)
    ? trustPolicySizeProblems(value as unknown as EstateSnapshot)
    : describeErrors(validate.errors ?? []);
  if (problems.length === 0) return value as unknown as EstateSnapshot;
  const shown = problems.slice(0, MAX_LISTED);
  const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
  throw new SnapshotValidationError(
    `${source} is not a valid estate snapshot (schema/estate-snapshot.v1.schema.json):\n  ${shown.join('\n  ')}${more}`,
    problems,
  );
}

/** Checks analysis output against its published schema; returns the problems (empty when valid). */
export function findingsSchemaProblems(result: AnalysisResult): string[] {
  const validate = validators().findings;
  return validate(JSON.parse(JSON.stringify(result))) ? [] : describeErrors(validate.errors ?? []);
}

/**
 * Checks one cluster's KubernetesSnapshot against `$defs/kubernetes` of the snapshot schema; returns the problems
 * (paths start at the KubernetesSnapshot, `$`), empty when valid.
 */
export function kubernetesSchemaProblems(value: KubernetesSnapshot): string[] {
  void validators().snapshot; // compiling the snapshot schema registers it by its $id
  const validate = ajv?.getSchema(`${snapshotSchema.$id}#/$defs/kubernetes`);
  if (!validate) throw new Error('the snapshot schema has no $defs/kubernetes');
  return validate(JSON.parse(JSON.stringify(value))) ? [] : describeErrors(validate.errors ?? []);
}

/**
 * The longest trust policy text IAM can return: 131,072 characters (CreateRole AssumeRolePolicyDocument), each at
 * most 6 once URL-encoded. The schema bounds the text form (maxLength); this bounds the parsed-object form by its
 * JSON, which JSON Schema cannot measure.
 */
export const MAX_TRUST_POLICY_TEXT = 786_432;

function trustPolicySizeProblems(snapshot: EstateSnapshot): string[] {
  const out: string[] = [];
  snapshot.accounts.forEach((account, a) => {
    account.roles.forEach((role, r) => {
      if (typeof role.trustPolicy === 'string') return;
      const length = JSON.stringify(role.trustPolicy).length;
      if (length > MAX_TRUST_POLICY_TEXT) {
        out.push(
          `$.accounts[${a}].roles[${r}].trustPolicy: ${length} characters as JSON; at most ${MAX_TRUST_POLICY_TEXT}`,
        );
      }
    });
  });
  return out;
}

/** One line per problem: the path, what is wrong, and the offending value cut to a few dozen characters. */
function describeErrors(errors: readonly ErrorObject[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = toPath(e.instancePath);
    let text: string;
    switch (e.keyword) {
      case 'additionalProperties':
        text = `${path}: unknown property ${showValue(String(e.params.additionalProperty))}`;
        break;
      case 'required':
        text = `${path}: missing required property "${String(e.params.missingProperty)}"`;
        break;
      case 'type':
        text = `${path}: must be ${String(e.params.type)}`;
        break;
      case 'pattern':
        text = `${path}: ${showValue(e.data)} does not match ${String(e.params.pattern)}`;
        break;
      case 'maxLength':
        text = `${path}: ${showValue(e.data)} is longer than ${String(e.params.limit)} characters`;
        break;
      case 'maxItems':
        text = `${path}: ${Array.isArray(e.data) ? e.data.length : '?'} items; at most ${String(e.params.limit)}`;
        break;
      case 'maxProperties':
        text = `${path}: more than ${String(e.params.limit)} properties`;
        break;
      case 'enum':
        text = `${path}: must be one of ${JSON.stringify(e.params.allowedValues)}`;
        break;
      case 'const':
        text = `${path}: must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      default:
        text = `${path}: ${clip(e.message ?? e.keyword, 200)}`;
    }
    if (!seen.has(text)) {
      seen.add(text);
      out.push(text);
    }
  }
  return out;
}

function toPath(instancePath: string): string {
  if (instancePath === '') return '$';
  return `$${instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]{0,63}$/.test(p) ? `.${p}` : `[${showValue(p, 60)}]`))
    .join('')}`;
}
