import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { completionScript } from '../../../cli/completion';
import { commandTree, main } from '../../../cli/main';
import { captureIo } from '../../support/cli-io';

const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'irsa-doctor-completion-'));

/** Every command path of the tree, and each one's visible option flags and choices, read from commander directly. */
function tree(): Array<{ path: string[]; options: string[]; choices: string[] }> {
  const out: Array<{ path: string[]; options: string[]; choices: string[] }> = [];
  const walk = (c: Command, path: string[]) => {
    const options = c.options.filter((o) => !o.hidden);
    out.push({
      path,
      options: options.flatMap((o) => [o.short, o.long].filter((n): n is string => n !== undefined)),
      choices: [
        ...options.flatMap((o) => o.argChoices ?? []),
        ...c.registeredArguments.flatMap((a) => a.argChoices ?? []),
      ],
    });
    for (const sub of c.commands) walk(sub, [...path, sub.name()]);
  };
  walk(commandTree(captureIo().io), []);
  return out;
}

/** How a flag is written in the script: as given in bash and zsh; fish's `-s X` / `-l NAME`. */
function inScript(shell: string, option: string): string {
  if (shell !== 'fish') return option;
  return option.startsWith('--') ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
}

async function script(shell: string): Promise<string> {
  const cli = captureIo();
  expect(await main(['completion', shell], cli.io)).toBe(0);
  return cli.out();
}

describe('irsa-doctor completion', () => {
  it.each(['bash', 'zsh', 'fish'])(
    '%s: names every command, option and choice of the tree, and no hidden one',
    async (shell) => {
      const text = await script(shell);
      const commands = tree();
      expect(commands.length).toBeGreaterThan(15);
      for (const { path, options, choices } of commands) {
        const words = [...path, ...options.map((option) => inScript(shell, option)), ...choices];
        for (const w of words) expect(text).toContain(w);
      }
      expect(text).not.toMatch(/--format\b/);
    },
  );

  it('the bash script (and the zsh one, which wraps it) parses', async () => {
    for (const shell of ['bash', 'zsh']) {
      const file = join(dir, `completion.${shell}`);
      writeFileSync(file, await script(shell));
      await expect(run('bash', ['-n', file])).resolves.toBeDefined();
    }
  });

  it('completes words in a real bash', async () => {
    const file = join(dir, 'irsa-doctor.bash');
    writeFileSync(file, completionScript(commandTree(captureIo().io), 'bash'));
    // COMP_WORDS as bash splits the line; the last word is the one completed.
    const complete = async (...words: string[]) => {
      const line = words.map((w) => `'${w}'`).join(' ');
      const { stdout } = await run(
        'bash',
        [
          '-c',
          `source '${file}'; complete -p irsa-doctor; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _irsa_doctor; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { cwd: ROOT },
      );
      const [registered, ...replies] = stdout.trimEnd().split('\n');
      expect(registered).toBe('complete -o default -F _irsa_doctor irsa-doctor');
      return replies.filter((r) => r !== '');
    };
    expect(await complete('irsa-doctor', 'an')).toEqual(['analyze']);
    expect(await complete('irsa-doctor', 'analyze', '-o', '')).toEqual([
      'table',
      'json',
      'yaml',
      'text',
      'markdown',
      'sarif',
      'junit',
      'asff',
    ]);
    expect(await complete('irsa-doctor', 'analyze', '--fail')).toEqual(['--fail-on']);
    expect(await complete('irsa-doctor', 'analyze', '--fail-on', 'h')).toEqual(['high']);
    expect(await complete('irsa-doctor', 'approvals', 'l')).toEqual(['list']);
    expect(await complete('irsa-doctor', 'approvals', 'list', '-o', 'j')).toEqual(['json']);
    expect(await complete('irsa-doctor', 'mute', 'add', '--rule', 'IRSA-015', '--acc')).toEqual(['--account']);
    expect(await complete('irsa-doctor', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete('irsa-doctor', 'scan', '--save')).toEqual(['--save-snapshot']);
    expect(await complete('irsa-doctor', 'analyze', '--snapshot', 'examples/est')).toEqual(['examples/estate.json']);
    expect(await complete('irsa-doctor', 'scan', '--no-c')).toEqual(['--no-color']);
  });
});
