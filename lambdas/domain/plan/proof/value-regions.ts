/**
 * The value space of one request dimension (an action, a condition key's single value), cut into regions: two strings
 * in the same region are matched alike by every literal and every `*`/`?` pattern given. One shortest witness per
 * realizable region, found by a breadth-first walk of the product of the patterns' automata (one position set per
 * pattern) and a trie of the literals, over the characters the patterns use plus one fresh character: a character no
 * pattern names behaves like any other such character, so the fresh one stands for all of them.
 */

/** Work left before the caller must give up (undecided): shared by every construction of one proof. */
export interface Budget {
  states: number;
}

export class BudgetExceeded extends Error {
  override readonly name = 'BudgetExceeded';
  constructor() {
    super('the exact proof ran out of its work budget');
  }
}

export function spend(budget: Budget, amount = 1): void {
  budget.states -= amount;
  if (budget.states < 0) throw new BudgetExceeded();
}

export interface RegionInput {
  /** Matched by equality. */
  readonly literals: readonly string[];
  /** IAM wildcard patterns: `*` any run, `?` one UTF-16 unit (a pattern without either is taken as a literal). */
  readonly patterns: readonly string[];
  /**
   * Matching ignores case (lower-cases pattern and value): the regions are cut in the lower-cased space and every
   * witness is its own lower case, so it stands for every string that lower-cases into its region.
   */
  readonly ignoreCase: boolean;
}

export type RegionResult = { readonly ok: true; readonly witnesses: readonly string[] } | { readonly ok: false };

/**
 * One witness per realizable region: every string of the space matches exactly the same literals and patterns as
 * one of the witnesses (after lower-casing when `ignoreCase`). Each literal is its own witness.
 * `ok: false` when a witness would not be its own lower case (exotic Unicode case mappings): the caller says undecided.
 */
export function regionWitnesses(input: RegionInput, budget: Budget): RegionResult {
  const { literals, spelling, patterns } = foldedInput(input);
  const alphabet = new Set<string>();
  for (const p of patterns) for (const c of p) if (c !== '*' && c !== '?') alphabet.add(c);
  const used = new Set<string>(alphabet);
  for (const l of literals) for (const c of l) used.add(c);
  const fresh = freshCharacter(used, input.ignoreCase);
  const trie = literalTrie(literals, budget);
  const witnesses = walkRegions(patterns, trie, [...alphabet, fresh], budget);
  if (input.ignoreCase && witnesses.some((w) => w.toLowerCase() !== w)) return { ok: false };
  return { ok: true, witnesses: [...[...literals].map((l) => spelling.get(l) as string), ...witnesses] };
}

/**
 * The input in the space regions are cut in (lower-cased when matching ignores case): the literals (a pattern
 * without `*` or `?` is one), each literal's first spelling, and the distinct patterns.
 */
function foldedInput(input: RegionInput): {
  literals: ReadonlySet<string>;
  spelling: ReadonlyMap<string, string>;
  patterns: readonly string[];
} {
  const fold = (s: string) => (input.ignoreCase ? s.toLowerCase() : s);
  // A literal's region is witnessed by the literal as first written (it lower-cases into its own region).
  const spelling = new Map<string, string>();
  const literals = new Set<string>();
  const addLiteral = (raw: string) => {
    const l = fold(raw);
    literals.add(l);
    if (!spelling.has(l)) spelling.set(l, raw);
  };
  for (const l of input.literals) addLiteral(l);
  const patterns: string[] = [];
  for (const raw of input.patterns) {
    const p = fold(raw);
    if (p.includes('*') || p.includes('?')) patterns.push(p);
    else addLiteral(raw);
  }
  return { literals, spelling, patterns: [...new Set(patterns)] };
}

/** The literals' trie: node 0 is the root; -1 is "off the trie" (no literal has this prefix). */
interface Trie {
  readonly children: ReadonlyArray<ReadonlyMap<string, number>>;
  readonly terminal: readonly boolean[];
}

