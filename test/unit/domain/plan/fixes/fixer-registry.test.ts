import { FIXERS, type FixerRegistry, fixerOf } from '../../../../../lambdas/domain/plan/fixes/fixer-registry';
import { irsa019AddAud } from '../../../../../lambdas/domain/plan/fixes/irsa-019-add-aud';
import { planEstate } from '../../../../../lambdas/domain/plan/plan-estate';
import { ruleMeta } from '../../../../../lambdas/domain/rules/catalog';
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

describe('the fixer registry', () => {
  it('holds under each rule id the fixer of that rule', () => {
    for (const [rule, fixer] of Object.entries(FIXERS)) expect(fixer?.rule).toBe(rule);
  });

  it('refuses, at compile time, a fixer registered under another rule', () => {
    // @ts-expect-error IRSA-019's fixer cannot stand under IRSA-012
    const wrong: FixerRegistry = { 'IRSA-012': irsa019AddAud };
    expect(wrong['IRSA-012']?.rule).toBe('IRSA-019');
  });

  it('reports a rule without a fixer and does not patch it: the proposal names the rule remediation', () => {
    // Given an explicit Deny of the web-identity action beside the IRSA statement (IRSA-024 has no fixer)
    const A = '111111111111';
    const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
    const deny = { ...irsaStatement(one, sa('apps', 'api')), Effect: 'Deny' };
    const snapshot = estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'r', policy(irsaStatement(one, sa('apps', 'api')), deny))],
      }),
    ]);
    const findings = planEstate(snapshot).analysis.findings.filter((f) => f.resourceType === 'role');
    const unfixed = findings.find((f) => fixerOf(f.ruleId) === undefined && f.severity !== 'info');
    expect(unfixed).toBeDefined();
    // When planned
    const plans = planEstate(snapshot).plans;
    // Then no plan changes the document for it, and the proposal quotes the rule's remediation
    expect(plans.filter((p) => p.after !== null && unfixed && p.findingIds.includes(unfixed.id))).toEqual([]);
    const proposal = plans.find((p) => unfixed && p.findingIds.includes(unfixed.id));
    expect(proposal?.applicable).toBe(false);
    expect(proposal?.rationale).toContain(unfixed ? ruleMeta(unfixed.ruleId).remediation : '<none>');
  });
});
