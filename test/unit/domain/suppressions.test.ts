import {
  applySuppressions,
  parseSuppressions,
  SuppressionError,
  type SuppressionRule,
  suppresses,
  suppressionMatches,
} from '../../../lambdas/domain/suppressions';

const NOW = new Date('2026-06-01T00:00:00Z');
const finding = {
  ruleId: 'IRSA-005',
  accountId: '111111111111',
  resourceArn: 'arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC',
  cluster: 'prod',
  kubernetesObject: { namespace: 'team' },
};
const rule = (parts: Partial<SuppressionRule>): SuppressionRule => ({
  id: 's1',
  reason: 'accepted',
  createdBy: 'alice',
  createdAt: '2026-05-01T00:00:00Z',
  expiresAt: '2026-07-01T00:00:00Z',
  ...parts,
});

describe('suppressions', () => {
  it('match on every given field, a resource prefix ending in *, and only until they expire', () => {
    expect(suppresses(rule({ ruleId: 'IRSA-005' }), finding, NOW)).toBe(true);
    expect(suppresses(rule({ ruleId: 'IRSA-001' }), finding, NOW)).toBe(false);
    expect(suppresses(rule({ ruleId: 'IRSA-005', accountId: '222222222222' }), finding, NOW)).toBe(false);
    expect(suppresses(rule({ resource: 'arn:aws:iam::111111111111:oidc-provider/*' }), finding, NOW)).toBe(true);
    expect(suppresses(rule({ resource: 'arn:aws:iam::111111111111:role/*' }), finding, NOW)).toBe(false);
    expect(suppresses(rule({ accountId: '111111111111', cluster: 'prod', namespace: 'team' }), finding, NOW)).toBe(
      true,
    );
    expect(suppresses(rule({ accountId: '111111111111', namespace: 'other' }), finding, NOW)).toBe(false);
    // Expired: the finding is open again.
    expect(suppresses(rule({ ruleId: 'IRSA-005', expiresAt: '2026-05-31T23:59:59Z' }), finding, NOW)).toBe(false);
    // No selecting field: matches nothing.
    expect(suppresses(rule({ cluster: 'prod' }), finding, NOW)).toBe(false);
  });

  it('split findings into open and suppressed, naming the suppression', () => {
    const other = { ...finding, ruleId: 'IRSA-001' };
    const out = applySuppressions([finding, other], [rule({ ruleId: 'IRSA-005' })], NOW);
    expect(out.open).toEqual([other]);
    expect(out.suppressed).toEqual([{ finding, suppressionId: 's1' }]);
  });

  it('validate a mutelist, naming each bad entry', () => {
    const good = parseSuppressions([{ ruleId: 'IRSA-005', reason: ' legacy provider ', expiresAt: '2026-12-31' }], {
      now: NOW,
      createdBy: 'cli',
    });
    expect(good).toEqual([
      expect.objectContaining({
        ruleId: 'IRSA-005',
        reason: 'legacy provider',
        createdBy: 'cli',
        expiresAt: '2026-12-31T00:00:00.000Z',
      }),
    ]);
    expect(good[0]?.id).toMatch(/^[0-9a-f]{16}$/);
    let caught: unknown;
    try {
      parseSuppressions(
        [
          { ruleId: 'IRSA-005', reason: 'ok', expiresAt: '2026-12-31' },
          { id: 'bad-one', ruleId: 'nope', reason: 'x', expiresAt: '2026-12-31' },
          { accountId: '111111111111', expiresAt: '2020-01-01' },
          { cluster: 'prod', reason: 'r', expiresAt: '2026-12-31', colour: 'red' },
        ],
        { now: NOW, createdBy: 'cli' },
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SuppressionError);
    const message = (caught as Error).message;
    expect(message).toContain('entry 2 (id "bad-one"): ruleId "nope" is not a rule id');
    expect(message).toContain('entry 3: reason is required; expiresAt 2020-01-01 is already past');
    expect(message).toContain('entry 4: unknown field "colour"; give at least one of ruleId, accountId, resource');
    expect(message).not.toContain('entry 1');
    expect(() => parseSuppressions({ not: 'a list' }, { now: NOW, createdBy: 'cli' })).toThrow(/list of suppressions/);
  });
});

describe('suppressionMatches', () => {
  it('names each given field once, in a fixed order, and nothing for the fields not given', () => {
    const rule = {
      id: 's1',
      namespace: 'team',
      ruleId: 'IRSA-005',
      resource: 'arn:aws:iam::111111111111:role/batch-*',
      reason: 'legacy',
      createdBy: 'alice',
      createdAt: NOW.toISOString(),
      expiresAt: '2026-07-01T00:00:00Z',
    } as SuppressionRule;
    expect(suppressionMatches(rule)).toEqual([
      'rule IRSA-005',
      'resource arn:aws:iam::111111111111:role/batch-*',
      'namespace team',
    ]);
  });
});
