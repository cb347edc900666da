import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import { InputReadError, OutputWriteError } from '../lambdas/shared/errors';
import { parseSnapshot } from '../lambdas/shared/schemas';
import { clip } from '../lambdas/shared/text';

/** Where the CLI writes; injected so tests can capture output without spawning a process. */
/** What the CLI writes to: a stream's `write`, and `once('drain')` when it can say it is full. */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width in columns, when the stream is a terminal (Node's tty.WriteStream has it). */
  readonly columns?: number;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Reads a JSON file (or stdin for "-") and parses it, with errors that name the file, line and column. */
export async function readJsonInput(path: string, io: CliIo, what: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await io.readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new InputReadError(`cannot read ${what} ${clip(path, 300)}: ${clip(reason, 300)}`, { cause: err });
  }
  const name = path === '-' ? `${what} on stdin` : path;
  if (text.trim() === '') throw new InputReadError(`${name} is empty`);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` (${lineColumn(text, Number(position))})`;
    throw new InputReadError(`${name} is not valid JSON${where}: ${clip(message, 200)}`, { cause: err });
  }
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** Reads and validates an estate snapshot from a file or stdin ("-"). */
export async function readSnapshot(path: string, io: CliIo): Promise<EstateSnapshot> {
  const raw = await readJsonInput(path, io, 'snapshot');
  return parseSnapshot(raw, path === '-' ? 'snapshot on stdin' : path);
}

/** Writes a file whole or not at all: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw new OutputWriteError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The console or its API could not be reached, or answered something that is not HTTP JSON: connection refused,
 * a DNS failure, a TLS error, a timeout. The CLI prints it on one line and exits 2.
 */
export class NetworkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

/** How long one HTTP request of the CLI may take before it is abandoned (IRSA_DOCTOR_TIMEOUT_MS overrides). */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/**
 * `fetch` with a deadline, whose failures become one-line NetworkErrors naming the URL and the reason
 * ("connection refused", "host not found", "TLS: certificate has expired", "no answer within 30 s").
 */
export async function fetchOrExplain(
  url: string,
  init: RequestInit,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<Response> {
  const configured = Number(env.IRSA_DOCTOR_TIMEOUT_MS);
  const timeoutMs = Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_HTTP_TIMEOUT_MS;
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new NetworkError(`cannot reach ${clip(url, 200)}: ${networkReason(err, timeoutMs)}`, { cause: err });
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer (headers timeout)',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
};

/** The innermost useful reason of a fetch failure, as a few words and its code. */
export function networkReason(err: unknown, timeoutMs: number): string {
  const chain: Array<{ name?: string; code?: string; message?: string }> = [];
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) {
    chain.push(e as { name?: string; code?: string; message?: string });
  }
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError')) {
    return `no answer within ${timeoutMs / 1000} s (timeout)`;
  }
  for (const e of [...chain].reverse()) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
    if (code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
      return `TLS: ${clip(e.message ?? code, 200)} (${code})`;
    }
  }
  const inner = chain[chain.length - 1];
  const code = typeof inner?.code === 'string' ? ` (${inner.code})` : '';
  return `${clip(inner?.message ?? String(err), 200)}${code}`;
}

/** Bytes gathered before a write: large enough to keep writes few, small enough to keep memory flat. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes text given piece by piece in writes of about a megabyte, waiting for `drain` whenever the stream says it is
 * full (`write` returned exactly `false`): a pipe that reads slowly would otherwise queue the whole output in memory.
 */
export async function writeChunks(out: CliOutput, pieces: Iterable<string>): Promise<void> {
  let buffer = '';
  const flush = async () => {
    const accepted = out.write(buffer);
    buffer = '';
    if (accepted === false && out.once) await new Promise<void>((resolve) => out.once?.('drain', resolve));
  };
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length >= WRITE_CHUNK) await flush();
  }
  if (buffer.length > 0) await flush();
}
