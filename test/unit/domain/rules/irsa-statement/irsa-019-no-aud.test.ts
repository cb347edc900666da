import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
} from '../../../../support/estate-builder';

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });

function findings(statement: Record<string, unknown>) {
  const snapshot = estate([
    account(A, {
      clusters: [one.snapshot],
      oidcProviders: [provider(one)],
      roles: [role(A, 'app', policy(statement))],
    }),
  ]);
  return analyzeEstate(snapshot).findings;
}

describe('IRSA-019: no :aud condition', () => {
  it('fires on a statement that pins :sub but not :aud, with the key to add', () => {
    // Given a statement with no <issuer>:aud condition
    const [finding, ...others] = findings(irsaStatement(one, sa('apps', 'web'), { audience: null }));
    // Then IRSA-019 alone, low, on the role, and its evidence names the key under the statement's issuer
    expect(others).toEqual([]);
    expect(finding?.ruleId).toBe('IRSA-019');
    expect(finding?.severity).toBe('low');
    expect(finding?.resourceArn).toBe(`arn:aws:iam::${A}:role/app`);
    expect(finding?.ruleId === 'IRSA-019' && finding.evidence.suggestedKey).toBe(`${one.hostPath}:aud`);
    expect(finding?.ruleId === 'IRSA-019' && finding.evidence.statementIndex).toBe(0);
  });

  it('does not fire when :aud is pinned', () => {
    expect(findings(irsaStatement(one, sa('apps', 'web')))).toEqual([]);
  });
});
