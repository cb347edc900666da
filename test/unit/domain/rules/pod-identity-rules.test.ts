/**
 * PI-054 and PI-055 on the Pod Identity trust policies the EKS user guide and the EKS best practices guide publish
 * (test/fixtures/published/README.md gives each fixture's source).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEstate } from '../../../../lambdas/domain/analyze-estate';
import type { Finding } from '../../../../lambdas/domain/finding';
import type { PodIdentityAssociationSnapshot } from '../../../../lambdas/domain/snapshot';
import { account, cluster, estate, provider, role } from '../../../support/estate-builder';

type Doc = Record<string, unknown>;

const A = '111111111111';
const B = '222222222222';
const one = cluster({ name: 'one', region: 'us-west-2', accountId: A });
const PRIMARY = `arn:aws:iam::${A}:role/eks-pod-identity-primary-role`;
const TARGET = `arn:aws:iam::${B}:role/eks-pod-identity-aws-resources`;

const fixture = (file: string): Doc =>
  JSON.parse(readFileSync(join(__dirname, '../../../fixtures/published', file), 'utf8')) as Doc;
const STANDARD = fixture('eks-user-guide-pod-identity-role.json');
const SCOPED = fixture('eks-user-guide-pod-identity-role-scoped.json');
const SOURCE_ORG = fixture('eks-best-practices-pod-identity-role-source-org.json');
const TARGET_TRUST = fixture('eks-user-guide-target-role.json');
const TARGET_NO_TAGS = fixture('eks-user-guide-target-role-no-session-tags.json');
const SOURCE_ARN = fixture('pod-identity-role-source-arn-association.json');

/** The document with every occurrence of `from` in its text replaced by `to`. */
const edited = (doc: Doc, from: string, to: string): Doc => JSON.parse(JSON.stringify(doc).replaceAll(from, to));

const association = (extra: Partial<PodIdentityAssociationSnapshot> = {}): PodIdentityAssociationSnapshot => ({
  cluster: 'one',
  region: 'us-west-2',
  namespace: 'reports',
  serviceAccount: 'exporter',
  roleArn: PRIMARY,
  ...extra,
});

/** Account A: cluster one, the association role with `trust`, the associations; account B: the target role. */
function analyze(trust: Doc, associations: PodIdentityAssociationSnapshot[], target?: Doc): readonly Finding[] {
  return analyzeEstate(
    estate([
      account(A, {
        clusters: [one.snapshot],
        oidcProviders: [provider(one)],
        roles: [role(A, 'eks-pod-identity-primary-role', trust)],
        podIdentityAssociations: associations,
      }),
      account(B, { roles: target ? [role(B, 'eks-pod-identity-aws-resources', target)] : [] }),
    ]),
  ).findings;
}

const summary = (findings: readonly Finding[]) =>
  findings.map((f) => [f.ruleId, f.severity, f.resourceArn.slice(f.resourceArn.lastIndexOf('/') + 1)]);
const only = (findings: readonly Finding[], ruleId: string) => findings.filter((f) => f.ruleId === ruleId);

