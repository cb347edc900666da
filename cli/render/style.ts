import type { Severity } from '../../lambdas/domain/finding';
import type { Terminal } from './terminal';

/** ANSI styling when `enabled` (see terminalFor for when that is: --no-color, NO_COLOR, FORCE_COLOR, a terminal). */
export function makeStyle(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  const bold = wrap(1, 22);
  const dim = wrap(2, 22);
  const red = wrap(31, 39);
  const green = wrap(32, 39);
  const yellow = wrap(33, 39);
  const cyan = wrap(36, 39);
  const magenta = wrap(35, 39);
  const inverse = wrap(7, 27);
  // The words a diff changes within a line: the line's colour, inverted (kept as one function each, so the wrapper
  // can merge neighbouring runs of the same style).
  const removedWord = (text: string) => inverse(red(text));
  const addedWord = (text: string) => inverse(green(text));
  const severity = (s: Severity) => {
    const label = s.toUpperCase().padEnd(8);
    switch (s) {
      case 'critical':
        return bold(magenta(label));
      case 'high':
        return bold(red(label));
      case 'medium':
        return yellow(label);
      case 'low':
        return cyan(label);
      default:
        return dim(label);
    }
  };
  return { enabled, bold, dim, red, green, cyan, removedWord, addedWord, severity };
}

export type Style = ReturnType<typeof makeStyle>;

/** The styles of a terminal: colour only when the terminal has it. */
export function styleFor(terminal: Terminal): Style {
  return makeStyle(terminal.color);
}
