import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { commandTree, main } from '../../../cli/main';
import { commandReference, END, START } from '../../../scripts/command-reference';
import { captureIo } from '../../support/cli-io';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const reference = readme.slice(readme.indexOf(START) + START.length, readme.indexOf(END));

/** Every command path of the program: [] for the program, ['approvals', 'list'], ... */
function paths(): string[][] {
  const out: string[][] = [];
  const walk = (c: Command, path: string[]) => {
    out.push(path);
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  walk(commandTree(captureIo().io), []);
  return out;
}

/** What `irsa-doctor ... --help` prints: its option terms (`-o, --output <format>`) and every choice it names. */
async function help(path: readonly string[]): Promise<{ terms: string[]; choices: string[] }> {
  const cli = captureIo();
  expect(await main([...path, '--help'], cli.io)).toBe(0);
  const text = cli.out();
  const lines = text.split('\n');
  const first = lines.indexOf('Options:') + 1;
  const end = lines.findIndex((line, i) => i >= first && !line.startsWith(' '));
  const options = lines.slice(first, end).join('\n');
  const terms = [...options.matchAll(/^ {2}(-[^\s,]*(?:, --\S+)?(?: [<[][^\s>\]]+[>\]])?)/gm)].map(
    (m) => m[1] as string,
  );
  const flat = text.replace(/\s+/g, ' ');
  const choices = [...flat.matchAll(/choices: ((?:"[^"]+"(?:, )?)+)/g)].flatMap((m) =>
    [...(m[1] as string).matchAll(/"([^"]+)"/g)].map((c) => c[1] as string),
  );
  return { terms, choices };
}

/** The README's section of one command: from its heading to the next. */
function sectionOf(path: readonly string[]): string {
  const heading = `### \`${['irsa-doctor', ...path].join(' ')}\`\n`;
  const start = reference.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = reference.indexOf('\n### ', start + heading.length);
  return reference.slice(start, next < 0 ? undefined : next);
}

describe("README's command reference", () => {
  it('is what scripts/command-reference.ts generates from the command tree (run it with --write)', () => {
    expect(reference.trim()).toBe(commandReference(commandTree(captureIo().io)).trim());
  });

  it('has a section for every command, and none for a command that does not exist', () => {
    const headings = [...reference.matchAll(/^### `irsa-doctor(.*)`$/gm)].map((m) => (m[1] as string).trim());
    expect(headings).toEqual(paths().map((p) => p.join(' ')));
  });

  it.each(paths().map((p) => [p.join(' ') || '(the program)', p]))(
    '%s: holds every option and choice its --help prints, and no other option',
    async (_name, path) => {
      const { terms, choices } = await help(path as string[]);
      const section = sectionOf(path as string[]);
      for (const term of terms) expect(section).toContain(`| \`${term.replace(/\|/g, '\\|')}\` |`);
      for (const choice of choices) expect(section).toContain(`"${choice}"`);
      const documented = [...section.matchAll(/^\| `(-[^`]+)` \|/gm)].map((m) =>
        (m[1] as string).replace(/\\\|/g, '|'),
      );
      expect(documented.sort()).toEqual([...terms].sort());
      expect(section).not.toContain('--format');
    },
  );
});
