/**
 * Reading fields of raw Kubernetes objects (parsed JSON of unknown shape) with the checks the API server itself
 * applies to names, numbers and times. A field of the wrong type, a string that is not well-formed Unicode or holds
 * NUL, an over-long value: each throws InvalidField, which the converter catches per object (the object is skipped
 * and named in the snapshot's errors). Nothing here throws past the converter.
 */

import { showValue } from '../../shared/text';

/** One object could not be understood; `path` is the field (`metadata.name`, `spec.containers[2].env[0].value`). */
export class InvalidField extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'InvalidField';
  }
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Kubernetes: a DNS-1123 label (namespaces, container and volume names): at most 63 characters. */
export const MAX_LABEL = 63;
/** Kubernetes: a DNS-1123 subdomain (most object names): at most 253 characters. */
export const MAX_SUBDOMAIN = 253;
/** Kubernetes: all annotations of an object together are at most 256 KiB (TotalAnnotationSizeLimitB). */
export const MAX_ANNOTATION_VALUE = 262_144;
/** Ours: a kept env value (an ARN is at most 2048 characters, a path or a region far less). */
export const MAX_ENV_VALUE = 4096;
/** Ours: an RFC 3339 time is at most 35 characters. */
const MAX_TIME = 64;

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** NUL, or a UTF-16 surrogate without its pair: text no API server sends (JSON from Go is valid UTF-8). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is this expression's purpose
const ILL_FORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A nested object, or undefined when absent or null; anything else is invalid. */
export function objectAt(parent: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new InvalidField(`${path}.${key}`, 'must be an object');
  return value;
}

/** An array, or undefined when absent or null. At most `max` entries (more is invalid). */
export function arrayAt(parent: JsonObject, key: string, path: string, max = 10_000): readonly unknown[] | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidField(`${path}.${key}`, 'must be an array');
  if (value.length > max) throw new InvalidField(`${path}.${key}`, `has ${value.length} entries; at most ${max}`);
  return value;
}

/** A string of at most `max` characters, well-formed and without NUL, or undefined when absent or null. */
export function textAt(parent: JsonObject, key: string, path: string, max: number): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  return checkedText(value, `${path}.${key}`, max);
}

export function checkedText(value: unknown, path: string, max: number): string {
  if (typeof value !== 'string') throw new InvalidField(path, `must be a string, not ${showValue(value, 40)}`);
  if (value.length > max) throw new InvalidField(path, `is ${value.length} characters; at most ${max}`);
  if (ILL_FORMED.test(value)) throw new InvalidField(path, `holds NUL or a lone surrogate: ${showValue(value, 60)}`);
  return value;
}

export function booleanAt(parent: JsonObject, key: string, path: string): boolean | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new InvalidField(`${path}.${key}`, `must be true or false, not ${showValue(value, 40)}`);
  return value;
}

/** A whole number in [min, max], or undefined when absent or null. */
export function integerAt(parent: JsonObject, key: string, path: string, min: number, max: number): number | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidField(
      `${path}.${key}`,
      `must be a whole number from ${min} to ${max}, not ${showValue(value, 40)}`,
    );
  }
  return value;
}

/** An RFC 3339 time as Kubernetes writes `metav1.Time` (`2026-11-30T05:35:59Z`), or undefined when absent. */
export function timeAt(parent: JsonObject, key: string, path: string): string | undefined {
  const value = textAt(parent, key, path, MAX_TIME);
  if (value === undefined) return undefined;
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidField(`${path}.${key}`, `is not an RFC 3339 time: ${showValue(value, 60)}`);
  }
  return value;
}

/** A required DNS-1123 label (a namespace, a container or volume name). */
export function labelAt(parent: JsonObject, key: string, path: string): string {
  const value = textAt(parent, key, path, MAX_LABEL);
  if (value === undefined || value === '') throw new InvalidField(`${path}.${key}`, 'is missing');
  if (!LABEL.test(value)) throw new InvalidField(`${path}.${key}`, `is not a DNS-1123 label: ${showValue(value, 60)}`);
  return value;
}

/** A required DNS-1123 subdomain (an object name). */
export function subdomainAt(parent: JsonObject, key: string, path: string): string {
  const value = textAt(parent, key, path, MAX_SUBDOMAIN);
  if (value === undefined || value === '') throw new InvalidField(`${path}.${key}`, 'is missing');
  if (!SUBDOMAIN.test(value)) {
    throw new InvalidField(`${path}.${key}`, `is not a DNS-1123 subdomain: ${showValue(value, 60)}`);
  }
  return value;
}

/** Later of two RFC 3339 times (by instant; the text when they parse equal). */
export function laterTime(a: string | undefined, b: string): string {
  if (a === undefined) return b;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return tb > ta || (tb === ta && b > a) ? b : a;
}
