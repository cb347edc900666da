import fc from 'fast-check';
import {
  ASFF_LIMITS,
  type AsffContext,
  type AsffFinding,
  asffBatches,
  asffId,
  asffProductArn,
  clip,
  findingTransitions,
  planConsoleLink,
  toAsff,
} from '../../../lambdas/domain/asff';
import type { Finding } from '../../../lambdas/domain/finding';
import { validateBatchImportFindings } from '../../support/asff-model';

function finding(over: Partial<Record<keyof Finding, unknown>> = {}): Finding {
  return {
    id: 'f-1',
    ruleId: 'IRSA-001',
    severity: 'high',
    accountId: '111111111111',
    resourceArn: 'arn:aws:iam::111111111111:role/app',
    resourceType: 'role',
    cluster: 'prod',
    region: 'eu-west-1',
    kubernetesObject: { kind: 'ServiceAccount', namespace: 'shop', name: 'app' },
    title: 'Trust policy does not trust the cluster',
    message: 'The role app does not trust the OIDC provider of cluster prod.',
    remediation: 'Add a statement trusting the provider.',
    references: ['https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html'],
    evidence: {},
    ...over,
  } as unknown as Finding;
}

const ctx: AsffContext = {
  partition: 'aws',
  region: 'eu-west-1',
  accountId: '999999999999',
  now: '2026-11-30T12:00:00.000Z',
  planLinks: new Map([['f-1', planConsoleLink('https://console.example.com/', 'run-1', 'plan-1')]]),
};

function valid(findings: readonly AsffFinding[]): string[] {
  return validateBatchImportFindings({ Findings: findings });
}

describe('findingTransitions', () => {
  const t0 = '2026-11-01T00:00:00.000Z';
  const now = '2026-11-30T12:00:00.000Z';

  it('marks every finding of a first sweep new, first seen now', () => {
    const out = findingTransitions(undefined, [finding()], now);
    expect(out).toEqual([{ finding: finding(), life: 'new', firstSeenAt: now }]);
  });

  it('keeps the first sighting of a finding still present, resolves one gone, and names a new one', () => {
    const previous = [finding({ firstSeenAt: t0 }), finding({ id: 'gone', firstSeenAt: t0 })];
    const out = findingTransitions(previous, [finding(), finding({ id: 'fresh' })], now);
    expect(out.map((t) => [t.finding.id, t.life, t.firstSeenAt])).toEqual([
      ['f-1', 'present', t0],
      ['fresh', 'new', now],
      ['gone', 'resolved', t0],
    ]);
  });

  it('marks a muted finding suppressed (keeping its first sighting) and an unmuted one new again', () => {
    const muted = { by: 's-1', reason: 'accepted', until: '2027-01-01T00:00:00.000Z' };
    const a = findingTransitions([finding({ firstSeenAt: t0 })], [finding({ suppressed: muted })], now);
    expect(a).toEqual([expect.objectContaining({ life: 'suppressed', firstSeenAt: t0 })]);
    const b = findingTransitions([finding({ suppressed: muted, firstSeenAt: t0 })], [finding()], now);
    expect(b[0]?.life).toBe('new');
  });
});

