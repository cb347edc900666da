/**
 * The latest-findings listing on DynamoDB, pure: how a finding is filed in the state table's by-time index
 * (STATE_BY_TIME_INDEX, partition sk = LATEST_FINDING_SK) and how a query becomes a Query's key condition and
 * filter. The index's sort key (`listedAt`) is `<severity rank>#<account>#<rule>#<finding id>`, so:
 *
 * - a severity minimum, or any set of severities, is a key range (rank from..to); a set with gaps also filters;
 * - one severity and an account is a key prefix (`rank#account#`), and with a rule too (`rank#account#rule#`);
 * - every other filter (account or rule without one severity, cluster, namespace, text, suppressed, the reader's
 *   accounts) is a FilterExpression on that Query: the items it reads still count against the read.
 */
import { type Finding, SEVERITIES, type Severity, severityRank } from '../domain/finding';
import type { LatestFindingsQuery } from '../ports/state-store';

/** The partition (sk) of the latest-findings listing in the by-time index. */
export const LATEST_FINDING_SK = 'LATEST-FINDING';
/** The table key prefix of a listing item: one per account and finding id, replaced by the account's next run. */
export const LATEST_FINDING_PREFIX = 'LATEST-FINDING#';
/** The highest character of a key range's upper end (DynamoDB compares strings by their UTF-8 bytes). */
const TOP = '\uffff';

/** The listing item's table key (pk): the account and the finding id. */
export function listingKey(accountId: string, findingId: string): string {
  return `${LATEST_FINDING_PREFIX}${accountId}#${findingId}`;
}

/** The index sort key of a finding: most severe first, then account, rule, id. */
export function listingSortKey(f: Pick<Finding, 'severity' | 'accountId' | 'ruleId' | 'id'>): string {
  return `${severityRank(f.severity)}#${f.accountId}#${f.ruleId}#${f.id}`;
}

/** What the text filter searches: the title, the resource ARN and the message, in lower case. */
export function searchText(f: Pick<Finding, 'title' | 'resourceArn' | 'message'>): string {
  return `${f.title}\n${f.resourceArn}\n${f.message}`.toLowerCase();
}

/** A Query's conditions with plain string values: `:name` → a string or a list of strings (an IN). */
export interface ListingQuery {
  readonly keyCondition: string;
  readonly filter?: string;
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, string>>;
}

/** Conditions being built: the names and values they use, and the filter's terms. */
interface Building {
  readonly names: Record<string, string>;
  readonly values: Record<string, string>;
  readonly filters: string[];
}

/**
 * The key range of the query's severities (and account and rule, when one severity is asked): the key condition's
 * tail, and which of account and rule it already covers.
 */
function keyRange(query: LatestFindingsQuery, b: Building): { range: string; account: boolean; rule: boolean } {
  const ranks = [...new Set(query.severities ?? SEVERITIES)].map((s) => severityRank(s)).sort((x, y) => x - y);
  const lo = ranks[0] ?? 0;
  const hi = ranks[ranks.length - 1] ?? SEVERITIES.length - 1;
  if (ranks.length === 1 && query.accountId !== undefined) {
    const rule = query.ruleId !== undefined;
    b.values[':prefix'] = `${lo}#${query.accountId}#${rule ? `${query.ruleId}#` : ''}`;
    return { range: ' AND begins_with(listedAt, :prefix)', account: true, rule };
  }
  if (ranks.length === SEVERITIES.length) return { range: '', account: false, rule: false };
  b.values[':lo'] = `${lo}#`;
  b.values[':hi'] = `${hi}#${TOP}`;
  if (hi - lo + 1 > ranks.length) {
    // A set with gaps (critical and low): the range covers it, the filter drops the ranks between.
    const keys = ranks.map((r, i) => {
      b.values[`:sev${i}`] = SEVERITIES[r] as Severity;
      return `:sev${i}`;
    });
    b.names['#severity'] = 'severity';
    b.filters.push(`#severity IN (${keys.join(', ')})`);
  }
  return { range: ' AND listedAt BETWEEN :lo AND :hi', account: false, rule: false };
}

function equal(b: Building, attribute: string, value: string | undefined): void {
  if (value === undefined) return;
  b.names[`#${attribute}`] = attribute;
  b.values[`:${attribute}`] = value;
  b.filters.push(`#${attribute} = :${attribute}`);
}

/** The reader's accounts as an IN (DynamoDB takes at most 100 values: beyond that they are checked after the read). */
function readerAccounts(b: Building, accounts: readonly string[] | undefined): void {
  if (accounts === undefined || accounts.length > 100) return;
  if (accounts.length === 0) {
    b.filters.push('attribute_not_exists(pk)');
    return;
  }
  const keys = accounts.map((a, i) => {
    b.values[`:acct${i}`] = a;
    return `:acct${i}`;
  });
  b.names['#readerAccount'] = 'accountId';
  b.filters.push(`#readerAccount IN (${keys.join(', ')})`);
}

/** The key condition and filter that read exactly the findings the query asks for. */
export function latestFindingsQuery(query: LatestFindingsQuery): ListingQuery {
  const b: Building = { names: {}, values: { ':sk': LATEST_FINDING_SK }, filters: [] };
  const key = keyRange(query, b);
  if (!key.account) equal(b, 'accountId', query.accountId);
  if (!key.rule) equal(b, 'ruleId', query.ruleId);
  equal(b, 'cluster', query.cluster);
  equal(b, 'namespace', query.namespace);
  if (query.text) {
    b.values[':text'] = query.text.toLowerCase();
    b.names['#search'] = 'search';
    b.filters.push('contains(#search, :text)');
  }
  const suppressed = query.suppressed ?? 'hide';
  if (suppressed === 'hide') b.filters.push('attribute_not_exists(suppressedBy)');
  if (suppressed === 'only') b.filters.push('attribute_exists(suppressedBy)');
  readerAccounts(b, query.accounts);
  return {
    keyCondition: `sk = :sk${key.range}`,
    ...(b.filters.length > 0 ? { filter: b.filters.join(' AND ') } : {}),
    names: b.names,
    values: b.values,
  };
}

/** What the finding's listing item holds beside its JSON: the attributes the filters read. */
export function listingAttributes(runId: string, f: Finding): Record<string, string> {
  const namespace = f.kubernetesObject?.namespace;
  return {
    pk: listingKey(f.accountId, f.id),
    sk: LATEST_FINDING_SK,
    listedAt: listingSortKey(f),
    runId,
    accountId: f.accountId,
    ruleId: f.ruleId,
    severity: f.severity,
    search: searchText(f),
    ...(f.cluster ? { cluster: f.cluster } : {}),
    ...(namespace ? { namespace } : {}),
    ...(f.suppressed ? { suppressedBy: f.suppressed.by || 'suppressed' } : {}),
  };
}
