/**
 * Paged DynamoDB Queries with opaque cursors. A cursor is the key of the last item a page returned, tagged with the
 * listing it belongs to; a cursor that does not decode, names another listing, or points outside the partition the
 * listing reads is refused with InvalidPageError (HTTP 400 at the API), never passed on to DynamoDB.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Page, PageRequest } from '../ports/state-store';
import { InvalidPageError } from '../shared/errors';

type Item = Record<string, AttributeValue>;

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
const MAX_CURSOR_CHARS = 4096;
const MAX_KEY_CHARS = 2048;

/** The page size asked for: an integer from 1 to MAX_PAGE_SIZE (default DEFAULT_PAGE_SIZE). */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidPageError(
      `limit must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${String(limit).slice(0, 40)}`,
    );
  }
  return limit;
}

/** What one listing reads: its tag (cursors are bound to it), the key attributes of its items, and its partition. */
export interface Listing {
  readonly tag: string;
  /** The attributes of an item's key in what is queried: the table's pk and sk, and the index's keys. */
  readonly keyAttributes: readonly string[];
  /** Values a cursor's key must hold (exactly, or as a prefix): the partition the listing reads. */
  readonly fixed: Readonly<Record<string, { readonly equals?: string; readonly prefix?: string }>>;
}

export function encodeCursor(listing: Listing, item: Item): string {
  const key: Record<string, string> = {};
  for (const name of listing.keyAttributes) {
    const value = item[name]?.S;
    if (value === undefined) throw new Error(`item has no key attribute ${name} (listing ${listing.tag})`);
    key[name] = value;
  }
  return Buffer.from(JSON.stringify({ t: listing.tag, k: key }), 'utf8').toString('base64url');
}

/** The key a cursor holds, checked against the listing; InvalidPageError otherwise. */
export function decodeCursor(listing: Listing, cursor: string): Item {
  const bad = (why: string) =>
    new InvalidPageError(`the cursor is not one this listing (${listing.tag}) gave: ${why}; start again without it`);
  const { t, k } = cursorJson(cursor, bad) as { t?: unknown; k?: unknown };
  if (t !== listing.tag) throw bad(typeof t === 'string' ? `it belongs to ${t.slice(0, 40)}` : 'no listing named');
  if (k === null || typeof k !== 'object' || Array.isArray(k)) throw bad('no key');
  const entries = Object.entries(k as Record<string, unknown>);
  const names = entries.map(([name]) => name).sort();
  if (names.join('\u0000') !== [...listing.keyAttributes].sort().join('\u0000')) throw bad('another key');
  const key: Item = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || value === '' || value.length > MAX_KEY_CHARS) throw bad(`bad ${name}`);
    if (!fits(listing.fixed[name], value)) throw bad(`another ${name}`);
    key[name] = { S: value };
  }
  return key;
}

function cursorJson(cursor: string, bad: (why: string) => Error): unknown {
  if (typeof cursor !== 'string' || cursor === '' || cursor.length > MAX_CURSOR_CHARS) throw bad('empty or too long');
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad('not base64url');
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) ?? {};
  } catch {
    throw bad('it does not decode');
  }
}

function fits(rule: Listing['fixed'][string] | undefined, value: string): boolean {
  if (rule?.equals !== undefined && value !== rule.equals) return false;
  return rule?.prefix === undefined || value.startsWith(rule.prefix);
}

/**
 * One page of a Query: up to `limit` items after the cursor's key, and a cursor when more follow. Reads until the
 * page is full or the partition ends (a filter or DynamoDB's 1 MB limit can make one Query return fewer items), and
 * asks for one item more than it returns, so the last page has no cursor. With `maxQueries`, a filtered listing stops
 * after that many Queries (each reads at most 1 MB) and returns what it found with a cursor where it stopped: a page
 * may then hold fewer items than asked, even none, and still have a cursor.
 */
export async function queryPage(
  client: DynamoDBClient,
  input: QueryCommandInput,
  listing: Listing,
  request: PageRequest = {},
  options: { readonly maxQueries?: number } = {},
): Promise<Page<Item>> {
  const limit = pageSize(request.limit);
  let start: Item | undefined = request.cursor !== undefined ? decodeCursor(listing, request.cursor) : undefined;
  const items: Item[] = [];
  for (let queries = 1; ; queries++) {
    const out = await client.send(
      new QueryCommand({
        ...input,
        Limit: limit - items.length + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    if (items.length > limit) {
      const pageItems = items.slice(0, limit);
      return { items: pageItems, cursor: encodeCursor(listing, pageItems[limit - 1] as Item) };
    }
    if (!out.LastEvaluatedKey) return { items };
    if (options.maxQueries !== undefined && queries >= options.maxQueries) {
      return { items, cursor: encodeCursor(listing, out.LastEvaluatedKey) };
    }
    start = out.LastEvaluatedKey;
  }
}
