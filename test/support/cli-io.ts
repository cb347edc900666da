import type { CliIo } from '../../cli/io';

/** Captures what the CLI writes, and feeds it stdin, without spawning a process. */
export function captureIo(stdin = '', options: { tty?: boolean; env?: Record<string, string> } = {}) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: false },
    readStdin: async () => stdin,
    env: options.env ?? {},
  };
  return { io, out: () => out, err: () => err };
}
