import stringWidth from 'string-width';

/** How a run of text is styled (an ANSI wrapper from style.ts), or not at all. */
export type Paint = (text: string) => string;

/** A run of plain text (already escaped, no ANSI codes in it) and how to style it. */
export interface Span {
  readonly text: string;
  readonly paint?: Paint | undefined;
}

export interface WrapOptions {
  /** Printed before the first line; may be styled (its ANSI codes do not count towards the width). */
  readonly prefix?: string;
  /** Columns of hanging indentation before every following line (default: the prefix's width). */
  readonly indent?: number;
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/**
 * Columns a text takes on a terminal: ANSI codes count 0, East Asian wide and fullwidth characters 2, combining
 * marks 0 (string-width); printable ASCII is measured by its length, without the library's work.
 */
export function displayWidth(text: string): number {
  return PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text);
}

/** A word: the spaces before it, and its text in one or more styled runs. */
interface Word {
  readonly gap: string;
  readonly spans: readonly Span[];
  readonly width: number;
}
type Token = Word | 'newline';

/** Where a too-long token breaks first: after ':' or '/' (ARNs, URLs), then after other separators. */
const SEPARATORS = [new Set([':', '/']), new Set([',', ';', '=', '&', '?', '.', '-', '_', '@', '|'])];
const MIN_ROOM = 10;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Wraps styled text to `width` columns: word by word (breaking at spaces, keeping the spaces within a line),
 * the first line after `prefix` and the others after `indent` spaces (hanging indentation). A word longer than a
 * whole line is broken after a separator (':' '/' first, then ',' '.' '-' and the like) or, when none fits, between
 * two characters (graphemes, so a combining mark stays with its letter): it is never cut off. "\n" in a span starts
 * a new line. Styles apply to each line's runs on their own, so a line never carries an unclosed style.
 */
export function wrapSpans(spans: readonly Span[], width: number, opts: WrapOptions = {}): string[] {
  const prefix = opts.prefix ?? '';
  const filler = new LineFiller(width, prefix, ' '.repeat(opts.indent ?? displayWidth(prefix)));
  for (const token of tokens(spans)) {
    if (token === 'newline') filler.flush();
    else filler.add(token);
  }
  return filler.finish();
}

/** Fills lines greedily, one word at a time. */
class LineFiller {
  private readonly lines: string[] = [];
  private parts: Word[] = [];
  private used = 0;

  constructor(
    private readonly width: number,
    private readonly prefix: string,
    private readonly indent: string,
  ) {}

  /** Columns of the current line after its prefix or indentation. */
  private room(): number {
    return Math.max(MIN_ROOM, this.width - displayWidth(this.lines.length === 0 ? this.prefix : this.indent));
  }

  add(word: Word): void {
    const gap = this.parts.length === 0 ? '' : word.gap;
    if (this.used + gap.length + word.width <= this.room()) this.place(word, gap);
    else if (this.parts.length > 0 && word.width <= Math.max(MIN_ROOM, this.width - this.indent.length)) {
      this.flush();
      this.place(word, '');
    } else this.addLong(word, gap);
  }

  /** A word longer than a line: started here when a fair part fits, then whole lines of its pieces. */
  private addLong(word: Word, gap: string): void {
    if (this.parts.length > 0 && this.room() - this.used - gap.length < this.room() / 3) this.flush();
    let rest: Word = { ...word, gap: this.parts.length === 0 ? '' : gap };
    for (;;) {
      const space = this.room() - this.used - rest.gap.length;
      if (rest.width <= space) break;
      const [head, tail] = splitWord(rest, space);
      this.place(head, rest.gap);
      this.flush();
      rest = tail;
    }
    this.place(rest, rest.gap);
  }

  private place(word: Word, gap: string): void {
    this.parts.push({ ...word, gap });
    this.used += gap.length + word.width;
  }

  flush(): void {
    this.lines.push(renderLine(this.lines.length === 0 ? this.prefix : this.indent, this.parts));
    this.parts = [];
    this.used = 0;
  }

  finish(): string[] {
    if (this.parts.length > 0 || this.lines.length === 0) this.flush();
    return this.lines;
  }
}

/** Plain text wrapped as wrapSpans does, all of it in one style. */
export function wrapText(
  text: string,
  width: number,
  opts: WrapOptions & { paint?: Paint | undefined } = {},
): string[] {
  return wrapSpans([{ text, paint: opts.paint }], width, opts);
}

function tokens(spans: readonly Span[]): Token[] {
  const pieces = spans.flatMap((span) =>
    span.text
      .split(/(\n| +)/)
      .filter((part) => part !== '')
      .map((text) => ({ text, paint: span.paint })),
  );
  const out: Token[] = [];
  let gap = '';
  let open: { gap: string; spans: Span[] } | undefined;
  const close = () => {
    if (open) out.push(makeWord(open.gap, open.spans));
    open = undefined;
  };
  for (const piece of pieces) {
    if (piece.text === '\n') {
      close();
      out.push('newline');
      gap = '';
    } else if (piece.text.startsWith(' ')) {
      close();
      gap += piece.text;
    } else {
      open ??= { gap, spans: [] };
      gap = '';
      open.spans.push(piece);
    }
  }
  close();
  return out;
}

function makeWord(gap: string, spans: readonly Span[]): Word {
  return { gap, spans, width: spans.reduce((sum, s) => sum + displayWidth(s.text), 0) };
}

/** A word's first `columns` (at least one grapheme) and the rest, broken after a separator when one fits. */
function splitWord(word: Word, columns: number): [Word, Word] {
  const text = word.spans.map((s) => s.text).join('');
  const at = breakOffset(text, Math.max(1, columns));
  return [makeWord(word.gap, sliceSpans(word.spans, 0, at)), makeWord('', sliceSpans(word.spans, at, text.length))];
}

/** The offset to break `text` at so the first part takes at most `columns` (one grapheme when none fits). */
export function breakOffset(text: string, columns: number): number {
  let fits = 0;
  let used = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > columns && fits > 0) break;
    used += w;
    fits = index + segment.length;
  }
  for (const separators of SEPARATORS) {
    for (let i = fits - 1; i >= fits / 3; i--) {
      if (separators.has(text.charAt(i)) && i + 1 < text.length) return i + 1;
    }
  }
  return fits;
}

function sliceSpans(spans: readonly Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  let offset = 0;
  for (const span of spans) {
    const start = Math.max(from, offset);
    const end = Math.min(to, offset + span.text.length);
    if (start < end) out.push({ text: span.text.slice(start - offset, end - offset), paint: span.paint });
    offset += span.text.length;
  }
  return out;
}

/** A line's words as styled runs: neighbours of one style merged, a gap styled only between two runs of its style. */
function renderLine(lead: string, words: readonly Word[]): string {
  const runs: Array<{ text: string; paint?: Paint | undefined }> = [];
  const add = (text: string, paint: Paint | undefined) => {
    const last = runs[runs.length - 1];
    if (last && last.paint === paint) last.text += text;
    else runs.push({ text, paint });
  };
  for (const word of words) {
    if (word.gap !== '') {
      const before = runs[runs.length - 1]?.paint;
      add(word.gap, before === word.spans[0]?.paint ? before : undefined);
    }
    for (const span of word.spans) add(span.text, span.paint);
  }
  const body = runs.map((r) => (r.paint ? r.paint(r.text) : r.text)).join('');
  return body === '' ? lead.trimEnd() : `${lead}${body}`;
}
