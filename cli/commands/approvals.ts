/**
 * `irsa-doctor login | approvals list|show|approve|reject|history | rollback`: the approval console from a terminal,
 * through the same HTTP API (same sign-in, same approvers group, same checks, same audit log). Listings read the
 * API's pages: all of them, or (as the AWS CLI) at most --max-items from --starting-token, printing the NextToken
 * that continues them.
 *
 * The console URL comes from --console-url or IRSA_DOCTOR_CONSOLE_URL; its config.json names the API and the
 * OpenID provider. The ID token comes from IRSA_DOCTOR_TOKEN, or from the file `login` writes (--token-file, default
 * ~/.config/irsa-doctor/token, mode 0600: the ID and refresh tokens, the ID token renewed when it has expired).
 * `login` signs in through the browser (browser-login.ts).
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChangeView, PendingGroup, PlanDetail, PlanSummary } from '../../lambdas/api/views';
import { UsageError } from '../../lambdas/shared/errors';
import { clip, escapeControls as esc } from '../../lambdas/shared/text';
import { type CliIo, fetchOrExplain, NetworkError } from '../io';
import { styleFor } from '../render/style';
import { type Terminal, terminalFor } from '../render/terminal';
import { renderDiff } from '../render/terminal-diff';
import { wrapText } from '../render/wrap-text';
import {
  loginThroughBrowser,
  parseTokenFile,
  refreshTokens,
  type SignInConfig,
  type StoredTokens,
  secondsLeft,
} from './browser-login';

export const EXIT_REFUSED = 1;

export interface ConsoleOptions {
  readonly consoleUrl?: string;
  readonly tokenFile?: string;
  readonly format?: 'table' | 'json';
  /** False with the global --no-color (terminalFor: FORCE_COLOR, NO_COLOR and the terminal decide otherwise). */
  readonly color?: boolean;
}

interface ConsoleConfig extends Partial<SignInConfig> {
  readonly apiUrl: string;
  readonly clientId: string;
}

/** An API answer that is not a success: the status and the API's own error name and message. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRefusal';
  }
}

export function defaultTokenFile(env: CliIo['env']): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'irsa-doctor', 'token');
}

function consoleUrlOf(opts: ConsoleOptions, io: CliIo): string {
  const raw = opts.consoleUrl ?? io.env.IRSA_DOCTOR_CONSOLE_URL;
  if (!raw)
    throw new UsageError('no console URL: pass --console-url or set IRSA_DOCTOR_CONSOLE_URL (the ConsoleUrl output)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--console-url ${clip(raw, 200)} is not a URL`);
  }
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new UsageError(`--console-url must be https:// (http:// only for localhost); got ${clip(raw, 200)}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

async function loadConfig(base: string, io: CliIo): Promise<ConsoleConfig> {
  const url = `${base}/config.json`;
  const res = await fetchOrExplain(url, {}, io.env);
  if (!res.ok) throw new UsageError(`${clip(url, 200)} answered ${res.status}: is this the IRSA Doctor console?`);
  const config = await readJson(res, url);
  const text = (v: unknown) => typeof v === 'string' && v !== '' && v.length <= 2048;
  if (
    config === null ||
    typeof config !== 'object' ||
    !('clientId' in config && text(config.clientId)) ||
    ('apiUrl' in config && config.apiUrl !== undefined && config.apiUrl !== '' && !text(config.apiUrl))
  ) {
    throw new UsageError(`${clip(url, 200)} is not an IRSA Doctor console configuration (clientId, apiUrl)`);
  }
  const apiUrl = (config as { apiUrl?: string }).apiUrl;
  if (apiUrl) {
    try {
      new URL(apiUrl);
    } catch {
      throw new UsageError(`${clip(url, 200)} names an API URL that is not a URL: ${clip(apiUrl, 200)}`);
    }
  }
  return config as ConsoleConfig;
}

/** The body of an answer as JSON; a body that is not JSON (a proxy's HTML page, a cut connection) is a NetworkError. */
async function readJson(res: Response, url: string): Promise<unknown> {
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    throw new NetworkError(`${clip(url, 200)}: the answer was cut off (${clip((err as Error).message, 200)})`, {
      cause: err,
    });
  }
  try {
    return JSON.parse(body);
  } catch {
    throw new NetworkError(`${clip(url, 200)} answered ${res.status} with a body that is not JSON: ${clip(body, 80)}`);
  }
}

