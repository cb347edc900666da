import { createTwoFilesPatch } from 'diff';
import { type Node as JsonNode, parseTree } from 'jsonc-parser';

/**
 * A unified diff of two JSON values, pretty-printed, for a person to read. With `beforeText` (the JSON text the
 * `before` value was parsed from), the before side is that text pretty-printed with every key it repeats, so values a
 * parser drops as shadowed duplicates show as removed lines.
 */
export function jsonDiff(label: string, before: unknown, after: unknown, beforeText?: string): string {
  const text = (value: unknown) => (value === null || value === undefined ? '' : `${JSON.stringify(value, null, 2)}\n`);
  const beforeSide = (beforeText !== undefined ? prettyWithDuplicates(beforeText) : undefined) ?? text(before);
  const patch = createTwoFilesPatch(`${label} (before)`, `${label} (after)`, beforeSide, text(after), '', '', {
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

/**
 * JSON text printed like `JSON.stringify(value, null, 2)`, but from the text itself, so a repeated key is printed
 * each time it is written. Undefined when the text is not JSON.
 */
export function prettyWithDuplicates(jsonText: string): string | undefined {
  const root = parseTree(jsonText, [], { disallowComments: true, allowTrailingComma: false });
  if (!root) return undefined;
  const print = (node: JsonNode, indent: string): string => {
    const inner = `${indent}  `;
    const children = node.children ?? [];
    if (node.type === 'object') {
      if (children.length === 0) return '{}';
      const entries = children.map((prop) => {
        const [key, value] = prop.children ?? [];
        return `${inner}${JSON.stringify(String(key?.value))}: ${value ? print(value, inner) : 'null'}`;
      });
      return `{\n${entries.join(',\n')}\n${indent}}`;
    }
    if (node.type === 'array') {
      if (children.length === 0) return '[]';
      return `[\n${children.map((c) => `${inner}${print(c, inner)}`).join(',\n')}\n${indent}]`;
    }
    return JSON.stringify(node.value) ?? 'null';
  };
  return `${print(root, '')}\n`;
}
