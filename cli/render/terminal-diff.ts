import { escapeControls as esc } from '../../lambdas/shared/text';
import { diffLineKind as kindOf, markDiffLines } from '../../lambdas/shared/word-diff';
import type { Style } from './style';
import { type Span, wrapSpans } from './wrap-text';

/** How many lines of a plan's diff the table shows; the rest is counted, and in -o markdown or -o json whole. */
export const MAX_DIFF_LINES = 60;

export interface DiffOptions {
  readonly width: number;
  /** Columns before each diff line. */
  readonly indent: number;
  readonly maxLines?: number;
  /** The resource the plan names in its first line: left out of the ---/+++ headers that repeat it. */
  readonly resource?: string;
}

/**
 * A unified diff (the plan's own `diff`, the one the markdown report and the console show) as terminal lines: '-'
 * lines red, '+' lines green, hunk headers cyan; with colour, the words a changed line changes are marked (a word
 * diff of each removed line against the added line in its place). The +/- are there with or without colour. A long
 * line wraps under its own indentation. Controls in the diff are escaped.
 */
export function renderDiff(diff: string, style: Style, opts: DiffOptions): string[] {
  const repeated = opts.resource ? ` ${esc(opts.resource)} (` : undefined;
  const source = esc(diff, true)
    .split('\n')
    .map((line) => (repeated && kindOf(line) === 'file' ? line.replace(repeated, ' (') : line));
  const max = opts.maxLines ?? MAX_DIFF_LINES;
  const shown = source.length > max ? source.slice(0, max) : source;
  const spans = style.enabled ? markChangedWords(shown, style) : shown.map((line) => [{ text: line.slice(1) }]);
  const out = shown.flatMap((line, i) => diffLine(line, spans[i] ?? [], style, opts));
  if (source.length > shown.length) {
    out.push(
      `${' '.repeat(opts.indent)}${style.dim(`... ${source.length - shown.length} more lines (use -o markdown or -o json for all)`)}`,
    );
  }
  return out;
}

/** One diff line wrapped: the marker and the line's own indentation lead, continuations go two columns further. */
function diffLine(line: string, body: readonly Span[], style: Style, opts: DiffOptions): string[] {
  const kind = kindOf(line);
  const pad = ' '.repeat(opts.indent);
  if (kind === 'file' || kind === 'hunk') {
    const paint = kind === 'file' ? style.bold : style.cyan;
    return wrapSpans([{ text: line, paint }], opts.width, { prefix: pad, indent: opts.indent + 4 });
  }
  const marker = line.charAt(0) || ' ';
  const leading = /^ */.exec(line.slice(1))?.[0] ?? '';
  const paint = kind === 'del' ? style.red : kind === 'add' ? style.green : undefined;
  const lead = `${pad}${paint ? paint(`${marker}${leading}`) : `${marker}${leading}`}`;
  const rest = trimLeading(body, leading.length);
  return wrapSpans(rest, opts.width, { prefix: lead, indent: opts.indent + 1 + leading.length + 2 });
}

function trimLeading(spans: readonly Span[], count: number): Span[] {
  let left = count;
  const out: Span[] = [];
  for (const span of spans) {
    const cut = Math.min(left, span.text.length);
    left -= cut;
    if (cut < span.text.length) out.push({ text: span.text.slice(cut), paint: span.paint });
  }
  return out;
}

/** Each line's text after its marker, as styled runs: the words a changed line changes marked (word-diff.ts). */
function markChangedWords(lines: readonly string[], style: Style): Span[][] {
  return markDiffLines(lines).map(({ kind, parts }) => {
    const paint = kind === 'del' ? style.red : kind === 'add' ? style.green : undefined;
    const mark = kind === 'del' ? style.removedWord : style.addedWord;
    return parts.map((p) => ({ text: p.text, paint: p.changed ? mark : paint }));
  });
}
