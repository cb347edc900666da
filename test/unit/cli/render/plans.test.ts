import { renderPlansMarkdown } from '../../../../cli/render/plans';
import { mixedProof as proof } from '../../../support/proof-fixture';
import { testPlan } from '../../../support/test-plan';

describe('renderPlansMarkdown proof table (the CLI)', () => {
  it('labels each undeclared row as a class witness or a probe request', () => {
    const md = renderPlansMarkdown({ plans: [testPlan({ proof })], findings: [] }, []);
    expect(md.match(/NOT DECLARED \(witness of a newly allowed class\)/g)).toHaveLength(2);
    expect(md.match(/NOT DECLARED \(probe request\)/g)).toHaveLength(3);
  });
});
