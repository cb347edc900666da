/** The in-memory FixWriter against the port's contract (the same assertions run against the registry's writer on the emulator). */
import { fixWriterContract } from '../../../support/contracts/fix-writer-contract';
import { InMemoryFixWriter } from '../../../support/fakes/fix-writer';
import { trust, trustPlan } from '../../../support/fakes/given';

describe('InMemoryFixWriter', () => {
  fixWriterContract(async () => {
    const fixes = new InMemoryFixWriter();
    const plan = trustPlan();
    fixes.set(plan.resourceArn, plan.before);
    return {
      fixes,
      plan,
      edit: async (document) => {
        fixes.set(plan.resourceArn, document);
      },
      read: async () => fixes.get(plan.resourceArn),
    };
  });

  it('compares documents by content, whatever the order of their keys', async () => {
    const fixes = new InMemoryFixWriter();
    const plan = trustPlan();
    const reordered = Object.fromEntries(Object.entries(trust('Before')).reverse());
    fixes.set(plan.resourceArn, reordered);
    expect((await fixes.apply(plan)).status).toBe('applied');
  });
});
