/**
 * The README's "Command reference", generated from the commander tree of cli/main.ts (what `--help` prints): each
 * command, its arguments, and a table of its options with their choices and defaults. Hidden options (the
 * deprecated --format) are left out, as from the help.
 *
 *   npx tsx scripts/command-reference.ts           prints it
 *   npx tsx scripts/command-reference.ts --write   replaces it in README.md (test/unit/docs/command-reference.test.ts
 *                                                  fails while the two differ)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { commandTree } from '../cli/main';

export const START = '<!-- command-reference:start (npx tsx scripts/command-reference.ts --write) -->';
export const END = '<!-- command-reference:end -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function section(command: Command, path: readonly string[]): string[] {
  const help = command.createHelp();
  const lines = [
    `### \`${path.join(' ')}\``,
    '',
    cell(command.description()),
    '',
    `Usage: \`${help.commandUsage(command)}\``,
    '',
  ];
  const args = help.visibleArguments(command);
  const options = help.visibleOptions(command);
  const subcommands = help.visibleCommands(command).filter((c) => c.name() !== 'help');
  if (args.length + options.length > 0) {
    lines.push('| option or argument | description |', '| --- | --- |');
    for (const a of args) lines.push(`| \`${cell(help.argumentTerm(a))}\` | ${cell(help.argumentDescription(a))} |`);
    for (const o of options) lines.push(`| \`${cell(help.optionTerm(o))}\` | ${cell(help.optionDescription(o))} |`);
    lines.push('');
  }
  if (subcommands.length > 0) {
    lines.push(`Subcommands: ${subcommands.map((c) => `\`${c.name()}\``).join(', ')}.`, '');
  }
  return lines;
}

/** The reference, commands depth first, as the README holds it between START and END. */
export function commandReference(program: Command = commandTree()): string {
  const lines: string[] = [];
  const visit = (command: Command, path: readonly string[]) => {
    lines.push(...section(command, path));
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, [program.name()]);
  return `${lines.join('\n').trimEnd()}\n`;
}

/** README.md with its reference section replaced. */
export function withReference(readme: string, reference: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  return `${readme.slice(0, start + START.length)}\n\n${reference}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const reference = commandReference();
  if (process.argv.includes('--write')) {
    const path = join(__dirname, '..', 'README.md');
    writeFileSync(path, withReference(readFileSync(path, 'utf8'), reference));
  } else {
    process.stdout.write(reference);
  }
}
