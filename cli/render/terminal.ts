import type { CliIo } from '../io';

/** What the table renderers need to know of where they print: whether to colour, and how wide a line may be. */
export interface Terminal {
  readonly color: boolean;
  readonly width: number;
}

/** The width assumed when the output is not a terminal and COLUMNS does not say (a pipe, a file, CI logs). */
export const DEFAULT_WIDTH = 100;
/** Narrower than this, hanging indentation leaves too little room; wider, lines are too long to read. */
export const MIN_WIDTH = 40;
export const MAX_WIDTH = 400;

/**
 * Where the CLI prints. Colour: off with `--no-color` (opts.color === false, the flag beats the environment);
 * else FORCE_COLOR decides when set (off for '0' or 'false', on for anything else: the Node and chalk convention);
 * else off when NO_COLOR is non-empty (https://no-color.org); else on only when stdout is a terminal. Width: the terminal's columns, else COLUMNS when it is a sane
 * number, else 100; clamped to 40..400.
 */
export function terminalFor(io: CliIo, opts: { color?: boolean } = {}): Terminal {
  return { color: colorFor(io, opts), width: widthFor(io) };
}

function colorFor(io: CliIo, opts: { color?: boolean }): boolean {
  if (opts.color === false) return false;
  // As in Node's own getColorDepth: FORCE_COLOR, when set, wins over NO_COLOR and over what the stream is.
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return Boolean(io.stdout.isTTY);
}

function widthFor(io: CliIo): number {
  const columns = io.stdout.isTTY ? io.stdout.columns : undefined;
  if (columns !== undefined && Number.isFinite(columns) && columns > 0) return clampWidth(columns);
  const fromEnv = (io.env.COLUMNS ?? '').trim();
  if (/^\d{1,6}$/.test(fromEnv) && Number(fromEnv) > 0) return clampWidth(Number(fromEnv));
  return DEFAULT_WIDTH;
}

function clampWidth(columns: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.floor(columns)));
}
