/**
 * Reads kubeconfig files (YAML or JSON) the way kubectl does: several files separated by ':' (the KUBECONFIG
 * convention) are merged with the first definition of each cluster, user and context winning and the first
 * `current-context` set; relative file paths are resolved against the file that names them. Files named by a
 * context (CA, client certificate and key) are read when that context is resolved, so one broken context does not
 * stop the others from being used.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { KubeconfigError } from '../../shared/errors';
import { clip } from '../../shared/text';

/** An exec credential plugin as kubeconfig declares it (client.authentication.k8s.io). */
export interface KubeExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  /** Pass the cluster (server, CA) to the plugin in KUBERNETES_EXEC_INFO. */
  readonly provideClusterInfo: boolean;
  /** The kubeconfig file's directory: a relative command with a '/' is resolved against it, as client-go does. */
  readonly baseDir: string;
}

/** How the client proves who it is; a client certificate can go with a bearer token. */
export interface KubeUserAuth {
  readonly token?: string;
  readonly tokenFile?: string;
  /** PEM text. */
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  readonly exec?: KubeExecConfig;
}

/** Everything needed to talk to one API server as one identity. */
export interface KubeClusterAccess {
  /** https URL of the API server. */
  readonly server: string;
  /** The cluster's CA bundle (PEM); absent: the system's trusted CAs, as kubectl does. */
  readonly ca?: string;
  /** `tls-server-name`: the name the server's certificate is checked against instead of the URL's host. */
  readonly tlsServerName?: string;
  readonly auth: KubeUserAuth;
}

export interface KubeContext extends KubeClusterAccess {
  readonly name: string;
  /** The kubeconfig's cluster and user entry names. */
  readonly cluster: string;
  readonly user: string;
  readonly namespace?: string;
}

export interface Kubeconfig {
  /** The files read, in merge order. */
  readonly files: readonly string[];
  readonly currentContext?: string;
  /** Every context name, in the order the files define them. */
  readonly contextNames: readonly string[];
  /** The named context (default: current-context), resolved; a KubeconfigError says what is missing. */
  context(name?: string): KubeContext;
}

/** Bigger than any real kubeconfig; bounds what is read into memory. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

type Entry = { readonly value: Record<string, unknown>; readonly file: string };

/** The kubeconfig files kubectl would read: $KUBECONFIG (':'-separated), else ~/.kube/config. */
export function defaultKubeconfigPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const fromEnv = env.KUBECONFIG;
  return fromEnv && fromEnv.trim() !== '' ? fromEnv : join(homedir(), '.kube', 'config');
}

/**
 * Loads one kubeconfig file, or several separated by ':' (merged as kubectl merges KUBECONFIG). A single file
 * that does not exist is an error; in a list, missing files are skipped as kubectl skips them, unless none exists.
 */
export function loadKubeconfig(pathList: string): Kubeconfig {
  const paths = pathList.split(delimiter).filter((p) => p !== '');
  if (paths.length === 0) throw new KubeconfigError('no kubeconfig file given');
  const present = paths.length === 1 ? paths : paths.filter((p) => existsSync(p));
  if (present.length === 0) {
    throw new KubeconfigError(`none of the kubeconfig files exists: ${clip(paths.join(', '), 500)}`);
  }
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, Entry>();
  let currentContext: string | undefined;
  const files: string[] = [];
  for (const path of present) {
    const file = resolve(path);
    const doc = readDocument(file);
    files.push(file);
    collect(doc, 'clusters', 'cluster', file, clusters);
    collect(doc, 'users', 'user', file, users);
    collect(doc, 'contexts', 'context', file, contexts);
    const current = doc['current-context'];
    if (currentContext === undefined && typeof current === 'string' && current !== '') currentContext = current;
  }
  return {
    files,
    ...(currentContext !== undefined ? { currentContext } : {}),
    contextNames: [...contexts.keys()],
    context: (name) => resolveContext(name ?? currentContext, { clusters, users, contexts, files }),
  };
}

