/**
 * Suppressions (a mutelist): findings a person decided to accept for a while, with a reason and an expiry. A
 * suppressed finding is recorded as suppressed, not planned and not counted as open. Pure: matching and validation
 * only; the state store keeps them (StateStore.putSuppression), the CLI reads them from a file (--mutelist).
 */
import { stableId } from './finding';

/** One entry: every given field must match; `resource` may end in `*` (a prefix). */
export interface SuppressionRule {
  readonly id: string;
  readonly ruleId?: string;
  readonly accountId?: string;
  readonly resource?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** The fields of a finding a suppression looks at. */
export interface Suppressible {
  readonly ruleId: string;
  readonly accountId: string;
  readonly resourceArn: string;
  readonly cluster?: string;
  readonly kubernetesObject?: { readonly namespace?: string };
}

export class SuppressionError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'SuppressionError';
  }
}

/** What a suppression matches, one phrase per given field ("rule IRSA-015", "account 111122223333", …). */
export function suppressionMatches(s: SuppressionRule): string[] {
  return [
    s.ruleId ? `rule ${s.ruleId}` : '',
    s.accountId ? `account ${s.accountId}` : '',
    s.resource ? `resource ${s.resource}` : '',
    s.cluster ? `cluster ${s.cluster}` : '',
    s.namespace ? `namespace ${s.namespace}` : '',
  ].filter((m) => m !== '');
}

/** Whether the suppression is still in force at `now`. */
export function suppressionLive(s: Pick<SuppressionRule, 'expiresAt'>, now: Date): boolean {
  const t = Date.parse(s.expiresAt);
  return Number.isFinite(t) && t > now.getTime();
}

function resourceMatches(pattern: string, arn: string): boolean {
  return pattern.endsWith('*') ? arn.startsWith(pattern.slice(0, -1)) : arn === pattern;
}

/** Whether the suppression covers the finding (live, and every field it gives matches). */
export function suppresses(s: SuppressionRule, f: Suppressible, now: Date): boolean {
  if (!suppressionLive(s, now)) return false;
  if (s.ruleId === undefined && s.accountId === undefined && s.resource === undefined) return false;
  if (s.ruleId !== undefined && s.ruleId !== f.ruleId) return false;
  if (s.accountId !== undefined && s.accountId !== f.accountId) return false;
  if (s.resource !== undefined && !resourceMatches(s.resource, f.resourceArn)) return false;
  if (s.cluster !== undefined && s.cluster !== f.cluster) return false;
  if (s.namespace !== undefined && s.namespace !== f.kubernetesObject?.namespace) return false;
  return true;
}

/** Splits findings into open ones and suppressed ones (with the first live suppression that covers each). */
export function applySuppressions<F extends Suppressible>(
  findings: readonly F[],
  suppressions: readonly SuppressionRule[],
  now: Date,
): { open: F[]; suppressed: Array<{ finding: F; suppressionId: string }> } {
  const live = suppressions.filter((s) => suppressionLive(s, now));
  const open: F[] = [];
  const suppressed: Array<{ finding: F; suppressionId: string }> = [];
  for (const finding of findings) {
    const by = live.find((s) => suppresses(s, finding, now));
    if (by) suppressed.push({ finding, suppressionId: by.id });
    else open.push(finding);
  }
  return { open, suppressed };
}

const FIELDS = ['id', 'ruleId', 'accountId', 'resource', 'cluster', 'namespace', 'reason', 'createdBy', 'createdAt'];
const ALLOWED = new Set([...FIELDS, 'expiresAt']);
const RULE_ID = /^[A-Z]+-\d{3}$/;
const ACCOUNT_ID = /^\d{12}$/;

function describe(at: number, raw: unknown): string {
  const id = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id !== '' ? `entry ${at + 1} (id "${id.slice(0, 80)}")` : `entry ${at + 1}`;
}

