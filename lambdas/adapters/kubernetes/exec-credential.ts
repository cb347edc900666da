/**
 * Runs a kubeconfig `exec` credential plugin as client-go does: the command with its args, the process environment
 * plus the plugin's env and KUBERNETES_EXEC_INFO, no stdin (never interactive); stdout must be an ExecCredential
 * whose `status` holds a token (or a client certificate and key), valid until `expirationTimestamp`.
 * EKS kubeconfigs use `aws eks get-token --cluster-name NAME`.
 */
import { spawn } from 'node:child_process';
import { isAbsolute, resolve, sep } from 'node:path';
import { KubeCredentialError } from '../../shared/errors';
import { clip, escapeControls } from '../../shared/text';
import type { KubeExecConfig } from './kubeconfig';

export interface ExecCredential {
  readonly token?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** When the credential stops being valid; absent: until the server rejects it. */
  readonly expiresAt?: Date;
}

export interface ExecRunOptions {
  /** Milliseconds the plugin may run before it is killed. */
  readonly timeoutMs: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Passed in KUBERNETES_EXEC_INFO when the plugin asks for cluster info. */
  readonly cluster?: { readonly server: string; readonly ca?: string; readonly tlsServerName?: string };
}

/** Bigger than any ExecCredential; bounds what a misbehaving plugin can make us hold. */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** The command line as a person would type it, for error messages. */
export function execCommandLine(exec: KubeExecConfig): string {
  return escapeControls(clip([exec.command, ...exec.args].join(' '), 300));
}

/** Runs the plugin once and returns its credential; a KubeCredentialError naming the command when it fails. */
export async function runExecCredential(exec: KubeExecConfig, options: ExecRunOptions): Promise<ExecCredential> {
  const stdout = await runPlugin(exec, options);
  return parseExecCredential(stdout, exec);
}

function pluginEnv(exec: KubeExecConfig, options: ExecRunOptions): Record<string, string> {
  const info = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo && options.cluster
        ? {
            cluster: {
              server: options.cluster.server,
              ...(options.cluster.tlsServerName ? { 'tls-server-name': options.cluster.tlsServerName } : {}),
              ...(options.cluster.ca
                ? { 'certificate-authority-data': Buffer.from(options.cluster.ca).toString('base64') }
                : {}),
            },
          }
        : {}),
    },
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) env[k] = v;
  for (const { name, value } of exec.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  return env;
}

/** A relative command with a path separator is relative to the kubeconfig's directory (client-go's rule). */
function commandPath(exec: KubeExecConfig): string {
  return !isAbsolute(exec.command) && exec.command.includes(sep) ? resolve(exec.baseDir, exec.command) : exec.command;
}

function runPlugin(exec: KubeExecConfig, options: ExecRunOptions): Promise<string> {
  const line = execCommandLine(exec);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(commandPath(exec), [...exec.args], {
      env: pluginEnv(exec, options),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const out: Buffer[] = [];
    let outBytes = 0;
    let errText = '';
    let failure: KubeCredentialError | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) {
        failure ??= new KubeCredentialError(
          `exec credential plugin "${line}" wrote more than ${MAX_OUTPUT_BYTES} bytes`,
        );
        child.kill('SIGKILL');
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errText.length < 4096) errText += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= new KubeCredentialError(
        err.code === 'ENOENT'
          ? `exec credential plugin "${line}": command not found (install it or put it on PATH)`
          : `exec credential plugin "${line}" could not start: ${clip(err.message, 300)}`,
        { cause: err },
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const problem =
        failure ?? exitProblem(line, { code, signal, timedOut, stderr: errText, timeoutMs: options.timeoutMs });
      if (problem) return reject(problem);
      resolvePromise(Buffer.concat(out).toString('utf8'));
    });
  });
}

function exitProblem(
  line: string,
  exit: { code: number | null; signal: string | null; timedOut: boolean; stderr: string; timeoutMs: number },
): KubeCredentialError | undefined {
  if (exit.timedOut) {
    return new KubeCredentialError(
      `exec credential plugin "${line}" did not finish within ${Math.round(exit.timeoutMs / 1000)} s (killed)`,
    );
  }
  if (exit.code === 0) return undefined;
  const said = escapeControls(clip(exit.stderr.trim(), 500));
  const how = exit.code === null ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return new KubeCredentialError(`exec credential plugin "${line}" failed with ${how}${said ? `: ${said}` : ''}`);
}

/** The ExecCredential's status, checked; exported for unit tests. */
export function parseExecCredential(stdout: string, exec: KubeExecConfig): ExecCredential {
  const line = execCommandLine(exec);
  const s = execStatus(stdout, line);
  const token = typeof s.token === 'string' && s.token !== '' ? s.token : undefined;
  const cert = typeof s.clientCertificateData === 'string' ? s.clientCertificateData : undefined;
  const key = typeof s.clientKeyData === 'string' ? s.clientKeyData : undefined;
  if (token === undefined && (cert === undefined || key === undefined)) {
    throw new KubeCredentialError(
      `exec credential plugin "${line}" returned neither status.token nor status.clientCertificateData and clientKeyData`,
    );
  }
  const expiresAt = typeof s.expirationTimestamp === 'string' ? new Date(s.expirationTimestamp) : undefined;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) {
    throw new KubeCredentialError(`exec credential plugin "${line}" returned an unreadable expirationTimestamp`);
  }
  return {
    ...(token !== undefined ? { token } : {}),
    ...(cert !== undefined && key !== undefined ? { clientCertificate: cert, clientKey: key } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

function execStatus(stdout: string, line: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new KubeCredentialError(`exec credential plugin "${line}" did not print an ExecCredential (not JSON)`);
  }
  const d = doc as { kind?: unknown; status?: unknown } | null;
  if (
    d === null ||
    typeof d !== 'object' ||
    d.kind !== 'ExecCredential' ||
    typeof d.status !== 'object' ||
    d.status === null
  ) {
    throw new KubeCredentialError(`exec credential plugin "${line}" did not print an ExecCredential with a status`);
  }
  return d.status as Record<string, unknown>;
}