/** The sign-in part of config.json, which `login` and a refresh need. */
function signInConfigOf(config: ConsoleConfig): SignInConfig {
  const { authority, scopes, cliRedirectUris } = config;
  const text = (v: unknown) => typeof v === 'string' && v !== '' && v.length <= 2048;
  if (!text(authority) || !text(scopes) || !Array.isArray(cliRedirectUris) || !cliRedirectUris.every(text)) {
    throw new UsageError(
      "the console's config.json names no single sign-on (authority, scopes, cliRedirectUris): redeploy the hub with this version",
    );
  }
  return { authority: authority as string, clientId: config.clientId, scopes: scopes as string, cliRedirectUris };
}

/** Refresh the stored ID token when it has less than this left. */
const REFRESH_MARGIN_SECONDS = 60;

async function tokenOf(opts: ConsoleOptions, io: CliIo, config: ConsoleConfig): Promise<string> {
  const fromEnv = io.env.IRSA_DOCTOR_TOKEN;
  const file = opts.tokenFile ?? defaultTokenFile(io.env);
  let token: string;
  if (fromEnv) token = fromEnv.trim();
  else {
    let stored: StoredTokens | string;
    try {
      stored = parseTokenFile(await readFile(file, 'utf8'));
    } catch {
      throw new UsageError(
        `not signed in: run "irsa-doctor login", or set IRSA_DOCTOR_TOKEN (no token at ${clip(file, 300)})`,
      );
    }
    token = typeof stored === 'string' ? stored : (await fresh(stored, config, file)).idToken;
  }
  const where = fromEnv ? 'IRSA_DOCTOR_TOKEN' : clip(file, 300);
  // A token goes into an HTTP header: printable ASCII only (else fetch fails with a confusing header error).
  if (token === '') throw new UsageError(`not signed in: ${where} is empty; run "irsa-doctor login"`);
  if (!/^[\x21-\x7e]+$/.test(token) || token.length > 16_384) {
    throw new UsageError(
      `${where} does not hold a token (expected one line of printable ASCII); run "irsa-doctor login"`,
    );
  }
  return token;
}

/** The stored tokens, refreshed (and written back) when the ID token has expired or is about to. */
async function fresh(stored: StoredTokens, config: ConsoleConfig, file: string): Promise<StoredTokens> {
  const left = secondsLeft(stored.idToken, Date.now());
  if (left === undefined || left > REFRESH_MARGIN_SECONDS) return stored;
  if (stored.authority !== config.authority || stored.clientId !== config.clientId) {
    throw new UsageError('the stored sign-in is for another console: run "irsa-doctor login" again');
  }
  const renewed = await refreshTokens(signInConfigOf(config), stored);
  await writeTokens(file, renewed);
  return renewed;
}

async function writeTokens(file: string, tokens: StoredTokens): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(tokens)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

export class ApiClient {
  constructor(
    private readonly apiBase: string,
    private token: string,
    private readonly io: CliIo,
    /** A new ID token from the stored refresh token, when the API refuses this one (401); once per client. */
    private renew?: () => Promise<string>,
  ) {}

  static async open(opts: ConsoleOptions, io: CliIo): Promise<ApiClient> {
    const base = consoleUrlOf(opts, io);
    const config = await loadConfig(base, io);
    const api = config.apiUrl ? config.apiUrl.replace(/\/+$/, '') : base;
    const token = await tokenOf(opts, io, config);
    const file = opts.tokenFile ?? defaultTokenFile(io.env);
    const renew = io.env.IRSA_DOCTOR_TOKEN ? undefined : () => renewStored(config, file);
    return new ApiClient(api, token, io, renew);
  }

  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res = await this.send(method, path, body);
    // Refused by the JWT authorizer (the handler did not run): renew once with the refresh token, then again.
    if (res.status === 401 && this.renew) {
      const renew = this.renew;
      this.renew = undefined;
      this.token = await renew();
      res = await this.send(method, path, body);
    }
    const out = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
    if (res.status === 401) throw new UsageError('the API refused the token (401): run "irsa-doctor login" again');
    if (res.status === 403)
      throw new UsageError(`the API refused (403): ${clip(String(out.message ?? 'not an approver'), 300)}`);
    if (!res.ok)
      throw new ApiRefusal(res.status, out.error ?? 'Error', out.message ?? `request failed (${res.status})`);
    return out as T;
  }

  private send(method: 'GET' | 'POST', path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      headers['x-irsa-doctor-request'] = '1';
    }
    return fetchOrExplain(
      `${this.apiBase}${path}`,
      { method, headers, ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}) },
      this.io.env,
    );
  }
}

