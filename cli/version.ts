import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest package.json named "irsa-doctor" at or above `from`: the one that ships with the tool, found the same
 * way from the TypeScript sources (cli/) and from a compiled build (dist/cli/). Undefined when there is none.
 */
export function findToolVersion(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const version = versionIn(join(dir, 'package.json'));
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function versionIn(file: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === 'irsa-doctor' && typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/** The tool's version, from its package.json ("0.0.0-unknown" if that cannot be read: reports never fail on it). */
export const TOOL_VERSION: string = findToolVersion(__dirname) ?? '0.0.0-unknown';