describe('PI-054: the target role of the EKS user guide (cross-account Pod Identity)', () => {
  describe('Compliance', () => {
    it('accepts the guide target trust (AWS <account>:root, session-tag conditions, ArnEquals aws:PrincipalARN)', () => {
      // Given the association role in A and the guide's target trust in B, written for this association
      // When the estate is analyzed
      const findings = analyze(SCOPED, [association({ targetRoleArn: TARGET })], TARGET_TRUST);
      // Then nothing is wrong with either hop
      expect(summary(findings)).toEqual([]);
    });

    it('accepts the same trust with the account written as its 12-digit id', () => {
      const findings = analyze(
        SCOPED,
        [association({ targetRoleArn: TARGET })],
        edited(TARGET_TRUST, `arn:aws:iam::${A}:root`, A),
      );
      expect(summary(findings)).toEqual([]);
    });

    it('accepts the session-tags-disabled variant: sts:ExternalId = region/account/cluster/namespace/service account', () => {
      const findings = analyze(
        STANDARD,
        [association({ targetRoleArn: TARGET, disableSessionTags: true })],
        TARGET_NO_TAGS,
      );
      expect(only(findings, 'PI-054')).toEqual([]);
    });

    it('does not report what depends on the organization, which a snapshot does not hold (aws:PrincipalOrgID)', () => {
      const withOrg = edited(TARGET_TRUST, '"StringEquals":{', '"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5",');
      expect(JSON.stringify(withOrg)).toContain('aws:PrincipalOrgID');
      expect(only(analyze(SCOPED, [association({ targetRoleArn: TARGET })], withOrg), 'PI-054')).toEqual([]);
    });
  });

  describe('Noncompliance', () => {
    it.each([
      [
        'the principal names another account',
        `arn:aws:iam::${A}:root`,
        'arn:aws:iam::333333333333:root',
        'no Allow statement names the principal',
      ],
      [
        'aws:PrincipalARN names another role',
        'role/eks-pod-identity-primary-role',
        'role/some-other-role',
        'aws:PrincipalARN',
      ],
      ['the cluster tag names another cluster', 'cluster/one', 'cluster/two', 'aws:RequestTag/eks-cluster-arn'],
      ['sts:TagSession is missing', '"sts:AssumeRole","sts:TagSession"', '"sts:AssumeRole"', 'sts:TagSession'],
    ])('fails when %s', (_case, from, to, why) => {
      // Given the guide's target trust with one thing wrong
      const broken = edited(TARGET_TRUST, from, to);
      expect(broken).not.toEqual(TARGET_TRUST);
      // When analyzed
      const findings = only(analyze(SCOPED, [association({ targetRoleArn: TARGET })], broken), 'PI-054');
      // Then the target role is reported, with the reason
      expect(summary(findings)).toEqual([['PI-054', 'high', 'eks-pod-identity-aws-resources']]);
      expect(JSON.stringify(findings[0]?.evidence)).toContain(why);
    });

    it('fails the session-tags-disabled variant for another service account (sts:ExternalId differs)', () => {
      const findings = analyze(
        STANDARD,
        [association({ targetRoleArn: TARGET, disableSessionTags: true, serviceAccount: 'importer' })],
        TARGET_NO_TAGS,
      );
      expect(summary(only(findings, 'PI-054'))).toEqual([['PI-054', 'high', 'eks-pod-identity-aws-resources']]);
      expect(JSON.stringify(only(findings, 'PI-054')[0]?.evidence)).toContain('sts:ExternalId');
    });

    it('still reports a target trust whose only statement denies through the organization and allows nothing', () => {
      const denyOnly = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sts:AssumeRole',
            Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
          },
        ],
      };
      expect(summary(only(analyze(SCOPED, [association({ targetRoleArn: TARGET })], denyOnly), 'PI-054'))).toEqual([
        ['PI-054', 'high', 'eks-pod-identity-aws-resources'],
      ]);
    });
  });
});

describe('PI-055: Pod Identity trusts of the EKS user guide and best practices guide', () => {
  it('rates the standard trust (what the console creates) info, a hardening suggestion', () => {
    // Given the guide's standard trust, used by an association
    const findings = analyze(STANDARD, [association()]);
    // Then PI-055 is info and nothing else is wrong
    expect(summary(findings)).toEqual([['PI-055', 'info', 'eks-pod-identity-primary-role']]);
    expect(findings[0]?.message).toContain('standard Pod Identity trust of the EKS user guide');
  });

  it.each([
    ['the request-tag conditions of the EKS user guide', SCOPED],
    ['aws:SourceOrgId = aws:ResourceOrgId (a policy variable) of the EKS best practices guide', SOURCE_ORG],
  ])('accepts a trust restricted with %s, and the association it is meant for works', (_case, trust) => {
    expect(summary(analyze(trust, [association()]))).toEqual([]);
  });

  it('does not report PI-050 on an aws:SourceArn condition, whose Pod Identity value is not documented', () => {
    // Given the trust of a public issue thread: aws:SourceAccount and ArnLike aws:SourceArn on association ARNs
    // Then neither PI-055 (restricted) nor PI-050 (only the undocumented key fails in the model)
    expect(summary(analyze(SOURCE_ARN, [association()]))).toEqual([]);
    // But a wrong aws:SourceAccount, which the model knows, is still PI-050
    expect(
      summary(
        analyze(edited(SOURCE_ARN, '"aws:SourceAccount":"111111111111"', '"aws:SourceAccount":"999999999999"'), [
          association(),
        ]),
      ),
    ).toEqual([['PI-050', 'high', 'eks-pod-identity-primary-role']]);
  });

  it('still reports PI-050 for an association the request-tag conditions do not name', () => {
    expect(summary(analyze(SCOPED, [association({ serviceAccount: 'importer' })]))).toEqual([
      ['PI-050', 'high', 'eks-pod-identity-primary-role'],
    ]);
  });

  it.each([
    [
      'another principal',
      { Service: 'pods.eks.amazonaws.com', AWS: `arn:aws:iam::${A}:role/ci` },
      `AWS arn:aws:iam::${A}:role/ci`,
    ],
    ['another service', { Service: ['pods.eks.amazonaws.com', 'ec2.amazonaws.com'] }, 'Service ec2.amazonaws.com'],
  ])('rates medium a statement that also lets in %s', (_case, principal, also) => {
    const widened = { ...STANDARD, Statement: [{ ...(STANDARD.Statement as Doc[])[0], Principal: principal }] };
    const findings = only(analyze(widened, [association()]), 'PI-055');
    expect(summary(findings)).toEqual([['PI-055', 'medium', 'eks-pod-identity-primary-role']]);
    const finding = findings[0];
    expect(finding?.ruleId === 'PI-055' ? finding.evidence.alsoTrusted : undefined).toEqual([also]);
  });
});
