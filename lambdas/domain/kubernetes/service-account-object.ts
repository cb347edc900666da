/**
 * A raw ServiceAccount (and the annotation part of a Pod) to the snapshot model: namespace, name, creation time, the
 * `eks.amazonaws.com/*` annotations and, from `metadata.managedFields`, when each of them was last set. Nothing else
 * of the object (secrets, image pull secrets, labels, other annotations) is copied.
 */

import type { KubeServiceAccount } from '../snapshot';
import {
  arrayAt,
  checkedText,
  InvalidField,
  isObject,
  type JsonObject,
  labelAt,
  laterTime,
  MAX_ANNOTATION_VALUE,
  objectAt,
  subdomainAt,
  timeAt,
} from './object-fields';

export const EKS_ANNOTATION_PREFIX = 'eks.amazonaws.com/';
/** Kubernetes: the name part of an annotation key is at most 63 characters, alphanumeric at both ends. */
const EKS_KEY = /^eks\.amazonaws\.com\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Ours: more `eks.amazonaws.com/*` annotations than this on one object is not something any tool writes. */
export const MAX_EKS_ANNOTATIONS = 64;

/** Reports a problem that does not make the object unusable (e.g. unreadable managed fields). */
export type SoftProblem = (path: string, problem: string) => void;

/** The object's namespace and name, checked as Kubernetes checks them. */
export function objectName(metadata: JsonObject): { namespace: string; name: string } {
  return { namespace: labelAt(metadata, 'namespace', 'metadata'), name: subdomainAt(metadata, 'name', 'metadata') };
}

/** The `metadata` of an object (required). */
export function metadataOf(item: JsonObject): JsonObject {
  const metadata = objectAt(item, 'metadata', '$');
  if (metadata === undefined) throw new InvalidField('metadata', 'is missing');
  return metadata;
}

/** The `eks.amazonaws.com/*` annotations, as written; every other annotation is left out unread. */
export function eksAnnotations(metadata: JsonObject): Record<string, string> {
  const annotations = objectAt(metadata, 'annotations', 'metadata');
  const out: Record<string, string> = {};
  if (annotations === undefined) return out;
  let count = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(EKS_ANNOTATION_PREFIX)) continue;
    const path = `metadata.annotations[${JSON.stringify(key.slice(0, 80))}]`;
    if (!EKS_KEY.test(key)) throw new InvalidField(path, 'is not a valid annotation key');
    if (++count > MAX_EKS_ANNOTATIONS) {
      throw new InvalidField('metadata.annotations', `has more than ${MAX_EKS_ANNOTATIONS} eks.amazonaws.com keys`);
    }
    out[key] = checkedText(value, path, MAX_ANNOTATION_VALUE);
  }
  return out;
}

/**
 * When each of `keys` was last set: the latest `time` among the managedFields entries whose fieldsV1 holds
 * `f:metadata` > `f:annotations` > `f:<key>`. Undefined when the object has no managed fields (kubectl prints them
 * only with --show-managed-fields) or none of them covers a key.
 */
export function annotationTimes(metadata: JsonObject, keys: readonly string[]): Record<string, string> | undefined {
  if (keys.length === 0) return undefined;
  const entries = arrayAt(metadata, 'managedFields', 'metadata');
  if (entries === undefined) return undefined;
  const times: Record<string, string> = {};
  entries.forEach((entry, i) => {
    const path = `metadata.managedFields[${i}]`;
    if (!isObject(entry)) throw new InvalidField(path, 'must be an object');
    const owned = ownedAnnotations(entry, path);
    if (owned === undefined) return;
    const time = timeAt(entry, 'time', path);
    if (time === undefined) return;
    for (const key of keys) {
      if (Object.hasOwn(owned, `f:${key}`)) times[key] = laterTime(times[key], time);
    }
  });
  return Object.keys(times).length > 0 ? times : undefined;
}

function ownedAnnotations(entry: JsonObject, path: string): JsonObject | undefined {
  const fields = objectAt(entry, 'fieldsV1', path);
  if (fields === undefined) return undefined;
  const metadata = objectAt(fields, 'f:metadata', `${path}.fieldsV1`);
  if (metadata === undefined) return undefined;
  return objectAt(metadata, 'f:annotations', `${path}.fieldsV1.f:metadata`);
}

/** Annotation times, or undefined with a soft problem when the managed fields cannot be read. */
export function annotationTimesOrNone(
  metadata: JsonObject,
  keys: readonly string[],
  soft: SoftProblem,
): Record<string, string> | undefined {
  try {
    return annotationTimes(metadata, keys);
  } catch (err) {
    if (!(err instanceof InvalidField)) throw err;
    soft(err.path, `${err.problem}; annotation times left out`);
    return undefined;
  }
}

/** A raw ServiceAccount to the model. Throws InvalidField when the object cannot be understood. */
export function serviceAccountFrom(item: JsonObject, soft: SoftProblem): KubeServiceAccount {
  const metadata = metadataOf(item);
  const { namespace, name } = objectName(metadata);
  const createdAt = timeAt(metadata, 'creationTimestamp', 'metadata');
  const annotations = eksAnnotations(metadata);
  const times = annotationTimesOrNone(metadata, Object.keys(annotations), soft);
  return {
    namespace,
    name,
    ...(createdAt === undefined ? {} : { createdAt }),
    annotations,
    ...(times === undefined ? {} : { annotationTimes: times }),
  };
}
