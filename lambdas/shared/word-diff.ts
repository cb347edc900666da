/**
 * The words a unified diff's changed lines change, for every reader of a plan's diff (the CLI's terminal table, the
 * console's plan page, bulk view and history): a removed line and the added line in its place (the n-th of a block
 * of '-' lines against the n-th of the '+' lines that follow) compared word by word (the `diff` package); other
 * lines are one unchanged part. Pure: no styling, no DOM.
 */
import { createTwoFilesPatch, diffWordsWithSpace } from 'diff';

export type DiffLineKind = 'file' | 'hunk' | 'del' | 'add' | 'ctx';

/** A run of a line's text, `changed` when the word diff says this line removed (a '-' line) or added (a '+' line) it. */
export interface WordPart {
  readonly text: string;
  readonly changed: boolean;
}

export interface MarkedLine {
  readonly kind: DiffLineKind;
  /** The line's text after its first character (the +, - or space marker), in parts. */
  readonly parts: readonly WordPart[];
}

export function diffLineKind(line: string): DiffLineKind {
  if (line.startsWith('---') || line.startsWith('+++')) return 'file';
  if (line.startsWith('@@')) return 'hunk';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith('+')) return 'add';
  return 'ctx';
}

/** Each line of a unified diff with the words it changes marked. */
export function markDiffLines(lines: readonly string[]): MarkedLine[] {
  const out: MarkedLine[] = lines.map((line) => ({
    kind: diffLineKind(line),
    parts: [{ text: line.slice(1), changed: false }],
  }));
  let i = 0;
  while (i < lines.length) {
    const dels = runOf(lines, i, 'del');
    const adds = runOf(lines, i + dels, 'add');
    if (dels === 0 || adds === 0) {
      i += Math.max(1, dels);
      continue;
    }
    for (let k = 0; k < Math.min(dels, adds); k++) {
      const [removed, added] = wordParts(lines[i + k]?.slice(1) ?? '', lines[i + dels + k]?.slice(1) ?? '');
      out[i + k] = { kind: 'del', parts: removed };
      out[i + dels + k] = { kind: 'add', parts: added };
    }
    i += dels + adds;
  }
  return out;
}

function runOf(lines: readonly string[], from: number, kind: DiffLineKind): number {
  let n = 0;
  while (from + n < lines.length && diffLineKind(lines[from + n] ?? '') === kind) n++;
  return n;
}

/** The removed line's parts (its removed words changed) and the added line's (its added words changed). */
function wordParts(before: string, after: string): [WordPart[], WordPart[]] {
  const removed: WordPart[] = [];
  const added: WordPart[] = [];
  for (const part of diffWordsWithSpace(before, after)) {
    if (!part.added) removed.push({ text: part.value, changed: part.removed === true });
    if (!part.removed) added.push({ text: part.value, changed: part.added === true });
  }
  return [removed, added];
}

/**
 * Two documents (JSON values: a trust policy, a provider's state, an access entry; null for none) as a unified diff
 * of their indented JSON, whole (every line as context), for the readers above. Empty when they are equal.
 */
export function documentDiff(before: unknown, after: unknown, beforeLabel: string, afterLabel: string): string {
  const text = (v: unknown) => `${JSON.stringify(v ?? null, null, 2)}\n`;
  const a = text(before);
  const b = text(after);
  if (a === b) return '';
  return createTwoFilesPatch(beforeLabel, afterLabel, a, b, undefined, undefined, { context: 10_000 })
    .split('\n')
    .filter((line) => !line.startsWith('===') && line !== '\\ No newline at end of file')
    .map((line) => (line.startsWith('--- ') || line.startsWith('+++ ') ? line.trimEnd() : line))
    .join('\n')
    .trimEnd();
}
