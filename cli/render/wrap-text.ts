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
  const fits = fitsAsIs(spans, width - displayWidth(prefix));
  if (fits !== undefined) return [fits === '' ? prefix.trimEnd() : `${prefix}${fits}`];
  const indent = opts.indent ?? displayWidth(prefix);
  const ascii = wrapAscii(spans, width, prefix, indent);
  if (ascii) return ascii;
  const filler = new LineFiller(width, prefix, ' '.repeat(indent));
  for (const token of tokens(spans)) {
    if (token === 'newline') filler.flush();
    else filler.add(token);
  }
  return filler.finish();
}

/**
 * The common case without the word-by-word work: one run of printable ASCII with no line break and no space at
 * either end that fits the first line, styled as wrapSpans would style it; undefined otherwise.
 */
function fitsAsIs(spans: readonly Span[], room: number): string | undefined {
  if (spans.length !== 1) return undefined;
  const { text, paint } = spans[0] as Span;
  if (
    text.length > Math.max(MIN_ROOM, room) ||
    !PRINTABLE_ASCII.test(text) ||
    text.startsWith(' ') ||
    text.endsWith(' ')
  )
    return undefined;
  return text === '' || !paint ? text : paint(text);
}

/**
 * What LineFiller does, on strings, for one run of printable ASCII (most lines of a table): the same lines, without
 * a word object each (a property test holds the two together). Undefined for anything else.
 */
function wrapAscii(spans: readonly Span[], width: number, prefix: string, indent: number): string[] | undefined {
  if (spans.length !== 1) return undefined;
  const { text, paint } = spans[0] as Span;
  if (!PRINTABLE_ASCII.test(text)) return undefined;
  const fill = new AsciiFiller(Math.max(MIN_ROOM, width - displayWidth(prefix)), Math.max(MIN_ROOM, width - indent));
  let gap = '';
  for (const part of text.split(/( +)/)) {
    if (part.startsWith(' ')) gap = part;
    else if (part !== '') {
      fill.add(part, gap);
      gap = '';
    }
  }
  const lead = ' '.repeat(indent);
  return fill.finish().map((l, i) => withLead(i === 0 ? prefix : lead, l === '' || !paint ? l : paint(l)));
}

function withLead(lead: string, body: string): string {
  return body === '' ? lead.trimEnd() : `${lead}${body}`;
}

/** LineFiller's rules on plain strings, where a character is a column. */
class AsciiFiller {
  private readonly out: string[] = [];
  private line = '';

  constructor(
    private readonly first: number,
    private readonly rest: number,
  ) {}

  private room(): number {
    return this.out.length === 0 ? this.first : this.rest;
  }

  private flush(): void {
    this.out.push(this.line);
    this.line = '';
  }

  add(word: string, spaces: string): void {
    const gap = this.line === '' ? '' : spaces;
    if (this.line.length + gap.length + word.length <= this.room()) this.line += gap + word;
    else if (this.line !== '' && word.length <= this.rest) {
      this.flush();
      this.line = word;
    } else this.addLong(word, gap);
  }

  private addLong(word: string, gap: string): void {
    if (this.line !== '' && this.room() - this.line.length - gap.length < this.room() / 3) this.flush();
    let rest = word;
    let restGap = this.line === '' ? '' : gap;
    for (;;) {
      const space = this.room() - this.line.length - restGap.length;
      if (rest.length <= space) break;
      const at = breakOffset(rest, Math.max(1, space));
      this.line += restGap + rest.slice(0, at);
      this.flush();
      rest = rest.slice(at);
      restGap = '';
    }
    this.line += restGap + rest;
  }

  finish(): string[] {
    this.flush();
    return this.out;
  }
}

/** Fills lines greedily, one word at a time. */
class LineFiller {
  private readonly lines: string[] = [];
  private parts: Word[] = [];
  private used = 0;
  private readonly first: number;
  private readonly rest: number;

  constructor(
    width: number,
    private readonly prefix: string,
    private readonly indent: string,
  ) {
    this.first = Math.max(MIN_ROOM, width - displayWidth(prefix));
    this.rest = Math.max(MIN_ROOM, width - indent.length);
  }

  /** Columns of the current line after its prefix or indentation. */
  private room(): number {
    return this.lines.length === 0 ? this.first : this.rest;
  }

  add(word: Word): void {
    const gap = this.parts.length === 0 ? '' : word.gap;
    if (this.used + gap.length + word.width <= this.room()) this.place(word, gap);
    else if (this.parts.length > 0 && word.width <= this.rest) {
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
  const fits = PRINTABLE_ASCII.test(text)
    ? Math.min(text.length, Math.max(1, columns))
    : fittingGraphemes(text, columns);
  for (const separators of SEPARATORS) {
    for (let i = fits - 1; i >= fits / 3; i--) {
      if (separators.has(text.charAt(i)) && i + 1 < text.length) return i + 1;
    }
  }
  return fits;
}

/** The length of the longest run of whole graphemes at the start of `text` that takes at most `columns` (one at least). */
function fittingGraphemes(text: string, columns: number): number {
  let fits = 0;
  let used = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    const w = displayWidth(segment);
    if (used + w > columns && fits > 0) break;
    used += w;
    fits = index + segment.length;
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