/** The stored tokens renewed with their refresh token (and written back); an error saying to log in otherwise. */
async function renewStored(config: ConsoleConfig, file: string): Promise<string> {
  const stored = parseTokenFile(await readFile(file, 'utf8').catch(() => ''));
  if (typeof stored === 'string')
    throw new UsageError('the API refused the token (401): run "irsa-doctor login" again');
  const renewed = await refreshTokens(signInConfigOf(config), stored);
  await writeTokens(file, renewed);
  return renewed.idToken;
}

/** "RUN/PLAN" as printed by `approvals list` and in approval e-mails. */
export function parsePlanRef(ref: string): { runId: string; planId: string } {
  const slash = ref.lastIndexOf('/');
  const runId = ref.slice(0, slash);
  const planId = ref.slice(slash + 1);
  if (slash <= 0 || planId === '') {
    throw new UsageError(
      `"${clip(ref, 200)}" is not a plan reference: use RUN/PLAN as "irsa-doctor approvals list" prints it`,
    );
  }
  return { runId, planId };
}

const seg = encodeURIComponent;

/** `login`: signs in through the browser (code flow with PKCE, loopback redirect) and keeps the tokens. */
export async function loginCommand(opts: ConsoleOptions & { browser?: boolean }, io: CliIo): Promise<number> {
  const base = consoleUrlOf(opts, io);
  const config = await loadConfig(base, io);
  const tokens = await loginThroughBrowser(signInConfigOf(config), io, { noBrowser: opts.browser === false });
  const file = opts.tokenFile ?? defaultTokenFile(io.env);
  await writeTokens(file, tokens);
  const claims = JSON.parse(Buffer.from(tokens.idToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const who = String(claims['cognito:username'] ?? claims.email ?? claims.sub ?? 'you');
  io.stderr.write(
    `${esc(`signed in as ${who}; the tokens are in ${file}${tokens.refreshToken ? ' (renewed with the refresh token when the ID token expires)' : ''}`)}\n`,
  );
  return 0;
}

/** How much of a listing to read: everything (default), or at most maxItems from startingToken, pageSize per call. */
export interface PagingOptions {
  readonly maxItems?: string;
  readonly startingToken?: string;
  readonly pageSize?: string;
}

/** The API's largest page. */
export const MAX_PAGE_SIZE = 500;

function wholeNumber(value: string | undefined, flag: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}; got ${clip(value, 40)}`);
  }
  return n;
}

/**
 * Reads a listing's pages (GET path?limit=&cursor=) until its end, or until maxItems are read: then `nextToken` is
 * the cursor that continues it (what --starting-token takes).
 */
export async function readPages<T>(
  api: ApiClient,
  path: string,
  extract: (page: Record<string, unknown>) => T[],
  opts: PagingOptions,
): Promise<{ items: T[]; nextToken?: string }> {
  const max = wholeNumber(opts.maxItems, '--max-items');
  const size = wholeNumber(opts.pageSize, '--page-size', MAX_PAGE_SIZE) ?? 100;
  if (opts.startingToken === '')
    throw new UsageError('--starting-token is empty: give the NextToken a listing printed');
  let cursor = opts.startingToken;
  const items: T[] = [];
  for (;;) {
    const limit = max === undefined ? size : Math.min(size, max - items.length);
    const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await api
      .call<Record<string, unknown> & { cursor?: string }>('GET', `${path}?${query}`)
      .catch((err: unknown) => {
        // A listing the API refuses (a token it did not give): say so, as a usage error, not as a crash.
        if (err instanceof ApiRefusal)
          throw new UsageError(`the API refused the listing: ${err.code}: ${clip(err.message, 300)}`);
        throw err;
      });
    items.push(...extract(page));
    cursor = typeof page.cursor === 'string' && page.cursor !== '' ? page.cursor : undefined;
    if (!cursor) return { items };
    if (max !== undefined && items.length >= max) return { items, nextToken: cursor };
  }
}

/** The line that says how to go on (stderr in a table, `nextToken` in JSON), as the AWS CLI's NextToken. */
function nextTokenLine(nextToken: string | undefined, command: string): string {
  return nextToken ? `\nNextToken: ${nextToken}\n(more: irsa-doctor ${command} --starting-token ${nextToken})\n` : '';
}

/** Plans of several pages, grouped again by account and cluster (as one page of the API groups them). */
export function groupPlans(plans: readonly PlanSummary[]): PendingGroup[] {
  const groups = new Map<string, { accountId: string; cluster: string; plans: PlanSummary[] }>();
  for (const p of plans) {
    const cluster = p.cluster ? `${p.cluster}${p.region ? ` (${p.region})` : ''}` : '(account-wide)';
    const key = `${p.accountId}\u0000${cluster}`;
    const group = groups.get(key) ?? { accountId: p.accountId, cluster, plans: [] };
    group.plans.push(p);
    groups.set(key, group);
  }
  return [...groups.values()].sort(
    (a, b) => a.accountId.localeCompare(b.accountId) || a.cluster.localeCompare(b.cluster),
  );
}

/** The plans waiting for approval, by account and cluster, wrapped to the terminal; every value escaped. */
export function renderPendingGroups(groups: readonly PendingGroup[], terminal: Terminal): string[] {
  const style = styleFor(terminal);
  const lines: string[] = [];
  if (groups.length === 0) lines.push('Nothing is waiting for approval.');
  for (const g of groups) {
    // What the API returns came from the snapshot and the audit log: every value is escaped (esc) for the terminal.
    lines.push(...wrapText(`Account ${esc(g.accountId)} · ${esc(g.cluster)}`, terminal.width, { paint: style.bold }));
    for (const p of g.plans) {
      const row = `${esc(`${p.runId}/${p.planId}`)}  ${esc(p.action).padEnd(22)} ${esc(p.risk).padEnd(6)} ${esc(p.title)}`;
      lines.push(...wrapText(row, terminal.width, { prefix: '  ', indent: 6 }));
      lines.push(
        ...wrapText(`${esc(p.resourceArn)}  (expires ${esc(p.expiresAt)})`, terminal.width, {
          prefix: '      ',
          paint: style.dim,
        }),
      );
    }
  }
  return lines;
}

export async function approvalsListCommand(opts: ConsoleOptions & PagingOptions, io: CliIo): Promise<number> {
  const api = await ApiClient.open(opts, io);
  const { items, nextToken } = await readPages(
    api,
    '/api/plans',
    (page) => ((page.groups ?? []) as PendingGroup[]).flatMap((g) => g.plans),
    opts,
  );
  const groups = groupPlans(items);
  if (opts.format === 'json') {
    io.stdout.write(`${JSON.stringify({ groups, ...(nextToken ? { nextToken } : {}) }, null, 2)}\n`);
    return 0;
  }
  const lines = renderPendingGroups(groups, terminalFor(io, opts));
  io.stdout.write(`${lines.join('\n')}\n`);
  io.stderr.write(esc(nextTokenLine(nextToken, 'approvals list'), true));
  return 0;
}

/**
 * A plan as the terminal shows it, wrapped to its width: controls in any value are escaped, the lines of the texts
 * kept, and the diff whole (the approver approves what was printed) with its -/+ lines coloured when colour is on.
 */
export function renderDetail(d: PlanDetail, terminal: Terminal): string {
  const style = styleFor(terminal);
  const paragraphs = (lines: readonly string[]) =>
    esc(lines.join('\n'), true)
      .split('\n')
      .flatMap((line) => {
        const lead = /^ */.exec(line)?.[0] ?? '';
        return wrapText(line.slice(lead.length), terminal.width, { prefix: lead, indent: lead.length + 2 });
      });
  const diff = d.plan.diff
    ? ['', ...renderDiff(d.plan.diff, style, { width: terminal.width, indent: 0, maxLines: Number.POSITIVE_INFINITY })]
    : [];
  return `${[...paragraphs(detailHead(d)), ...diff, ...paragraphs(detailTail(d))].join('\n')}\n`;
}

function detailHead(d: PlanDetail): string[] {
  const p = d.plan;
  const out = [
    `${p.action} on ${p.resourceArn}`,
    `plan ${d.runId}/${d.planId} · account ${p.accountId}${p.cluster ? ` · cluster ${p.cluster} (${p.region})` : ''} · status ${d.status} · risk ${p.risk.level}`,
    '',
    p.rationale,
  ];
  for (const f of d.findings) {
    out.push('', `${f.severity.toUpperCase()} ${f.ruleId}: ${f.title}`, `  ${f.message}`);
    if (f.podError) out.push('  pods see:', ...f.podError.split('\n').map((l) => `    ${l}`));
  }
  return out;
}

function detailTail(d: PlanDetail): string[] {
  const p = d.plan;
  const out: string[] = [];
  if (p.proof)
    out.push('', `proof ${p.proof.holds ? 'holds' : 'DOES NOT HOLD'}:`, ...p.proof.summary.map((s) => `  ${s}`));
  out.push('', `content ${d.contentHash}`);
  if (d.approval?.decision)
    out.push(
      `${d.approval.decision} by ${d.approval.decidedBy} at ${d.approval.decidedAt}${d.approval.delivery ? ` (delivery ${d.approval.delivery})` : ''}`,
    );
  else if ((d.approvalsNeeded ?? 1) > 1)
    out.push(approvalProgress(d.approval?.approvals ?? [], d.approvalsNeeded ?? 2));
  return out;
}

/** What a decision request recorded: the decision, or (a plan that needs a second approver) the approval so far. */
function decisionOutcome(approval: {
  decision?: string;
  decidedBy?: string;
  approvals?: readonly { by: string }[];
}): string {
  if (approval.decision) return `${approval.decision} by ${approval.decidedBy}`;
  return `approval recorded, ${approvalProgress(approval.approvals ?? [], 2)}`;
}

/** "1 of 2 approvals (by alice); needs another approver": a plan that needs a second, distinct approver. */
function approvalProgress(approvals: readonly { readonly by: string }[], needed: number): string {
  const by = approvals.length > 0 ? ` (by ${approvals.map((a) => a.by).join(', ')})` : '';
  const rest = needed - approvals.length;
  return `${approvals.length} of ${needed} approvals${by}${rest > 0 ? `; needs ${rest} more from ${approvals.length > 0 ? 'another approver' : 'distinct approvers'}` : ''}`;
}

export async function approvalsShowCommand(ref: string, opts: ConsoleOptions, io: CliIo): Promise<number> {
  const { runId, planId } = parsePlanRef(ref);
  const api = await ApiClient.open(opts, io);
  const d = await api.call<PlanDetail>('GET', `/api/plans/${seg(runId)}/${seg(planId)}`);
  io.stdout.write(opts.format === 'json' ? `${JSON.stringify(d, null, 2)}\n` : renderDetail(d, terminalFor(io, opts)));
  return 0;
}

/**
 * Approves or rejects each plan. An approval binds to content: with --hash (one plan), to the hash `show` printed;
 * without it, the plan is fetched and printed first, and what was printed is what is approved.
 */
export async function approvalsDecideCommand(
  decision: 'approve' | 'reject',
  refs: readonly string[],
  opts: ConsoleOptions & { comment?: string; hash?: string },
  io: CliIo,
): Promise<number> {
  const plans = refs.map(parsePlanRef);
  if (opts.hash && plans.length !== 1) throw new UsageError('--hash binds one plan: give exactly one RUN/PLAN with it');
  const api = await ApiClient.open(opts, io);
  let refused = 0;
  for (const { runId, planId } of plans) {
    try {
      let hash = opts.hash;
      if (!hash) {
        const d = await api.call<PlanDetail>('GET', `/api/plans/${seg(runId)}/${seg(planId)}`);
        io.stdout.write(renderDetail(d, terminalFor(io, opts)));
        hash = d.contentHash;
      }
      const { approval } = await api.call<{
        approval: { decision?: string; decidedBy?: string; approvals?: readonly { by: string }[] };
      }>('POST', `/api/plans/${seg(runId)}/${seg(planId)}/${decision}`, {
        contentHash: hash,
        ...(opts.comment ? { comment: opts.comment } : {}),
      });
      io.stdout.write(`${esc(`${runId}/${planId}: ${decisionOutcome(approval)}`, true)}\n`);
    } catch (err) {
      if (!(err instanceof ApiRefusal)) throw err;
      refused++;
      io.stderr.write(`irsa-doctor: ${clip(`${runId}/${planId}: ${err.code}: ${err.message}`)}\n`);
    }
  }
  return refused > 0 ? EXIT_REFUSED : 0;
}

/** A change of the history: what, when, who approved it, and whether it is in place or rolled back. */
function renderChange(view: ChangeView): string[] {
  const { change: c, rolledBackBy: r } = view;
  const q = view.rollbackRequest;
  const pending = q && (q.status === 'pending' || q.status === 'running');
  const state = r
    ? `rolled back by ${esc(r.approvedBy)} at ${esc(r.appliedAt)}`
    : pending
      ? `rollback ${q.status} (asked by ${esc(q.requestedBy)})`
      : `in place (irsa-doctor rollback CHANGE-ID undoes it)${q?.error ? `; last rollback ${q.status}: ${esc(clip(q.error.message))}` : ''}`;
  return [
    `${esc(c.changeId)}  ${esc(c.appliedAt)}  ${esc(c.action)}  ${esc(c.resourceArn)}`,
    `    approved by ${esc(c.approvedBy)}; ${state}`,
  ];
}

export async function approvalsHistoryCommand(opts: ConsoleOptions & PagingOptions, io: CliIo): Promise<number> {
  const api = await ApiClient.open(opts, io);
  const { items: changes, nextToken } = await readPages(
    api,
    '/api/changes',
    (page) => (page.changes ?? []) as ChangeView[],
    opts,
  );
  if (opts.format === 'json') {
    io.stdout.write(`${JSON.stringify({ changes, ...(nextToken ? { nextToken } : {}) }, null, 2)}\n`);
    return 0;
  }
  const lines = changes.length === 0 ? ['No change has been applied yet.'] : changes.flatMap(renderChange);
  io.stdout.write(`${lines.join('\n')}\n`);
  io.stderr.write(esc(nextTokenLine(nextToken, 'approvals history'), true));
  return 0;
}

/** How long `rollback` waits for the rollback step before it says the request is still in progress. */
export const ROLLBACK_WAIT_MS = 120_000;

interface RollbackStatusView {
  readonly request?: {
    readonly status: 'pending' | 'running' | 'done' | 'refused' | 'failed';
    readonly requestedBy: string;
    readonly error?: { readonly name: string; readonly message: string };
  };
  readonly change: ChangeView;
}

/**
 * Polls the request while it is pending or running, saying each change of status; undefined (after saying so) when
 * it is still open at the deadline.
 */
async function followRollback(
  api: ApiClient,
  path: string,
  changeId: string,
  asked: RollbackStatusView,
  waitMs: number,
  io: CliIo,
): Promise<RollbackStatusView | undefined> {
  let view = asked;
  const deadline = Date.now() + waitMs;
  let last = view.request?.status;
  while (view.request && (view.request.status === 'pending' || view.request.status === 'running')) {
    if (Date.now() > deadline) {
      io.stderr.write(
        `irsa-doctor: the rollback of ${esc(changeId)} is still ${view.request.status}; "irsa-doctor approvals history" shows when it is done\n`,
      );
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 500));
    view = await api.call<RollbackStatusView>('GET', path);
    if (view.request?.status !== last) {
      last = view.request?.status;
      io.stderr.write(`${esc(changeId)}: rollback ${last ?? 'unknown'}\n`);
    }
  }
  return view;
}

/**
 * Asks the API for a rollback (it records the request; the rollback step, which alone may write to member accounts,
 * performs it), then follows the request until it is done, refused or failed.
 */
export async function rollbackCommand(
  changeId: string,
  opts: ConsoleOptions & { comment?: string; waitMs?: number },
  io: CliIo,
): Promise<number> {
  const api = await ApiClient.open(opts, io);
  const path = `/api/changes/${seg(changeId)}/rollback`;
  try {
    const asked = await api.call<RollbackStatusView>('POST', path, {
      ...(opts.comment ? { comment: opts.comment } : {}),
    });
    io.stderr.write(`${esc(changeId)}: rollback requested; waiting for the rollback step\n`);
    const view = await followRollback(api, path, changeId, asked, opts.waitMs ?? ROLLBACK_WAIT_MS, io);
    if (!view) return EXIT_REFUSED;
    const request = view.request;
    if (request && request.status !== 'done') {
      io.stderr.write(
        `irsa-doctor: ${esc(clip(`rollback of ${changeId} ${request.status}: ${request.error?.name ?? 'Error'}: ${request.error?.message ?? ''}`))}\n`,
      );
      return EXIT_REFUSED;
    }
    const r = view.change.rolledBackBy;
    io.stdout.write(
      `${esc(`${changeId}: rolled back by ${r?.approvedBy ?? '?'}; ${view.change.change.resourceArn} holds the document it had before the change (${(r?.writes ?? []).join(', ') || 'nothing to write'})`)}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof ApiRefusal)) throw err;
    io.stderr.write(`irsa-doctor: ${clip(`rollback of ${changeId} refused: ${err.code}: ${err.message}`)}\n`);
    return EXIT_REFUSED;
  }
}