function literalTrie(literals: Iterable<string>, budget: Budget): Trie {
  const children: Array<Map<string, number>> = [new Map()];
  const terminal: boolean[] = [false];
  for (const l of literals) {
    let node = 0;
    for (let i = 0; i < l.length; i++) {
      const c = l[i] as string;
      let next = children[node]?.get(c);
      if (next === undefined) {
        spend(budget);
        next = children.length;
        children.push(new Map());
        terminal.push(false);
        children[node]?.set(c, next);
      }
      node = next;
    }
    terminal[node] = true;
  }
  return { children, terminal };
}

/**
 * The breadth-first walk of the patterns' automata and the trie: the shortest string of every realizable region
 * that is not a literal (each literal is its own witness), in the order first reached.
 */
function walkRegions(patterns: readonly string[], trie: Trie, symbols: readonly string[], budget: Budget): string[] {
  const witnesses: string[] = [];
  const seenSignatures = new Set<string>();
  const start: WalkState = { sets: patterns.map((p) => closure(p, [0])), node: 0, text: '' };
  const seen = new Set<string>([stateKey(start)]);
  let frontier: WalkState[] = [start];
  while (frontier.length > 0) {
    const next: WalkState[] = [];
    for (const state of frontier) {
      spend(budget);
      const signature = regionSignature(patterns, trie, state);
      if (signature !== undefined && addNew(seenSignatures, signature)) witnesses.push(state.text);
      for (const candidate of successors(patterns, trie, symbols, state, budget)) {
        if (addNew(seen, stateKey(candidate))) next.push(candidate);
      }
    }
    frontier = next;
  }
  return witnesses;
}

/** Which patterns the state's text matches (one bit each); undefined when the text is a literal (its own region). */
function regionSignature(patterns: readonly string[], trie: Trie, state: WalkState): string | undefined {
  if (state.node !== -1 && trie.terminal[state.node]) return undefined;
  return state.sets.map((set, i) => (set.includes((patterns[i] as string).length) ? '1' : '0')).join('');
}

/** The states one character on: the trie's next characters, the patterns' characters and the fresh one. */
function* successors(
  patterns: readonly string[],
  trie: Trie,
  symbols: readonly string[],
  state: WalkState,
  budget: Budget,
): Generator<WalkState> {
  const { children } = trie;
  const moves = state.node >= 0 ? new Set([...(children[state.node]?.keys() ?? []), ...symbols]) : symbols;
  for (const c of moves) {
    // Each move steps every pattern: the budget counts that work, so many long patterns cannot hang it.
    spend(budget, 1 + patterns.length);
    const sets = state.sets.map((set, i) => step(patterns[i] as string, set, c));
    const node = state.node >= 0 ? (children[state.node]?.get(c) ?? -1) : -1;
    yield { sets, node, text: state.text + c };
  }
}

/** Adds the key; true when it was not there yet. */
function addNew(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

interface WalkState {
  readonly sets: readonly (readonly number[])[];
  readonly node: number;
  readonly text: string;
}

function stateKey(s: WalkState): string {
  return `${s.node}|${s.sets.map((set) => set.join(',')).join(';')}`;
}

/** The positions reachable in `pattern` from `positions` without reading a character (a `*` may match nothing). */
function closure(pattern: string, positions: readonly number[]): number[] {
  const out = new Set<number>();
  for (let i of positions) {
    out.add(i);
    while (i < pattern.length && pattern[i] === '*') out.add(++i);
  }
  return [...out].sort((a, b) => a - b);
}

function step(pattern: string, positions: readonly number[], c: string): number[] {
  const next: number[] = [];
  for (const i of positions) {
    if (i >= pattern.length) continue;
    const pc = pattern[i];
    if (pc === '*') next.push(i);
    else if (pc === '?' || pc === c) next.push(i + 1);
  }
  return closure(pattern, next);
}

/** A character none of `used` is, and its own lower case when matching ignores case. */
export function freshCharacter(used: ReadonlySet<string>, ignoreCase: boolean): string {
  for (let code = 0x7e; code < 0xd000; code++) {
    const c = String.fromCharCode(code);
    if (used.has(c) || c === '*' || c === '?') continue;
    if (ignoreCase && c.toLowerCase() !== c) continue;
    return c;
  }
  // More than 50,000 distinct characters in a policy cannot pass the size quota; unreachable in practice.
  throw new BudgetExceeded();
}
