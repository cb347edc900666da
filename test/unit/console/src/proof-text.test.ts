import { proofCounts, proofRequests, requestSentence } from '../../../../console/src/proof-text';
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

describe('proofRequests (the console)', () => {
  const FED = 'Federated arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/A';
  const web = {
    principal: FED,
    action: 'sts:AssumeRoleWithWebIdentity',
    sub: 'system:serviceaccount:apps:web',
    aud: 'sts.amazonaws.com',
    before: 'ImplicitDeny',
    after: 'Allow',
  } as const;

  it('says each request in words, not raw decisions, and lists an intended request once', () => {
    const rows = proofRequests({
      ...proof,
      intended: [web],
      probes: { ...proof.probes, newlyAllowed: [{ ...web, declaredBy: 'workload apps/web' }] },
    });
    expect(rows[0]).toEqual({
      sentence:
        'Before: pods of apps/web could not assume the role with their web identity token (no statement allowed it). After: they can.',
      why: 'the workload this plan is for',
      accounted: true,
      raw: `sts:AssumeRoleWithWebIdentity by ${FED} sub=system:serviceaccount:apps:web aud=sts.amazonaws.com`,
    });
    expect(rows.filter((r) => r.raw === rows[0]?.raw)).toHaveLength(1);
    expect(rows.map((r) => r.sentence).join(' ')).not.toMatch(/ImplicitDeny|ExplicitDeny/);
    // the five unaccounted requests of the fixture follow, each flagged
    expect(rows.slice(1).map((r) => r.accounted)).toEqual([false, false, false, false, false]);
    expect(rows[1]?.sentence).toContain('tokens with subject system:serviceaccount:a:*');
  });

  it('says when a request is denied by a statement, and when one stops being allowed', () => {
    expect(requestSentence({ ...web, before: 'ExplicitDeny', after: 'ExplicitDeny' })).toBe(
      'Before: pods of apps/web could not assume the role with their web identity token (a statement denies it). After: they still cannot (a statement denies it).',
    );
    expect(requestSentence({ ...web, action: 'sts:TagSession', before: 'Allow', after: 'ImplicitDeny' })).toBe(
      'Before: pods of apps/web could tag the role session. After: they cannot (no statement allowed it).',
    );
  });
});
