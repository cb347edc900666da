import { makeRollbackHandler } from '../../../lambdas/handlers/run-rollback';

// Only what is refused before any dependency is used: the deps factories throw if touched.
const untouched = () => {
  throw new Error('deps must not be built for a refused payload');
};

describe('run-rollback payloads', () => {
  const handler = makeRollbackHandler(untouched);

  it.each([
    ['an approval record', { Records: [{ dynamodb: { Keys: { pk: { S: 'RUN#r' }, sk: { S: 'APPROVAL#p' } } } }] }],
    [
      'a rollback key with another sort key',
      { Records: [{ dynamodb: { Keys: { pk: { S: 'ROLLBACK#c' }, sk: { S: 'X' } } } }] },
    ],
    ['no records', {}],
    ['a reconcile flag that is not true', { reconcile: false }],
    ['a negative reconcile threshold', { reconcile: true, olderThanSeconds: -1 }],
    ['a reconcile request with another field', { reconcile: true, changeId: 'c' }],
  ])('fails when the event has %s', async (_what, event) => {
    await expect(handler(event)).rejects.toMatchObject({ name: 'InvalidPayloadError' });
  });
});