function fieldProblems(e: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(e)) if (!ALLOWED.has(key)) out.push(`unknown field "${key.slice(0, 40)}"`);
  for (const key of FIELDS) {
    const v = e[key];
    if (v !== undefined && (typeof v !== 'string' || v === '')) out.push(`${key} must be a non-empty string`);
  }
  if (typeof e.ruleId === 'string' && !RULE_ID.test(e.ruleId)) {
    out.push(`ruleId "${e.ruleId.slice(0, 40)}" is not a rule id (e.g. IRSA-005)`);
  }
  if (typeof e.accountId === 'string' && !ACCOUNT_ID.test(e.accountId)) out.push('accountId must be 12 digits');
  return out;
}

function selectionProblems(e: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (e.ruleId === undefined && e.accountId === undefined && e.resource === undefined) {
    out.push('give at least one of ruleId, accountId, resource (a suppression of everything is refused)');
  }
  if (e.resource === '*') out.push('resource "*" alone would suppress everything: name a prefix');
  if (typeof e.reason !== 'string' || e.reason.trim() === '') out.push('reason is required');
  return out;
}

function expiryProblems(expires: unknown, now: Date): string[] {
  if (expires === undefined) return ['expiresAt is required (an ISO date: suppressions expire)'];
  const t = typeof expires === 'string' ? Date.parse(expires) : Number.NaN;
  if (!Number.isFinite(t)) return ['expiresAt must be an ISO date, e.g. 2026-12-31 or 2026-12-31T00:00:00Z'];
  return t <= now.getTime() ? [`expiresAt ${String(expires)} is already past`] : [];
}

/** What is wrong with one raw entry (empty when it is a valid suppression). */
export function suppressionProblems(raw: unknown, now: Date): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return ['must be an object'];
  const e = raw as Record<string, unknown>;
  return [...fieldProblems(e), ...selectionProblems(e), ...expiryProblems(e.expiresAt, now)];
}

/** A valid entry as a suppression (id derived from what it selects when not given). */
function toSuppression(e: Record<string, string>, defaults: { readonly now: Date; readonly createdBy: string }) {
  const id =
    e.id ??
    stableId('suppression', e.ruleId ?? '', e.accountId ?? '', e.resource ?? '', e.cluster ?? '', e.namespace ?? '');
  const optional = (['ruleId', 'accountId', 'resource', 'cluster', 'namespace'] as const).filter(
    (k) => e[k] !== undefined,
  );
  return {
    id,
    ...Object.fromEntries(optional.map((k) => [k, e[k]])),
    reason: (e.reason ?? '').trim(),
    createdBy: e.createdBy ?? defaults.createdBy,
    createdAt: e.createdAt ?? defaults.now.toISOString(),
    expiresAt: new Date(Date.parse(e.expiresAt ?? '')).toISOString(),
  } as SuppressionRule;
}

/**
 * Validates a mutelist (a list of entries, as read from YAML or JSON): every entry checked, every problem named by
 * its entry. Missing `id` is derived from the entry; `createdBy`/`createdAt` default to the given ones.
 */
export function parseSuppressions(
  raw: unknown,
  defaults: { readonly now: Date; readonly createdBy: string },
): SuppressionRule[] {
  const list =
    raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { suppressions?: unknown }).suppressions : raw;
  if (!Array.isArray(list)) {
    throw new SuppressionError('a mutelist is a list of suppressions (or an object with a "suppressions" list)', [
      'not a list',
    ]);
  }
  const problems: string[] = [];
  const out: SuppressionRule[] = [];
  const ids = new Set<string>();
  list.forEach((entry, at) => {
    const bad = suppressionProblems(entry, defaults.now);
    const suppression = bad.length === 0 ? toSuppression(entry as Record<string, string>, defaults) : undefined;
    if (suppression && ids.has(suppression.id)) bad.push(`id "${suppression.id}" is used by an earlier entry`);
    if (bad.length > 0 || !suppression) {
      problems.push(`${describe(at, entry)}: ${bad.join('; ')}`);
      return;
    }
    ids.add(suppression.id);
    out.push(suppression);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    const more = problems.length > shown.length ? `; ... and ${problems.length - shown.length} more` : '';
    throw new SuppressionError(`invalid mutelist: ${shown.join('; ')}${more}`, problems);
  }
  return out;
}
