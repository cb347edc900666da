/**
 * Text hygiene for everything a person reads: terminal output, e-mail and SNS text, error messages.
 * Pure (no I/O), so the domain, the adapters and the CLI share one definition.
 */

/**
 * Characters that can change what a terminal or a text view shows rather than print themselves: C0 controls
 * (U+0000-U+001F, ESC included, so no escape sequence survives), DEL, C1 controls (U+0080-U+009F, CSI U+009B
 * included), the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069: "Trojan Source", CVE-2021-42574), the line and paragraph separators U+2028/U+2029, and lone
 * surrogates.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this expression's purpose
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_BUT_NEWLINE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this expression's purpose
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function visible(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/**
 * Replaces every control, bidi and separator character with a visible escape (`\e`, `\r`, `\n`, `\x7f`,
 * `\u{202e}`...), so a name like "prod\u001b[31m" prints as `prod\e[31m` and cannot recolor, move the cursor,
 * overwrite a line or reorder text. With `keepNewlines`, "\n" stays a line break (for multi-line text whose lines
 * are the writer's own, such as a diff or an e-mail body).
 */
export function escapeControls(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE, visible);
}

/** How many characters of a value an error message shows at most. */
export const MAX_SHOWN = 120;

/**
 * A value as an error message shows it: JSON-quoted, controls escaped, and when longer than `max` characters cut
 * to its first `max` with its length, e.g. `"aaaa..." (20971520 characters)`. Non-strings are shown as JSON, cut
 * the same way. Costs O(max), not O(length), for strings.
 */
export function showValue(value: unknown, max = MAX_SHOWN): string {
  if (typeof value === 'string') {
    if (value.length <= max) return escapeControls(JSON.stringify(value));
    return `${escapeControls(JSON.stringify(value.slice(0, max)).slice(0, -1))}..." (${value.length} characters)`;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return String(typeof value);
  return json.length <= max
    ? escapeControls(json)
    : `${escapeControls(json.slice(0, max))}... (${json.length} characters as JSON)`;
}

/** Cuts free text (an error message, a name) to `max` characters with the length, and escapes controls. */
export function clip(text: string, max = 400): string {
  return text.length <= max
    ? escapeControls(text)
    : `${escapeControls(text.slice(0, max))}... (${text.length} characters)`;
}
