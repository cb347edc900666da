import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import { EstateIndex } from '../../../../lambdas/domain/estate-index';
import type { EvidenceOf, Finding, RuleId } from '../../../../lambdas/domain/finding';
import { RULE_CATALOG } from '../../../../lambdas/domain/rules/catalog';
import { AnalysisContext } from '../../../../lambdas/domain/rules/context';
import { account, cluster, estate, irsaStatement, policy, provider, role, sa } from '../../../support/estate-builder';

// The typed contract between rules and their readers. tsc checks this file with the rest of test/, and each
// expected type error below fails that check if what it guards against ever becomes legal.

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const gone = cluster({ name: 'gone', region: 'us-west-2', accountId: A });

describe('Finding<R> and EvidenceOf<R>', () => {
  it('types the evidence by testing the rule id, with no cast', () => {
    // Given a role that trusts a provider no scanned cluster has (a recreated cluster)
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'r', policy(irsaStatement(gone, sa('a', 'b'))))],
      }),
    ]);
    // When analyzed
    const findings: readonly Finding[] = analyzeEstate(snapshot).findings;
    // Then narrowing on ruleId is enough to read the rule's evidence fields
    const candidates = findings.flatMap((f) => (f.ruleId === 'IRSA-012' ? (f.evidence.candidates ?? []) : []));
    expect(candidates.map((c) => [c.cluster, c.issuer])).toEqual([['one', one.hostPath]]);
    const stale = findings.find((f): f is Finding<'IRSA-012'> => f.ruleId === 'IRSA-012');
    const evidence: EvidenceOf<'IRSA-012'> | undefined = stale?.evidence;
    expect(evidence?.federated).toBe(gone.providerArn(A));
    expect(evidence?.statementIndex).toBe(0);
  });

  it('refuses evidence of another rule when a rule emits', () => {
    const ctx = new AnalysisContext(new EstateIndex(estate([account(A, {})])), {});
    const draft = { accountId: A, resourceArn: 'arn:aws:iam::111111111111:role/r', resourceType: 'role' } as const;
    const statement = { statementIndex: 0, statement: {} };
    ctx.emit({ ...draft, ruleId: 'IRSA-019', message: 'm', evidence: { ...statement, suggestedKey: 'k:aud' } });
    // Type checks only: these calls must not compile, and are never made.
    const wrong = () => {
      // @ts-expect-error IRSA-019's evidence has no candidates
      ctx.emit({ ...draft, ruleId: 'IRSA-019', message: 'm', evidence: { ...statement, candidates: [] } });
      // @ts-expect-error IRSA-013's evidence needs the key it expects
      ctx.emit({ ...draft, ruleId: 'IRSA-013', message: 'm', evidence: { ...statement, conditionKey: 'k' } });
      // @ts-expect-error no rule has this id
      ctx.emit({ ...draft, ruleId: 'IRSA-999', message: 'm', evidence: statement });
    };
    expect(typeof wrong).toBe('function');
    expect(ctx.findings().map((f) => [f.ruleId, f.evidence])).toEqual([
      ['IRSA-019', { ...statement, suggestedKey: 'k:aud' }],
    ]);
  });

  it('has a RuleId for every rule of the catalog, and only those', () => {
    const ids: readonly RuleId[] = [...RULE_CATALOG.keys()];
    // @ts-expect-error a string is not a RuleId
    const notAnId: RuleId = 'IRSA-999';
    expect(ids).not.toContain(notAnId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
