import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import snapshotSchema from '../../schema/estate-snapshot.v1.schema.json';
import findingsSchema from '../../schema/findings.v1.schema.json';
import type { AnalysisResult } from '../domain/finding';
import type { EstateSnapshot } from '../domain/snapshot';
import { SnapshotValidationError } from './errors';

const MAX_LISTED = 20;

let compiled: { snapshot: ValidateFunction; findings: ValidateFunction } | undefined;

function validators() {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    compiled = { snapshot: ajv.compile(snapshotSchema), findings: ajv.compile(findingsSchema) };
  }
  return compiled;
}

/**
 * Validates parsed JSON against the estate snapshot schema, version 1. Throws SnapshotValidationError whose
 * message names each bad path and what is wrong with it.
 */
export function parseSnapshot(value: unknown, source = 'snapshot'): EstateSnapshot {
  if (value !== null && typeof value === 'object' && 'schemaVersion' in value && value.schemaVersion !== 1) {
    const version = JSON.stringify((value as { schemaVersion: unknown }).schemaVersion);
    throw new SnapshotValidationError(
      `${source}: unsupported schemaVersion ${version}; this irsa-doctor reads schemaVersion 1 (see schema/estate-snapshot.v1.schema.json)`,
      [`$.schemaVersion: unsupported value ${version}`],
    );
  }
  const validate = validators().snapshot;
  if (validate(value)) return value as unknown as EstateSnapshot;
  const problems = describeErrors(validate.errors ?? []);
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

function describeErrors(errors: readonly ErrorObject[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const path = toPath(e.instancePath);
    let text: string;
    switch (e.keyword) {
      case 'additionalProperties':
        text = `${path}: unknown property "${String(e.params.additionalProperty)}"`;
        break;
      case 'required':
        text = `${path}: missing required property "${String(e.params.missingProperty)}"`;
        break;
      case 'type':
        text = `${path}: must be ${String(e.params.type)}`;
        break;
      case 'pattern':
        text = `${path}: ${JSON.stringify(e.data)} does not match ${String(e.params.pattern)}`;
        break;
      case 'enum':
        text = `${path}: must be one of ${JSON.stringify(e.params.allowedValues)}`;
        break;
      case 'const':
        text = `${path}: must be ${JSON.stringify(e.params.allowedValue)}`;
        break;
      default:
        text = `${path}: ${e.message ?? e.keyword}`;
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
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join('')}`;
}
