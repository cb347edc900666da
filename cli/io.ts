import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { EstateSnapshot } from '../lambdas/domain/snapshot';
import { InputReadError, OutputWriteError } from '../lambdas/shared/errors';
import { parseSnapshot } from '../lambdas/shared/schemas';

/** Where the CLI writes; injected so tests can capture output without spawning a process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
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
    throw new InputReadError(`cannot read ${what} ${path}: ${reason}`, { cause: err });
  }
  const name = path === '-' ? `${what} on stdin` : path;
  if (text.trim() === '') throw new InputReadError(`${name} is empty`);
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : ` (${lineColumn(text, Number(position))})`;
    throw new InputReadError(`${name} is not valid JSON${where}: ${message}`, { cause: err });
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
