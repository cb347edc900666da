import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import { MAX_EVALUATED_TRUST_POLICY } from '../../../../lambdas/domain/rules/document/role-pass';
import {
  account,
  cluster,
  estate,
  irsaStatement,
  policy,
  provider,
  role,
  sa,
  serviceAccount,
} from '../../../support/estate-builder';

const ACCOUNT = '111111111111';
const c = cluster({ name: 'prod', region: 'us-west-2', accountId: ACCOUNT });

function withRole(trust: Record<string, unknown>, serviceAccounts: number) {
  const r = role(ACCOUNT, 'app', trust);
  return estate([
    account(ACCOUNT, {
      clusters: [c.snapshot],
      oidcProviders: [provider(c)],
      roles: [r],
      serviceAccounts: Array.from({ length: serviceAccounts }, (_, i) => serviceAccount(c, 'team', `sa-${i}`, r.arn)),
    }),
  ]);
}

describe('analysis bounds', () => {
  it(`reports a trust policy longer than ${MAX_EVALUATED_TRUST_POLICY} characters minified and does not evaluate it`, () => {
    // Given a role whose policy lists more subjects than IAM could hold, and a workload naming it
    const subjects = Array.from({ length: 400 }, (_, i) => sa('other', `subject-${i}`));
    const snapshot = withRole(policy(irsaStatement(c, subjects)), 1);
    // When analyzed
    const { findings } = analyzeEstate(snapshot);
    // Then the size is reported (DOC-001) and no workload finding is built from the document
    const doc = findings.find((f) => f.ruleId === 'DOC-001');
    expect(doc?.message).toMatch(/characters minified, more than IAM holds/);
    expect(
      findings.filter((f) => f.resourceType === 'role' && f.ruleId.startsWith('IRSA-0') && f.ruleId !== 'IRSA-023'),
    ).toEqual([]);
  });

  it('evaluates a trust policy at the limit', () => {
    // Given subjects that fill the document to just under the limit
    const subjects: string[] = [];
    while (
      JSON.stringify(policy(irsaStatement(c, [...subjects, sa('other', `s-${subjects.length}`)]))).length <=
      MAX_EVALUATED_TRUST_POLICY
    )
      subjects.push(sa('other', `s-${subjects.length}`));
    const { findings } = analyzeEstate(withRole(policy(irsaStatement(c, subjects)), 1));
    // Then the workload is checked against it (its subject is not allowed: IRSA-016)
    expect(findings.map((f) => f.ruleId)).toContain('IRSA-016');
    expect(findings.map((f) => f.ruleId)).not.toContain('DOC-001');
  });

  it('keeps each workload finding short when the policy lists many subjects', () => {
    // Given 150 allowed subjects (within the limit) and 50 service accounts none of them allows
    const subjects = Array.from({ length: 150 }, (_, i) => sa('o', `${i}`));
    const { findings } = analyzeEstate(withRole(policy(irsaStatement(c, subjects)), 50));
    const perWorkload = findings.filter((f) => f.ruleId === 'IRSA-016');
    expect(perWorkload).toHaveLength(50);
    for (const f of perWorkload) {
      if (f.ruleId !== 'IRSA-016') continue;
      // Then each quotes five subjects and counts the rest, in its message and its evidence
      expect(f.message).toContain('and 145 more');
      expect(f.evidence.allowedSubjects).toHaveLength(5);
      expect(f.evidence.allowedSubjectCount).toBe(150);
      expect(JSON.stringify(f).length).toBeLessThan(6000);
    }
  });
});
