/**
 * `irsa-doctor mute list|add|remove`: the mutelist (suppressions) through the approval API, as `approvals` does:
 * the same sign-in and approvers group. A suppression says what it matches (rule, account, resource, cluster,
 * namespace: every one given must match), why, and until when; findings it matches are recorded as suppressed by
 * the next analysis, not planned.
 */
import { suppressionMatches } from '../../lambdas/domain/suppressions';
import type { Suppression } from '../../lambdas/ports/state-store';
import { UsageError } from '../../lambdas/shared/errors';
import { clip, escapeControls as esc } from '../../lambdas/shared/text';
import type { CliIo } from '../io';
import { type Terminal, terminalFor } from '../render/terminal';
import { wrapText } from '../render/wrap-text';
import { ApiClient, ApiRefusal, type ConsoleOptions, EXIT_REFUSED, type PagingOptions, readPages } from './approvals';

const DAY_MS = 86_400_000;

/**
 * When a suppression ends: a number of days from now ("30d", "30"), a date ("2031-01-31", the start of that day
 * in UTC) or a time in UTC ("2031-01-31T12:00:00Z"). The API refuses one in the past or more than a year ahead.
 */
export function parseExpiry(text: string, now: Date): string {
  const days = /^(\d{1,4})d?$/.exec(text.trim());
  if (days) return new Date(now.getTime() + Number(days[1]) * DAY_MS).toISOString();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--expires ${clip(text, 60)} is not a number of days (30d), a date (2031-01-31) or a UTC time (2031-01-31T12:00:00Z)`,
    );
  }
  return new Date(ms).toISOString();
}

export interface MuteAddOptions extends ConsoleOptions {
  readonly rule?: string;
  readonly account?: string;
  readonly resource?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly reason?: string;
  readonly expires?: string;
}

/** One suppression on one line, then its reason and who added it (wrapped to the terminal, values escaped). */
export function renderSuppression(s: Suppression, terminal: Terminal): string[] {
  const matches = suppressionMatches(s);
  return [
    ...wrapText(esc(`${s.id}  ${matches.join(', ')}  (until ${s.expiresAt})`), terminal.width, { indent: 4 }),
    ...wrapText(esc(`${s.reason} (${s.createdBy}, ${s.createdAt})`), terminal.width, { prefix: '    ' }),
  ];
}

export async function muteListCommand(opts: ConsoleOptions & PagingOptions, io: CliIo): Promise<number> {
  const api = await ApiClient.open(opts, io);
  const { items, nextToken } = await readPages(
    api,
    '/api/suppressions',
    (page) => (page.suppressions ?? []) as Suppression[],
    opts,
  );
  if (opts.format === 'json') {
    io.stdout.write(`${JSON.stringify({ suppressions: items, ...(nextToken ? { nextToken } : {}) }, null, 2)}\n`);
    return 0;
  }
  const terminal = terminalFor(io, opts);
  const lines = items.length === 0 ? ['No finding is muted.'] : items.flatMap((s) => renderSuppression(s, terminal));
  io.stdout.write(`${lines.join('\n')}\n`);
  if (nextToken)
    io.stderr.write(
      esc(`\nNextToken: ${nextToken}\n(more: irsa-doctor mute list --starting-token ${nextToken})\n`, true),
    );
  return 0;
}

export async function muteAddCommand(
  opts: MuteAddOptions,
  io: CliIo,
  now: () => Date = () => new Date(),
): Promise<number> {
  if (!opts.rule && !opts.account && !opts.resource) {
    throw new UsageError('say what to mute: at least one of --rule, --account, --resource');
  }
  if (!opts.reason?.trim()) throw new UsageError('--reason is required: why these findings are accepted');
  if (!opts.expires) throw new UsageError('--expires is required: every mute ends (e.g. --expires 30d)');
  const body = {
    ...(opts.rule ? { ruleId: opts.rule } : {}),
    ...(opts.account ? { accountId: opts.account } : {}),
    ...(opts.resource ? { resource: opts.resource } : {}),
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    reason: opts.reason,
    expiresAt: parseExpiry(opts.expires, now()),
  };
  const api = await ApiClient.open(opts, io);
  try {
    const { suppression } = await api.call<{ suppression: Suppression }>('POST', '/api/suppressions', body);
    io.stdout.write(
      opts.format === 'json'
        ? `${JSON.stringify({ suppression }, null, 2)}\n`
        : `${renderSuppression(suppression, terminalFor(io, opts)).join('\n')}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ApiRefusal)) throw err;
    io.stderr.write(`irsa-doctor: ${clip(`mute refused: ${err.code}: ${err.message}`)}\n`);
    return EXIT_REFUSED;
  }
}

export async function muteRemoveCommand(ids: readonly string[], opts: ConsoleOptions, io: CliIo): Promise<number> {
  const api = await ApiClient.open(opts, io);
  let refused = 0;
  for (const id of ids) {
    try {
      await api.call('POST', `/api/suppressions/${encodeURIComponent(id)}/delete`);
      io.stdout.write(`${esc(`${id}: removed`)}\n`);
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      refused++;
      io.stderr.write(`irsa-doctor: ${clip(`${id}: ${err.code}: ${err.message}`)}\n`);
    }
  }
  return refused > 0 ? EXIT_REFUSED : 0;
}
