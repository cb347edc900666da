import { createTwoFilesPatch } from 'diff';

/** A unified diff of two JSON values, pretty-printed, for a person to read. */
export function jsonDiff(label: string, before: unknown, after: unknown): string {
  const text = (value: unknown) => (value === null || value === undefined ? '' : `${JSON.stringify(value, null, 2)}\n`);
  const patch = createTwoFilesPatch(`${label} (before)`, `${label} (after)`, text(before), text(after), '', '', {
    context: 3,
  });
  // Drop the "Index:" and "===" header lines jsdiff adds; keep ---/+++ and the hunks.
  return patch
    .split('\n')
    .filter((line) => !line.startsWith('Index:') && !/^=+$/.test(line))
    .map((line) => line.replace(/\t$/, ''))
    .join('\n')
    .trimEnd();
}
