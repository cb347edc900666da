/**
 * A raw Pod to the snapshot model. Kept: namespace, name, the first controller owner, the service account, creation
 * time, phase, the `eks.amazonaws.com/*` pod annotations, hostNetwork, the user and group fields of the pod's and
 * containers' securityContext, the projected `aws-iam-token` volume the pod identity webhook adds, and per container
 * only the WEBHOOK_ENV values (null when set from valueFrom), the names of CREDENTIAL_ENV variables and whether it
 * mounts the token volume. Nothing else: no other env values, no images, no commands, no secrets.
 */

import {
  CREDENTIAL_ENV,
  type KubeContainer,
  type KubePod,
  type KubeSecurityContext,
  type KubeTokenVolume,
  WEBHOOK_ENV,
  type WebhookEnvName,
} from '../snapshot';
import {
  arrayAt,
  booleanAt,
  InvalidField,
  integerAt,
  isObject,
  type JsonObject,
  labelAt,
  MAX_ENV_VALUE,
  MAX_SUBDOMAIN,
  objectAt,
  subdomainAt,
  textAt,
  timeAt,
} from './object-fields';
import { eksAnnotations, metadataOf, objectName } from './service-account-object';

/** The volume the pod identity webhook adds (amazon-eks-pod-identity-webhook `pkg/handler`). */
export const TOKEN_VOLUME = 'aws-iam-token';
/** Kubernetes: user and group ids are 0 to 2147483647 (IsValidUserID, IsValidGroupID). */
const MAX_ID = 2_147_483_647;
/** Kubernetes: a serviceAccountToken projection's expirationSeconds is at most 2^32. */
const MAX_EXPIRATION = 4_294_967_296;
/** Ours: Kubernetes does not bound the containers of a pod; no real pod has this many. */
const MAX_CONTAINERS = 1000;
const WEBHOOK_NAMES: ReadonlySet<string> = new Set(WEBHOOK_ENV);
const CREDENTIAL_NAMES: ReadonlySet<string> = new Set(CREDENTIAL_ENV);

/** A raw Pod to the model. Throws InvalidField when the object cannot be understood. */
export function podFrom(item: JsonObject): KubePod {
  const metadata = metadataOf(item);
  const { namespace, name } = objectName(metadata);
  const spec = objectAt(item, 'spec', '$');
  if (spec === undefined) throw new InvalidField('spec', 'is missing');
  const status = objectAt(item, 'status', '$');
  const createdAt = timeAt(metadata, 'creationTimestamp', 'metadata');
  const phase = status === undefined ? undefined : textAt(status, 'phase', 'status', 32);
  const owner = controllerOwner(metadata);
  const annotations = eksAnnotations(metadata);
  const hostNetwork = booleanAt(spec, 'hostNetwork', 'spec');
  const securityContext = userAndGroup(spec, 'spec');
  const tokenVolume = tokenVolumeOf(spec);
  const main = containersOf(spec, 'containers', false, tokenVolume);
  if (main.length === 0) throw new InvalidField('spec.containers', 'is missing or empty');
  const containers = [...main, ...containersOf(spec, 'initContainers', true, tokenVolume)];
  return {
    namespace,
    name,
    ...(owner === undefined ? {} : { owner }),
    serviceAccountName: serviceAccountOf(spec),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(phase === undefined ? {} : { phase }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    ...(hostNetwork === undefined ? {} : { hostNetwork }),
    ...(securityContext === undefined ? {} : { securityContext }),
    ...(tokenVolume === undefined ? {} : { tokenVolume }),
    containers,
  };
}

/** `spec.serviceAccountName`, else the deprecated `spec.serviceAccount`, else `default` (as Kubernetes does). */
function serviceAccountOf(spec: JsonObject): string {
  for (const key of ['serviceAccountName', 'serviceAccount']) {
    if (spec[key] !== undefined && spec[key] !== null && spec[key] !== '') return subdomainAt(spec, key, 'spec');
  }
  return 'default';
}

/** The first owner reference with `controller: true`. */
function controllerOwner(metadata: JsonObject): { kind: string; name: string } | undefined {
  const refs = arrayAt(metadata, 'ownerReferences', 'metadata') ?? [];
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    const path = `metadata.ownerReferences[${i}]`;
    if (!isObject(ref)) throw new InvalidField(path, 'must be an object');
    if (booleanAt(ref, 'controller', path) !== true) continue;
    const kind = textAt(ref, 'kind', path, 63);
    const name = textAt(ref, 'name', path, MAX_SUBDOMAIN);
    if (!kind || !name) throw new InvalidField(path, 'must have a kind and a name');
    return { kind, name };
  }
  return undefined;
}

