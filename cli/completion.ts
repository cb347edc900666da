/**
 * `irsa-doctor completion bash|zsh|fish`: a completion script generated from the commander tree (its commands,
 * subcommands, options, and the choices of each option and argument), so nothing is listed by hand twice.
 */
import type { Command, Option } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';

/** One option as completion sees it. */
export interface CompletionOption {
  /** `-o` and `--output`, as given. */
  readonly names: readonly string[];
  readonly takesValue: boolean;
  /** The values offered: its choices; `file` when the value is a file name; none when free text. */
  readonly values: readonly string[] | 'file';
  readonly description: string;
}

/** One command (the program is the one with an empty path). */
export interface CompletionNode {
  readonly path: readonly string[];
  readonly description: string;
  readonly subcommands: readonly string[];
  readonly options: readonly CompletionOption[];
  /** Choices of its arguments (`completion <shell>`). */
  readonly argumentChoices: readonly string[];
}

function completionOption(option: Option): CompletionOption {
  const takesValue = option.required || option.optional;
  const fileValue = /<[^>]*file[^>]*>/i.test(option.flags);
  return {
    names: [option.short, option.long].filter((n): n is string => n !== undefined),
    takesValue,
    values: option.argChoices ? [...option.argChoices] : takesValue && fileValue ? 'file' : [],
    description: option.description,
  };
}

/** Every command of the tree, depth first, with what completes after it (the program's options apply everywhere). */
export function completionNodes(program: Command): CompletionNode[] {
  const help = program.createHelp();
  const global = help
    .visibleOptions(program)
    .filter((o) => o.long !== '--help' && o.long !== '--version')
    .map(completionOption);
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: readonly string[]) => {
    const subcommands = command.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const own = help.visibleOptions(command).map(completionOption);
    nodes.push({
      path,
      description: command.description(),
      subcommands: subcommands.map((c) => c.name()),
      options: path.length === 0 ? own : [...own, ...global],
      argumentChoices: command.registeredArguments.flatMap((a) => a.argChoices ?? []),
    });
    for (const sub of subcommands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return nodes;
}

/** The script for `shell`, for the program named `program.name()`. */
export function completionScript(program: Command, shell: Shell): string {
  const nodes = completionNodes(program);
  if (shell === 'fish') return fishScript(program.name(), nodes);
  const bash = bashScript(program.name(), nodes);
  return shell === 'bash'
    ? bash
    : `#compdef ${program.name()}\n# zsh: load it with  source <(${program.name()} completion zsh)  (in ~/.zshrc to keep it).\nautoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

const word = (s: string) => s.replace(/[^A-Za-z0-9_./@:=+,-]/g, '');

function bashCase(entries: ReadonlyArray<readonly [string, string]>): string {
  return entries
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `    "${key}") echo "${value}" ;;`)
    .join('\n');
}

/** What completes an option's value: its choices, `__file__` (file names) or `__any__` (nothing offered). */
function bashValues(option: CompletionOption): string {
  if (option.values === 'file') return '__file__';
  return option.values.length > 0 ? option.values.map(word).join(' ') : '__any__';
}

function bashScript(name: string, nodes: readonly CompletionNode[]): string {
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const key = (node: CompletionNode) => node.path.map(word).join(' ');
  const values = nodes.flatMap((node) =>
    node.options
      .filter((option) => option.takesValue)
      .flatMap((option) => option.names.map((n) => [`${key(node)}|${n}`, bashValues(option)] as const)),
  );
  return `# ${name} completion for bash, generated from its command tree by "${name} completion bash".
# Load it with  source <(${name} completion bash)  (in ~/.bashrc to keep it).
${fn}_subcommands() {
  case "$1" in
${bashCase(nodes.map((n) => [key(n), [...n.subcommands, ...n.argumentChoices].map(word).join(' ')]))}
  esac
}
${fn}_options() {
  case "$1" in
${bashCase(nodes.map((n) => [key(n), n.options.flatMap((o) => o.names).join(' ')]))}
  esac
}
${fn}_takes_value() {
  case "$1" in
${bashCase(
  nodes.map((n) => [
    key(n),
    n.options
      .filter((o) => o.takesValue)
      .flatMap((o) => o.names)
      .join(' '),
  ]),
)}
  esac
}
${fn}_values() {
  case "$1|$2" in
${bashCase(values)}
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local path="" i w skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*) [[ " $(${fn}_takes_value "$path") " == *" $w "* ]] && skip=1 ;;
      *) [[ " $(${fn}_subcommands "$path") " == *" $w "* ]] && path="\${path:+$path }$w" ;;
    esac
  done
  if [[ "$prev" == -* && " $(${fn}_takes_value "$path") " == *" $prev "* ]]; then
    local values
    values="$(${fn}_values "$path" "$prev")"
    case "$values" in
      __file__) COMPREPLY=($(compgen -f -- "$cur")) ;;
      __any__) COMPREPLY=() ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")) ;;
    esac
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_subcommands "$path")" -- "$cur"))
  fi
  return 0
}
complete -o default -F ${fn} ${name}
`;
}

const fishText = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\s+/g, ' ')}'`;

function fishCondition(path: readonly string[], children: readonly string[]): string {
  if (path.length === 0) return '__fish_use_subcommand';
  const seen = path.map((p) => `__fish_seen_subcommand_from ${word(p)}`);
  const notYet = children.length > 0 ? [`not __fish_seen_subcommand_from ${children.map(word).join(' ')}`] : [];
  return [...seen, ...notYet].join('; and ');
}

function fishOption(name: string, condition: string, option: CompletionOption): string {
  const flags = option.names.map((n) => (n.startsWith('--') ? `-l ${word(n.slice(2))}` : `-s ${word(n.slice(1))}`));
  const value =
    option.values === 'file'
      ? ' -r -F'
      : option.values.length > 0
        ? ` -x -a ${fishText(option.values.join(' '))}`
        : option.takesValue
          ? ' -x'
          : '';
  return `complete -c ${name} -n ${fishText(condition)} ${flags.join(' ')}${value} -d ${fishText(option.description)}`;
}

function fishScript(name: string, nodes: readonly CompletionNode[]): string {
  const lines = [
    `# ${name} completion for fish, generated from its command tree by "${name} completion fish".`,
    `# Save it as ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  const byPath = new Map(nodes.map((n) => [n.path.join(' '), n]));
  for (const node of nodes) {
    const here = fishCondition(node.path, node.subcommands);
    for (const sub of node.subcommands) {
      const child = byPath.get([...node.path, sub].join(' '));
      lines.push(`complete -c ${name} -n ${fishText(here)} -a ${word(sub)} -d ${fishText(child?.description ?? '')}`);
    }
    if (node.argumentChoices.length > 0) {
      lines.push(`complete -c ${name} -n ${fishText(here)} -a ${fishText(node.argumentChoices.join(' '))}`);
    }
    for (const option of node.options) lines.push(fishOption(name, here, option));
  }
  return `${lines.join('\n')}\n`;
}
