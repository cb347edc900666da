import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEstate } from '../../../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../../../lambdas/domain/finding';
import { evaluateTrustPolicy, webIdentityRequest } from '../../../../../lambdas/domain/trust-policy/evaluate';
import { parseTrustPolicy } from '../../../../../lambdas/domain/trust-policy/parse-trust-policy';
import { account, cluster, estate, provider, role } from '../../../../support/estate-builder';

// A subject written under <issuer>:aud with no :sub key, as public templates and tutorials write it
// (test/fixtures/trust-policies/README.md, "from public code"). Pod tokens carry aud=sts.amazonaws.com, so the
// statement matches no token: nobody can assume the role. It is not "any service account can assume it".

const A = '111111111111';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A, id: '0123456789ABCDEF0123456789ABCDEF' });
const fixture = (file: string) => readFileSync(join(__dirname, '../../../../fixtures/trust-policies', file), 'utf8');

function analyze(trustPolicy: string | Record<string, unknown>): Finding[] {
  const snapshot = estate([
    account(A, { clusters: [one.snapshot], oidcProviders: [provider(one)], roles: [role(A, 'r', trustPolicy)] }),
  ]);
  return [...analyzeEstate(snapshot).findings];
}

/** What IAM decides for a pod of `subject` on cluster one, with the token audience every pod presents. */
function decision(trustPolicy: string | Record<string, unknown>, subject: string): string {
  const read = parseTrustPolicy(trustPolicy);
  if (!read.ok) throw new Error(read.message);
  const request = webIdentityRequest(one.providerArn(), one.hostPath, { sub: subject, aud: 'sts.amazonaws.com' });
  return evaluateTrustPolicy(read.policy, request).decision;
}

describe('a subject under :aud with no :sub key', () => {
  it.each([
    ['public-subject-under-aud.json', 'StringEquals', 'system:serviceaccount:kube-system:aws-node'],
    ['public-subject-pattern-under-aud.json', 'StringLike', 'system:serviceaccount:demo-namespace:*'],
  ])('%s: nobody can assume the role, reported as IRSA-014 and not as IRSA-018', (file, operator, subject) => {
    const text = fixture(file);
    // Given the published pattern, IAM lets no pod in: not the named one, not any other
    expect(decision(text, 'system:serviceaccount:kube-system:aws-node')).toBe('ImplicitDeny');
    expect(decision(text, 'system:serviceaccount:demo-namespace:app')).toBe('ImplicitDeny');
    expect(decision(text, 'system:serviceaccount:default:anything')).toBe('ImplicitDeny');
    // When analyzed
    const findings = analyze(text);
    // Then one finding says so: the subject is under :aud, nobody can assume the role
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['IRSA-014', 'high']]);
    const [finding] = findings;
    expect(finding?.message).toContain('nobody can assume this role');
    expect(finding?.podError).toContain('AccessDenied');
    // And its evidence is what a fix needs to move the subject to a new :sub key
    expect(finding?.ruleId === 'IRSA-014' && finding.evidence).toEqual({
      statementIndex: 0,
      statement: JSON.parse(text).Statement[0],
      kind: 'subject-under-aud-no-sub',
      conditionKey: `${one.hostPath}:aud`,
      operator,
      values: [subject],
      subjects: [subject],
      subKey: `${one.hostPath}:sub`,
    });
  });

  it('still reports IRSA-018 when the :aud key also lists the token audience: then any service account gets in', () => {
    // Given :aud holding both sts.amazonaws.com and a subject, and no :sub key
    const doc = JSON.parse(fixture('public-subject-under-aud.json'));
    doc.Statement[0].Condition.StringEquals[`${one.hostPath}:aud`] = [
      'sts.amazonaws.com',
      'system:serviceaccount:kube-system:aws-node',
    ];
    // IAM lets any service account of the cluster in
    expect(decision(doc, 'system:serviceaccount:default:anything')).toBe('Allow');
    // When analyzed, Then the over-broad trust is reported, and the subject under :aud as misplaced
    const findings = analyze(doc);
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['IRSA-014', 'IRSA-018']);
    const claim = findings.find((f) => f.ruleId === 'IRSA-014');
    expect(claim?.ruleId === 'IRSA-014' && claim.evidence.kind).toBe('aud-holds-subject');
  });

  it('keeps the swap finding when both keys are present with their values exchanged', () => {
    const doc = JSON.parse(fixture('public-subject-under-aud.json'));
    doc.Statement[0].Condition.StringEquals[`${one.hostPath}:sub`] = 'sts.amazonaws.com';
    const kinds = analyze(doc).flatMap((f) => (f.ruleId === 'IRSA-014' ? [f.evidence.kind] : []));
    expect(kinds.sort()).toEqual(['aud-holds-subject', 'sub-holds-audience']);
  });
});