function readDocument(file: string): Record<string, unknown> {
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new KubeconfigError(`kubeconfig ${clip(file, 300)} is a directory`);
    if (stat.size > MAX_FILE_BYTES) {
      throw new KubeconfigError(`kubeconfig ${clip(file, 300)} is ${stat.size} bytes; at most ${MAX_FILE_BYTES}`);
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof KubeconfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new KubeconfigError(`cannot read kubeconfig ${clip(file, 300)}: ${clip(why, 300)}`, { cause: err });
  }
  let doc: unknown;
  try {
    // YAML 1.2 is a superset of JSON: one parser reads both.
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new KubeconfigError(
      `kubeconfig ${clip(file, 300)} is not valid YAML or JSON: ${clip((err as Error).message, 300)}`,
      {
        cause: err,
      },
    );
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new KubeconfigError(`kubeconfig ${clip(file, 300)} is not a mapping (kind: Config)`);
  }
  return doc as Record<string, unknown>;
}

/** Adds `doc[list][i][field]` under `doc[list][i].name` unless an earlier file defined that name. */
function collect(doc: Record<string, unknown>, list: string, field: string, file: string, into: Map<string, Entry>) {
  const entries = doc[list];
  if (entries === undefined || entries === null) return;
  if (!Array.isArray(entries)) throw new KubeconfigError(`kubeconfig ${clip(file, 300)}: ${list} is not a list`);
  entries.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    const name = e?.name;
    if (typeof name !== 'string' || name === '') {
      throw new KubeconfigError(`kubeconfig ${clip(file, 300)}: ${list}[${i}] has no name`);
    }
    const value = e?.[field];
    if (into.has(name)) return;
    into.set(name, { value: isRecord(value) ? value : {}, file });
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Merged {
  readonly clusters: Map<string, Entry>;
  readonly users: Map<string, Entry>;
  readonly contexts: Map<string, Entry>;
  readonly files: readonly string[];
}

function resolveContext(name: string | undefined, merged: Merged): KubeContext {
  const where = `kubeconfig ${clip(merged.files.join(':'), 300)}`;
  if (name === undefined) {
    throw new KubeconfigError(`${where} sets no current-context; name a context (${known(merged.contexts)})`);
  }
  const context = merged.contexts.get(name);
  if (!context) throw new KubeconfigError(`${where} has no context "${clip(name, 200)}" (${known(merged.contexts)})`);
  const clusterName = str(context.value.cluster);
  const userName = str(context.value.user);
  const cluster = clusterName === undefined ? undefined : merged.clusters.get(clusterName);
  if (!cluster) {
    throw new KubeconfigError(
      `context "${clip(name, 200)}" names cluster ${clusterName === undefined ? '(none)' : `"${clip(clusterName, 200)}"`}, which ${where} does not define`,
    );
  }
  const user = userName === undefined ? undefined : merged.users.get(userName);
  if (!user) {
    throw new KubeconfigError(
      `context "${clip(name, 200)}" names user ${userName === undefined ? '(none)' : `"${clip(userName, 200)}"`}, which ${where} does not define`,
    );
  }
  const namespace = str(context.value.namespace);
  return {
    name,
    cluster: clusterName as string,
    user: userName as string,
    ...(namespace !== undefined ? { namespace } : {}),
    ...clusterAccess(clusterName as string, cluster),
    auth: userAuth(userName as string, user),
  };
}

function known(contexts: Map<string, Entry>): string {
  const names = [...contexts.keys()];
  return names.length === 0 ? 'it defines no contexts' : `contexts: ${clip(names.join(', '), 300)}`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function clusterAccess(name: string, entry: Entry): Omit<KubeClusterAccess, 'auth'> {
  const c = entry.value;
  const server = str(c.server);
  if (server === undefined) throw new KubeconfigError(`cluster "${clip(name, 200)}" has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KubeconfigError(`cluster "${clip(name, 200)}" server is not a URL: ${clip(server, 200)}`);
  }
  if (url.protocol !== 'https:') {
    throw new KubeconfigError(
      `cluster "${clip(name, 200)}" server ${clip(server, 200)} is not https: IRSA Doctor talks to API servers over verified TLS only`,
    );
  }
  if (c['insecure-skip-tls-verify'] === true) {
    throw new KubeconfigError(
      `cluster "${clip(name, 200)}" sets insecure-skip-tls-verify: IRSA Doctor always verifies the API server's certificate; give the cluster's CA instead (certificate-authority-data; on EKS, DescribeCluster certificateAuthority.data)`,
    );
  }
  if (c['proxy-url'] !== undefined) {
    throw new KubeconfigError(
      `cluster "${clip(name, 200)}" sets proxy-url: IRSA Doctor connects to API servers directly and does not go through proxies; use a context without proxy-url from a machine that reaches the endpoint`,
    );
  }
  const tlsServerName = str(c['tls-server-name']);
  const ca = pemSetting(c, 'certificate-authority', entry.file, `cluster "${name}"`);
  return { server, ...(ca !== undefined ? { ca } : {}), ...(tlsServerName !== undefined ? { tlsServerName } : {}) };
}

/** `<key>-data` (base64 PEM) or `<key>` (a file, relative to the kubeconfig), as text; undefined when neither. */
function pemSetting(c: Record<string, unknown>, key: string, file: string, what: string): string | undefined {
  const data = str(c[`${key}-data`]);
  if (data !== undefined) {
    const text = Buffer.from(data, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) {
      throw new KubeconfigError(`${clip(what, 200)} ${key}-data is not base64 of a PEM block`);
    }
    return text;
  }
  const path = str(c[key]);
  if (path === undefined) return undefined;
  const full = relativeTo(file, path);
  try {
    return readFileSync(full, 'utf8');
  } catch (err) {
    throw new KubeconfigError(
      `${clip(what, 200)} ${key} ${clip(full, 300)} cannot be read: ${clip((err as Error).message, 200)}`,
      {
        cause: err,
      },
    );
  }
}

const relativeTo = (file: string, path: string) => (isAbsolute(path) ? path : resolve(dirname(file), path));

function userAuth(name: string, entry: Entry): KubeUserAuth {
  const u = entry.value;
  const what = `user "${name}"`;
  if (u['auth-provider'] !== undefined) {
    const provider = isRecord(u['auth-provider']) ? str(u['auth-provider'].name) : undefined;
    throw new KubeconfigError(
      `${clip(what, 200)} uses auth-provider ${provider ?? ''}, which kubectl itself no longer supports; use an exec plugin (on EKS: aws eks update-kubeconfig)`,
    );
  }
  if (u.username !== undefined || u.password !== undefined) {
    throw new KubeconfigError(
      `${clip(what, 200)} uses basic auth (username/password), which Kubernetes removed in 1.19`,
    );
  }
  const token = str(u.token);
  const tokenFile = str(u.tokenFile);
  const clientCertificate = pemSetting(u, 'client-certificate', entry.file, what);
  const clientKey = pemSetting(u, 'client-key', entry.file, what);
  if ((clientCertificate === undefined) !== (clientKey === undefined)) {
    throw new KubeconfigError(
      `${clip(what, 200)} has a client certificate without a key, or a key without a certificate`,
    );
  }
  const exec = u.exec === undefined || u.exec === null ? undefined : execConfig(u.exec, entry.file, what);
  return {
    ...(token !== undefined ? { token } : {}),
    ...(tokenFile !== undefined ? { tokenFile: relativeTo(entry.file, tokenFile) } : {}),
    ...(clientCertificate !== undefined && clientKey !== undefined ? { clientCertificate, clientKey } : {}),
    ...(exec ? { exec } : {}),
  };
}

function execConfig(value: unknown, file: string, what: string): KubeExecConfig {
  if (!isRecord(value)) throw new KubeconfigError(`${clip(what, 200)} exec is not a mapping`);
  const command = str(value.command);
  if (command === undefined) throw new KubeconfigError(`${clip(what, 200)} exec has no command`);
  const args = value.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new KubeconfigError(`${clip(what, 200)} exec args is not a list of strings`);
  }
  const env = value.env ?? [];
  if (
    !Array.isArray(env) ||
    !env.every((e) => isRecord(e) && typeof e.name === 'string' && typeof (e.value ?? '') === 'string')
  ) {
    throw new KubeconfigError(`${clip(what, 200)} exec env is not a list of {name, value}`);
  }
  return {
    command,
    args: args as string[],
    env: (env as Record<string, unknown>[]).map((e) => ({ name: e.name as string, value: (e.value as string) ?? '' })),
    apiVersion: str(value.apiVersion) ?? 'client.authentication.k8s.io/v1beta1',
    provideClusterInfo: value.provideClusterInfo === true,
    baseDir: dirname(file),
  };
}
