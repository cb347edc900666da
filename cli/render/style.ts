import type { Severity } from '../../lambdas/domain/finding';

/** ANSI styling only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function makeStyle(enabled: boolean) {
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  const bold = wrap(1, 22);
  const dim = wrap(2, 22);
  const red = wrap(31, 39);
  const yellow = wrap(33, 39);
  const cyan = wrap(36, 39);
  const magenta = wrap(35, 39);
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
  return { bold, dim, severity };
}

export type Style = ReturnType<typeof makeStyle>;
