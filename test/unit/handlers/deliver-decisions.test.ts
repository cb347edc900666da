import { makeDeliverHandler } from '../../../lambdas/handlers/deliver-decisions';

// Only what is refused before any dependency is used: the deps factories throw if touched.
const untouched = () => {
  throw new Error('deps must not be built for a refused payload');
};

describe('deliver-decisions payloads', () => {
  const handler = makeDeliverHandler(untouched);

  it.each([
    ['no records', {}],
    [
      'a record of another item kind',
      { Records: [{ dynamodb: { Keys: { pk: { S: 'RUN#r' }, sk: { S: 'PLAN#p' } } } }] },
    ],
    ['a record without keys', { Records: [{ dynamodb: {} }] }],
    ['a reconcile that is not true', { reconcile: 'yes' }],
    ['a negative age', { reconcile: true, olderThanSeconds: -1 }],
  ])('fails when the event has %s', async (_what, event) => {
    await expect(handler(event)).rejects.toMatchObject({ name: 'InvalidPayloadError' });
  });
});
