import { FIX_ORDER, type Fixer, ok, open, statementIndexOf } from './fixer';

/** IRSA-011: the statement's principal is not the cluster's provider; set it when its keys name a known cluster. */
export const irsa011SetProvider: Fixer<'IRSA-011'> = {
  rule: 'IRSA-011',
  order: FIX_ORDER.principal,
  role: (finding, { patch }) => {
    const expected = finding.evidence.expectedFederated;
    if (expected === undefined)
      return open("the statement's keys name no known cluster, so the provider to trust is unknown");
    return ok(patch.setFederated(statementIndexOf(finding), expected), 'statement not found');
  },
};