/** Only runAsUser, runAsGroup, runAsNonRoot and fsGroup of a securityContext; undefined when none is set. */
function userAndGroup(parent: JsonObject, path: string): KubeSecurityContext | undefined {
  const context = objectAt(parent, 'securityContext', path);
  if (context === undefined) return undefined;
  const at = `${path}.securityContext`;
  const out: { -readonly [K in keyof KubeSecurityContext]: KubeSecurityContext[K] } = {};
  const runAsUser = integerAt(context, 'runAsUser', at, 0, MAX_ID);
  const runAsGroup = integerAt(context, 'runAsGroup', at, 0, MAX_ID);
  const runAsNonRoot = booleanAt(context, 'runAsNonRoot', at);
  const fsGroup = path === 'spec' ? integerAt(context, 'fsGroup', at, 0, MAX_ID) : undefined;
  if (runAsUser !== undefined) out.runAsUser = runAsUser;
  if (runAsGroup !== undefined) out.runAsGroup = runAsGroup;
  if (runAsNonRoot !== undefined) out.runAsNonRoot = runAsNonRoot;
  if (fsGroup !== undefined) out.fsGroup = fsGroup;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The `aws-iam-token` volume's serviceAccountToken projection, when the pod has one. */
function tokenVolumeOf(spec: JsonObject): KubeTokenVolume | undefined {
  const volumes = arrayAt(spec, 'volumes', 'spec') ?? [];
  for (let i = 0; i < volumes.length; i++) {
    const volume = volumes[i];
    const path = `spec.volumes[${i}]`;
    if (!isObject(volume)) throw new InvalidField(path, 'must be an object');
    if (volume.name !== TOKEN_VOLUME) continue;
    const projection = tokenSource(volume, path);
    if (projection !== undefined) return projection;
  }
  return undefined;
}

function tokenSource(volume: JsonObject, path: string): KubeTokenVolume | undefined {
  const sources = arrayAt(objectAt(volume, 'projected', path) ?? {}, 'sources', `${path}.projected`) ?? [];
  for (let j = 0; j < sources.length; j++) {
    const source = sources[j];
    const at = `${path}.projected.sources[${j}]`;
    if (!isObject(source)) throw new InvalidField(at, 'must be an object');
    const token = objectAt(source, 'serviceAccountToken', at);
    if (token !== undefined) return tokenProjection(token, `${at}.serviceAccountToken`);
  }
  return undefined;
}

function tokenProjection(token: JsonObject, path: string): KubeTokenVolume {
  const audience = textAt(token, 'audience', path, MAX_ENV_VALUE);
  const expirationSeconds = integerAt(token, 'expirationSeconds', path, 0, MAX_EXPIRATION);
  const tokenPath = textAt(token, 'path', path, MAX_ENV_VALUE);
  if (tokenPath === undefined || tokenPath === '') throw new InvalidField(`${path}.path`, 'is missing');
  return {
    name: TOKEN_VOLUME,
    ...(audience === undefined ? {} : { audience }),
    ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
    path: tokenPath,
  };
}

function containersOf(
  spec: JsonObject,
  key: 'containers' | 'initContainers',
  init: boolean,
  tokenVolume: KubeTokenVolume | undefined,
): KubeContainer[] {
  const list = arrayAt(spec, key, 'spec', MAX_CONTAINERS) ?? [];
  return list.map((container, i) => {
    const path = `spec.${key}[${i}]`;
    if (!isObject(container)) throw new InvalidField(path, 'must be an object');
    return containerFrom(container, path, init, tokenVolume);
  });
}

function containerFrom(
  container: JsonObject,
  path: string,
  init: boolean,
  tokenVolume: KubeTokenVolume | undefined,
): KubeContainer {
  const name = labelAt(container, 'name', path);
  const { awsEnv, credentialEnv } = envOf(container, path);
  const securityContext = userAndGroup(container, path);
  return {
    name,
    ...(init ? { init } : {}),
    awsEnv,
    ...(credentialEnv.length === 0 ? {} : { credentialEnv }),
    mountsToken: tokenVolume !== undefined && mountsVolume(container, path, tokenVolume.name),
    ...(securityContext === undefined ? {} : { securityContext }),
  };
}

/**
 * The WEBHOOK_ENV values (the last definition wins, as in the kubelet; `valueFrom` gives null; no value at all is the
 * empty string, as Kubernetes reads it) and the names of CREDENTIAL_ENV variables. Every other variable is skipped
 * without reading its value.
 */
function envOf(
  container: JsonObject,
  path: string,
): { awsEnv: Partial<Record<WebhookEnvName, string | null>>; credentialEnv: string[] } {
  const env = arrayAt(container, 'env', path) ?? [];
  const awsEnv: Partial<Record<WebhookEnvName, string | null>> = {};
  const credentials = new Set<string>();
  env.forEach((entry, i) => {
    const at = `${path}.env[${i}]`;
    if (!isObject(entry)) throw new InvalidField(at, 'must be an object');
    const name = entry.name;
    if (typeof name !== 'string') throw new InvalidField(`${at}.name`, 'must be a string');
    if (CREDENTIAL_NAMES.has(name)) credentials.add(name);
    if (!WEBHOOK_NAMES.has(name)) return;
    const hasFrom = entry.valueFrom !== undefined && entry.valueFrom !== null;
    awsEnv[name as WebhookEnvName] = hasFrom ? null : (textAt(entry, 'value', at, MAX_ENV_VALUE) ?? '');
  });
  return { awsEnv, credentialEnv: CREDENTIAL_ENV.filter((n) => credentials.has(n)) };
}

function mountsVolume(container: JsonObject, path: string, volume: string): boolean {
  const mounts = arrayAt(container, 'volumeMounts', path) ?? [];
  return mounts.some((mount, i) => {
    if (!isObject(mount)) throw new InvalidField(`${path}.volumeMounts[${i}]`, 'must be an object');
    return mount.name === volume;
  });
}
