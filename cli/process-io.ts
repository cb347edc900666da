/** What the CLI reads and writes, apart from files: light, so cli/main.ts can name it without loading cli/io.ts. */

/** What the CLI writes to: a stream's `write`, and `once('drain')` when it can say it is full. */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width in columns, when the stream is a terminal (Node's tty.WriteStream has it). */
  readonly columns?: number;
  once?(event: 'drain', listener: () => void): unknown;
}

/** Where the CLI writes; injected so tests can capture output without spawning a process. */
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
