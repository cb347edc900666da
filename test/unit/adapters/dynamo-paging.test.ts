import type { AttributeValue, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { decodeCursor, type Listing, queryPage } from '../../../lambdas/adapters/dynamo-paging';

type Item = Record<string, AttributeValue>;
const LISTING: Listing = { tag: 't', keyAttributes: ['pk', 'sk'], fixed: { sk: { equals: 'X' } } };
const key = (n: number): Item => ({ pk: { S: `p${n}` }, sk: { S: 'X' } });

/** A client whose every Query reads one 1 MB stretch and finds nothing that passes the filter, and counts them. */
function sparseClient() {
  const calls: QueryCommand[] = [];
  const client = {
    send: async (command: QueryCommand) => {
      calls.push(command);
      return { Items: [], LastEvaluatedKey: key(calls.length) };
    },
  } as unknown as DynamoDBClient;
  return { client, calls };
}

describe('a page of a filtered Query', () => {
  it('stops after maxQueries and answers with a cursor where it stopped', async () => {
    const { client, calls } = sparseClient();
    const page = await queryPage(client, { TableName: 't' }, LISTING, { limit: 5 }, { maxQueries: 3 });
    expect(calls).toHaveLength(3);
    expect(page.items).toEqual([]);
    expect(decodeCursor(LISTING, page.cursor as string)).toEqual(key(3));
    // The next page starts there
    const { client: next, calls: nextCalls } = sparseClient();
    await queryPage(next, { TableName: 't' }, LISTING, { limit: 5, cursor: page.cursor }, { maxQueries: 1 });
    expect(nextCalls[0]?.input.ExclusiveStartKey).toEqual(key(3));
  });
});