describe('toAsff', () => {
  it('maps a new finding to a valid BatchImportFindings finding of the importer', () => {
    const asff = toAsff({ finding: finding(), life: 'new', firstSeenAt: ctx.now }, ctx);
    expect(valid([asff])).toEqual([]);
    expect(asff).toMatchObject({
      ProductArn: 'arn:aws:securityhub:eu-west-1:999999999999:product/999999999999/default',
      AwsAccountId: '999999999999',
      GeneratorId: 'irsa-doctor/IRSA-001',
      Severity: { Label: 'HIGH', Original: 'high' },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
      Remediation: {
        Recommendation: {
          Text: 'Add a statement trusting the provider.',
          Url: 'https://console.example.com/#/plans/run-1/plan-1',
        },
      },
      Resources: [
        {
          Type: 'AwsIamRole',
          Id: 'arn:aws:iam::111111111111:role/app',
          Partition: 'aws',
          Region: 'eu-west-1',
          Details: { Other: expect.objectContaining({ account: '111111111111', cluster: 'prod', namespace: 'shop' }) },
        },
      ],
    });
    expect(asff.Types[0]).toMatch(/^Software and Configuration Checks\//);
  });

  it('gives the same Id to the same finding in every sweep, another to another finding', () => {
    expect(asffId(ctx, finding())).toBe(asffId(ctx, finding({ message: 'changed wording' })));
    expect(asffId(ctx, finding())).not.toBe(asffId(ctx, finding({ id: 'f-2' })));
  });

  it('follows the life: present sends no workflow, resolved archives, suppressed suppresses', () => {
    const t0 = '2026-11-01T00:00:00.000Z';
    const present = toAsff({ finding: finding(), life: 'present', firstSeenAt: t0 }, ctx);
    expect(present.Workflow).toBeUndefined();
    expect([present.RecordState, present.CreatedAt, present.FirstObservedAt, present.UpdatedAt]).toEqual([
      'ACTIVE',
      t0,
      t0,
      ctx.now,
    ]);
    const resolved = toAsff({ finding: finding(), life: 'resolved', firstSeenAt: t0 }, ctx);
    expect([resolved.RecordState, resolved.Workflow?.Status, resolved.LastObservedAt]).toEqual([
      'ARCHIVED',
      'RESOLVED',
      undefined,
    ]);
    const suppressed = toAsff({ finding: finding(), life: 'suppressed', firstSeenAt: t0 }, ctx);
    expect([suppressed.RecordState, suppressed.Workflow?.Status]).toEqual(['ACTIVE', 'SUPPRESSED']);
    expect(valid([present, resolved, suppressed])).toEqual([]);
  });

  it.each([
    ['aws-cn', 'cn-north-1'],
    ['aws-us-gov', 'us-gov-west-1'],
  ])('uses the %s partition in the product and the resource', (partition, region) => {
    const f = finding({
      resourceArn: `arn:${partition}:iam::111111111111:oidc-provider/x`,
      resourceType: 'oidc-provider',
      region,
    });
    const asff = toAsff({ finding: f, life: 'new', firstSeenAt: ctx.now }, { ...ctx, partition, region });
    expect(asff.ProductArn).toBe(asffProductArn(partition, region, '999999999999'));
    expect(asff.ProductArn.startsWith(`arn:${partition}:securityhub:${region}:`)).toBe(true);
    expect(asff.Resources[0]).toMatchObject({ Type: 'Other', Partition: partition, Region: region });
    expect(valid([asff])).toEqual([]);
  });

  it('keeps hostile and long strings within the model: cut, no lone surrogates, never blank', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 3000 }),
        fc.string({ unit: 'grapheme', maxLength: 700 }),
        (text, other) => {
          const f = finding({ title: text, message: text, remediation: other, cluster: other, podError: text });
          const asff = toAsff({ finding: f, life: 'new', firstSeenAt: ctx.now }, ctx);
          expect(valid([asff])).toEqual([]);
          for (const s of [asff.Title, asff.Description, asff.Remediation.Recommendation.Text]) {
            expect(s).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the validator rejects what the model forbids (so the checks above could fail)', () => {
    const asff = toAsff({ finding: finding(), life: 'new', firstSeenAt: ctx.now }, ctx);
    const bad = {
      ...asff,
      Title: 'x'.repeat(257),
      Severity: { Label: 'SEVERE', Original: 'high' },
      Resources: [],
      Extra: 1,
    } as unknown as AsffFinding;
    const { Description: _dropped, ...missing } = asff;
    expect(valid([bad, missing as AsffFinding])).toEqual([
      '$.Findings[0].Extra: not a member of AwsSecurityFinding',
      '$.Findings[0].Title: length 257, allowed 1 to 256',
      '$.Findings[0].Resources: 0 items, allowed 1 to 32',
      '$.Findings[0].Severity.Label: "SEVERE" is not one of CRITICAL, HIGH, INFORMATIONAL, LOW, MEDIUM',
      '$.Findings[1].Description: required by AwsSecurityFinding',
    ]);
    expect(validateBatchImportFindings({ Findings: Array.from({ length: 101 }, () => asff) })[0]).toBe(
      '$.Findings: 101 items, allowed 1 to 100',
    );
  });
});

describe('clip and asffBatches', () => {
  it('clips to the bound with an ellipsis, without splitting a surrogate pair', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip(`ab${'😀'}cd`, 4)).toBe('ab…');
    expect(clip('a\u0000b', 10)).toBe('a b');
  });

  it('splits at 100 findings and at the byte budget', () => {
    expect(asffBatches(Array.from({ length: 250 }, (_, i) => i)).map((b) => b.length)).toEqual([100, 100, 50]);
    const big = Array.from({ length: 5 }, () => 'x'.repeat(1000));
    expect(asffBatches(big, 2500).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(ASFF_LIMITS.batch).toBe(100);
  });
});
