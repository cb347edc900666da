/**
 * Validates a value against an input shape of Security Hub's published API model, as @aws-sdk/client-securityhub
 * ships it (its static schemas: structures with their members and how many of the first are required, lists,
 * maps, simple types). The JS schemas drop enum and length traits, so those come from the SDK's own enum objects
 * and from the API reference's length constraints for the members named below.
 */
import {
  BatchImportFindingsRequest$,
  Partition,
  RecordState,
  SeverityLabel,
  WorkflowStatus,
} from '@aws-sdk/client-securityhub';

type Lazy = () => unknown;

/** Enum members by structure name and member (the SDK's exported enum objects). */
const ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  AwsSecurityFinding: { RecordState: Object.values(RecordState) },
  Severity: { Label: Object.values(SeverityLabel) },
  Workflow: { Status: Object.values(WorkflowStatus) },
  Resource: { Partition: Object.values(Partition) },
};

/** Length constraints [min, max] from the API reference (AwsSecurityFinding and its members). */
const LENGTHS: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  AwsSecurityFinding: {
    Id: [1, 512],
    ProductArn: [12, 2048],
    GeneratorId: [1, 512],
    Title: [1, 256],
    Description: [1, 1024],
    CompanyName: [1, 128],
    ProductName: [1, 128],
  },
  Resource: { Type: [1, 256], Region: [1, 16] },
  Recommendation: { Text: [1, 512] },
  Severity: { Original: [1, 64] },
};

/** List bounds [min, max] by structure and member, from the model (the request's list) and the API reference. */
const LIST_BOUNDS: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> = {
  BatchImportFindingsRequest: { Findings: [1, 100] },
  AwsSecurityFinding: { Types: [0, 50], Resources: [1, 32] },
  FindingProviderFields: { Types: [0, 50] },
};

const FIELD_MAP_ENTRIES = 50;
const NON_EMPTY = /\S/;

function resolve(ref: unknown): unknown {
  return typeof ref === 'function' ? (ref as Lazy)() : ref;
}

interface Walk {
  readonly errors: string[];
}

/** Every way `value` breaks the BatchImportFindings input shape, as "path: problem" lines; empty when valid. */
export function validateBatchImportFindings(value: unknown): string[] {
  const walk: Walk = { errors: [] };
  check(walk, BatchImportFindingsRequest$, value, '$', undefined);
  return walk.errors;
}

type Bound = { readonly enums?: readonly string[]; readonly length?: readonly [number, number] };

function check(walk: Walk, schemaRef: unknown, value: unknown, path: string, bound: Bound | undefined): void {
  const schema = resolve(schemaRef);
  if (typeof schema === 'number') {
    checkSimple(walk, schema, value, path, bound);
    return;
  }
  const [kind] = schema as [number];
  if (kind === 3) checkStructure(walk, schema as StructureSchema, value, path);
  else if (kind === 1) checkList(walk, (schema as [number, string, string, number, unknown])[4], value, path);
  else if (kind === 2) checkMap(walk, (schema as [number, string, string, number, unknown, unknown])[5], value, path);
  else walk.errors.push(`${path}: schema kind ${kind} is not checked by this validator`);
}

type StructureSchema = [3, string, string, number, string[], unknown[], number?];

function checkStructure(walk: Walk, schema: StructureSchema, value: unknown, path: string): void {
  const [, , name, , members, memberSchemas, required = 0] = schema;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    walk.errors.push(`${path}: expected a ${name} structure`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!members.includes(key)) walk.errors.push(`${path}.${key}: not a member of ${name}`);
  }
  members.forEach((member, i) => {
    const v = record[member];
    const at = `${path}.${member}`;
    if (v === undefined) {
      if (i < required) walk.errors.push(`${at}: required by ${name}`);
      return;
    }
    const bounds = LIST_BOUNDS[name]?.[member];
    if (bounds && Array.isArray(v) && (v.length < bounds[0] || v.length > bounds[1])) {
      walk.errors.push(`${at}: ${v.length} items, allowed ${bounds[0]} to ${bounds[1]}`);
    }
    const enums = ENUMS[name]?.[member];
    const length = LENGTHS[name]?.[member];
    check(walk, memberSchemas[i], v, at, { ...(enums ? { enums } : {}), ...(length ? { length } : {}) });
  });
}

function checkList(walk: Walk, member: unknown, value: unknown, path: string): void {
  if (!Array.isArray(value)) {
    walk.errors.push(`${path}: expected a list`);
    return;
  }
  value.forEach((item, i) => {
    check(walk, member, item, `${path}[${i}]`, undefined);
  });
}

function checkMap(walk: Walk, valueSchema: unknown, value: unknown, path: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    walk.errors.push(`${path}: expected a map`);
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > FIELD_MAP_ENTRIES) walk.errors.push(`${path}: ${entries.length} entries, at most 50`);
  for (const [k, v] of entries) check(walk, valueSchema, v, `${path}[${JSON.stringify(k)}]`, undefined);
}

function checkSimple(walk: Walk, schema: number, value: unknown, path: string, bound: Bound | undefined): void {
  if (schema & 0b0100_0000) {
    checkList(walk, schema & 0b0011_1111, value, path);
    return;
  }
  if (schema & 0b1000_0000) {
    checkMap(walk, schema & 0b0011_1111, value, path);
    return;
  }
  if (schema === 0) {
    checkString(walk, value, path, bound);
    return;
  }
  const simple = SIMPLE[schema];
  if (!simple) walk.errors.push(`${path}: simple schema ${schema} is not checked by this validator`);
  else if (!simple.ok(value)) walk.errors.push(`${path}: expected a ${simple.name}`);
}

const isTimestamp = (v: unknown) => v instanceof Date || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
/** The simple schemas other than string (@smithy/types sentinels): numeric, boolean, the timestamps. */
const SIMPLE: Readonly<Record<number, { readonly name: string; readonly ok: (v: unknown) => boolean }>> = {
  1: { name: 'number', ok: (v) => typeof v === 'number' && Number.isFinite(v) },
  2: { name: 'boolean', ok: (v) => typeof v === 'boolean' },
  4: { name: 'timestamp', ok: isTimestamp },
  5: { name: 'timestamp', ok: isTimestamp },
  6: { name: 'timestamp', ok: isTimestamp },
  7: { name: 'timestamp', ok: isTimestamp },
};

function checkString(walk: Walk, value: unknown, path: string, bound: Bound | undefined): void {
  if (typeof value !== 'string') {
    walk.errors.push(`${path}: expected a string`);
    return;
  }
  // The model's NonEmptyString (pattern .*\S.*) is the type of nearly every string member.
  if (!NON_EMPTY.test(value)) walk.errors.push(`${path}: empty or blank`);
  if (bound?.enums && !bound.enums.includes(value)) {
    walk.errors.push(`${path}: ${JSON.stringify(value)} is not one of ${bound.enums.join(', ')}`);
  }
  const length = bound?.length;
  if (length && (value.length < length[0] || value.length > length[1])) {
    walk.errors.push(`${path}: length ${value.length}, allowed ${length[0]} to ${length[1]}`);
  }
}
