import { proofCounts } from '../../../../console/src/proof-text';
import { mixedProof as proof } from '../../../support/proof-fixture';

describe('proofCounts (the console)', () => {
  it('counts classes (by the exact check) and probe requests apart, not every witness as a probe', () => {
    const text = proofCounts(proof);
    expect(text).toContain('Exact check: 2 class(es) of requests newly allowed, 2 of them not accounted for');
    expect(text).toContain('40 probe request(s): 3 newly allowed that the plan does not account for, 1 newly denied');
    expect(text).not.toContain('5 ');
  });

  it('says when the exact check could not decide, and why', () => {
    const text = proofCounts({
      ...proof,
      exact: { decided: false, reason: 'budget', classes: 1, undeclared: 1, work: 9 },
    });
    expect(text).toContain('Exact check undecided (budget); 1 class(es) found not accounted for so far');
  });
});
